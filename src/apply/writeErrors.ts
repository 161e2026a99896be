import { isThrottlingError } from '@smithy/core/retry';
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

/**
 * A write that failed after the SDK's retries: deferred to the next cycle when the resource is
 * busy or the service still throttles (a later cycle succeeds without anyone acting); `gone` when
 * the resource was deleted meanwhile (reported, never recreated); otherwise a real failure.
 */
export function writeFailureOutcome(error: unknown): WriteFailureOutcome {
  const e = error as { name?: string; $retryable?: { throttling?: boolean } };
  if (isResourceGone(error)) return 'gone';
  if (BUSY.has(e.name ?? '')) return 'retry-next-cycle';
  if (e.$retryable?.throttling || isThrottlingError(error as Parameters<typeof isThrottlingError>[0]))
    return 'retry-next-cycle';
  return 'failed';
}
