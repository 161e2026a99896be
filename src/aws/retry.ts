import { StandardRetryStrategy } from '@smithy/core/retry';
import type { StandardRetryBackoffStrategy } from '@smithy/types';

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

/**
 * The SDK's backoff hook. Its standard strategy calls `setDelayBase` right before each
 * `computeNextBackoffDelay` (synchronously, so concurrent requests do not interleave), with the
 * strategy's own base for transient errors and its throttling constant otherwise; any value other
 * than our transient base therefore means throttling, and gets our throttling base.
 */
export class FullJitterBackoff implements StandardRetryBackoffStrategy {
  private base: number;
  constructor(
    private readonly timing: RetryTiming,
    private readonly random: () => number = Math.random,
  ) {
    this.base = timing.baseDelayMs;
  }
  setDelayBase(delayBase: number): void {
    this.base = delayBase === this.timing.baseDelayMs ? delayBase : this.timing.throttlingBaseDelayMs;
  }
  computeNextBackoffDelay(attempt: number): number {
    return fullJitterDelay(attempt, this.base, this.timing.maxDelayMs, this.random);
  }
}

/**
 * The SDK's standard retry mode (bounded attempts, retry quota that stops retrying when most
 * calls fail, Retry-After honoured) with our backoff timing. One per client: the retry quota is
 * per client, so one service's outage does not drain another's.
 */
export function createRetryStrategy(
  maxAttempts: number,
  timing: RetryTiming = DEFAULT_RETRY_TIMING,
  random: () => number = Math.random,
): StandardRetryStrategy {
  return new StandardRetryStrategy({
    maxAttempts,
    baseDelay: timing.baseDelayMs,
    backoff: new FullJitterBackoff(timing, random),
  });
}
