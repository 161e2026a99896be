import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { EdaguardError } from '../errors.js';
import { isResourceGone } from './preconditions.js';

/** What a failed write means for the finding. */
export type WriteFailureOutcome = 'retry-next-cycle' | 'gone' | 'failed';

/** The resource is being changed by someone (or by AWS): the write is right, only early. */
const BUSY = new Set([
  'ResourceConflictException',
  'ResourceInUseException',
  'ConcurrentModificationException',
  'OperationAbortedException',
]);

type SdkError = Parameters<typeof isThrottlingError>[0];

/**
 * A write that failed after the SDK's retries: deferred to the next cycle when the resource is
 * busy or the service still throttles (a later cycle succeeds without anyone acting); `gone` when
 * the resource was deleted meanwhile (reported, never recreated); otherwise a real failure.
 */
export function writeFailureOutcome(error: unknown): WriteFailureOutcome {
  const e = error as { name?: string; $retryable?: { throttling?: boolean } };
  if (isResourceGone(error)) return 'gone';
  if (BUSY.has(e.name ?? '')) return 'retry-next-cycle';
  if (e.$retryable?.throttling || isThrottlingError(error as SdkError)) return 'retry-next-cycle';
  return 'failed';
}

/**
 * Worth another try later in the same cycle (the cycle's work queue): busy or throttled after
 * the SDK's retries, or transient (5xx, a timeout, a dropped connection). Every write sends a
 * whole desired value, so sending it again is safe; the precondition read before it sees a first
 * attempt that did land and then makes no write. Never a refusal of the lease fence, a gone
 * resource or edaguard's own errors (a read-back that timed out: the write went through).
 */
export function isRequeueable(error: unknown): boolean {
  // The lease fence's refusals (WriteRefusedError) are EdaguardErrors too.
  if (error instanceof EdaguardError) return false;
  const outcome = writeFailureOutcome(error);
  if (outcome !== 'failed') return outcome === 'retry-next-cycle';
  const e = error as SdkError & { name?: string };
  return isServerError(e) || isTransientError(e) || e.name === 'TimeoutError';
}
