import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import pLimit from 'p-limit';
import { DEFAULT_RETRY_TIMING, fullJitterDelay, type RetryTiming } from '../aws/retry.js';
import { EdaguardError } from '../errors.js';

/**
 * Rounds a failed per-resource read gets after its first one, within the same discovery. The
 * SDK's own attempts have already been spent by then; a read still failing after these becomes
 * its resource's read error, until the next cycle.
 */
export const READ_REQUEUE_ROUNDS = 3;

/**
 * Runs one per-resource read under the discovery's concurrency limit; a retryable failure goes
 * back on the queue after a full-jitter wait and is run again, up to the configured rounds. The
 * last failure is thrown (the caller records it as the resource's read error).
 */
export type ReadRunner = <T>(read: () => Promise<T>) => Promise<T>;

export interface ReadRequeueOptions {
  /** Reads in flight at once; a read waiting for its next round does not hold a slot. */
  readonly concurrency: number;
  readonly extraRounds?: number;
  readonly timing?: RetryTiming;
  /** The cycle's deadline or shutdown: no read is requeued once it aborts. */
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Worth another round: throttling or a transient failure (5xx, timeout, dropped connection).
 * Never: access denied, not found, an answer of unexpected shape (edaguard's own errors, e.g.
 * AWS_RESPONSE_UNEXPECTED): asking again gets the same answer.
 */
export function isRequeueableReadError(error: unknown): boolean {
  if (error instanceof EdaguardError || error === null || typeof error !== 'object') return false;
  const e = error as Parameters<typeof isThrottlingError>[0];
  return isThrottlingError(e) || isTransientError(e);
}

/** Resolves after `ms`, or at once when `signal` aborts (the read then gives up). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function createReadRunner(options: ReadRequeueOptions): ReadRunner {
  const limit = pLimit(options.concurrency);
  const extraRounds = options.extraRounds ?? READ_REQUEUE_ROUNDS;
  const timing = options.timing ?? DEFAULT_RETRY_TIMING;
  const sleep = options.sleep ?? abortableSleep;
  const { signal } = options;
  return async <T>(read: () => Promise<T>): Promise<T> => {
    for (let round = 0; ; round++) {
      try {
        return await limit(read);
      } catch (error) {
        if (!isRequeueableReadError(error) || round >= extraRounds || signal?.aborted) throw error;
        const base = isThrottlingError(error as Parameters<typeof isThrottlingError>[0])
          ? timing.throttlingBaseDelayMs
          : timing.baseDelayMs;
        // Rounds continue the backoff where the SDK's attempts stopped, as account-wide reads do.
        await sleep(fullJitterDelay(round + 2, base, timing.maxDelayMs, options.random), signal);
        if (signal?.aborted) throw error;
      }
    }
  };
}
