import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { EdaguardError } from '../errors.js';

/** Retry timing: exponential backoff with full jitter, bounded by a cap. */
export interface RetryTiming {
  /** Base delay for transient errors (5xx, timeouts, dropped connections). */
  readonly baseDelayMs: number;
  /** Base delay after a throttling error: backing off harder leaves the quota to the account's other users. */
  readonly throttlingBaseDelayMs: number;
  /** No single wait is longer than this. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = {
  baseDelayMs: 100,
  throttlingBaseDelayMs: 1_000,
  maxDelayMs: 20_000,
};

/** Retry-After may lengthen a wait, by at most this much over our own backoff (as the SDK does). */
const RETRY_AFTER_EXTRA_MS = 5_000;

/**
 * Full jitter: `random(0, min(cap, base·2^attempt))`. Spreading retries over the whole interval
 * keeps many throttled callers from retrying in lockstep (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"). `attempt` counts retries already made: 0 before the first retry.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

class BackoffToken implements RetryToken {
  constructor(
    private readonly count: number,
    private readonly delayMs: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  /** The SDK's retry middleware waits this long before the next attempt. */
  getRetryDelay(): number {
    return this.delayMs;
  }
}

/**
 * The SDK's standard retry mode, as a strategy the SDK's retry middleware drives: the same error
 * classification (only errors the SDK calls THROTTLING or TRANSIENT are retried: 429s, throttling
 * codes, 5xx, timeouts, dropped connections), bounded attempts, Retry-After honoured, and full-jitter
 * backoff with our bases and cap.
 *
 * Never retried: edaguard's own errors raised inside the stack (the write fence's refusals), even
 * when their cause (a DynamoDB timeout) would be transient.
 *
 * One difference, on purpose: no client-wide retry quota. The SDK's quota (500 tokens, 5 to 14 per
 * retry, refilled one per success) stops retrying for the life of the client once about half of
 * the calls fail; for a controller whose clients live for days that means a brownout of minutes
 * leaves every later call one attempt (measured: at 50 % faults no cycle converged). edaguard's
 * load on a struggling service is bounded instead by its concurrency limits and client-side rate
 * limits, which apply to retries too, and by the attempts here.
 */
export class BoundedJitterRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  constructor(
    private readonly maxAttempts: number,
    private readonly timing: RetryTiming = DEFAULT_RETRY_TIMING,
    private readonly random: () => number = Math.random,
  ) {}

  async acquireInitialRetryToken(_scope: string): Promise<RetryToken> {
    return new BackoffToken(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    // An EdaguardError thrown inside the stack is edaguard's own decision (the write fence refused
    // or aborted the attempt), whatever caused it: retrying would only ask again.
    const ours = errorInfo.error instanceof EdaguardError;
    const retryable = !ours && (errorInfo.errorType === 'THROTTLING' || errorInfo.errorType === 'TRANSIENT');
    const retries = token.getRetryCount();
    // Throwing tells the middleware to give up and surface the last error.
    if (!retryable || retries + 1 >= this.maxAttempts) throw new Error('no retry left');
    const base =
      errorInfo.errorType === 'THROTTLING' ? this.timing.throttlingBaseDelayMs : this.timing.baseDelayMs;
    let delay = fullJitterDelay(retries, base, this.timing.maxDelayMs, this.random);
    if (errorInfo.retryAfterHint instanceof Date) {
      const hinted = errorInfo.retryAfterHint.getTime() - Date.now();
      delay = Math.max(delay, Math.min(hinted, delay + RETRY_AFTER_EXTRA_MS));
    }
    return new BackoffToken(retries + 1, delay);
  }

  recordSuccess(_token: RetryToken): void {}
}

export function createRetryStrategy(
  maxAttempts: number,
  timing: RetryTiming = DEFAULT_RETRY_TIMING,
  random: () => number = Math.random,
): BoundedJitterRetryStrategy {
  return new BoundedJitterRetryStrategy(maxAttempts, timing, random);
}
