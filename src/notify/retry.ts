/**
 * Retries for the notification sinks: their timing, what HTTP answers are transient, and their
 * delay; the loop itself is the shared one (src/retry/backoff.ts), with its abort signal.
 */
import {
  fullJitter,
  type RetryEvent,
  type RetryVerdict,
  retry,
  retryAfterDelay,
  sleep,
} from '../retry/backoff.js';

export type { RetryEvent, RetryVerdict } from '../retry/backoff.js';

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the call gives up until the next cycle. */
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); Math.random unless a test pins it. */
  readonly random: () => number;
}

export const defaultSleep = sleep;

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    attempts: 4,
    baseDelayMs: 500,
    maxDelayMs: 8_000,
    maxRetryAfterMs: 60_000,
    sleep: defaultSleep,
    random: Math.random,
    ...overrides,
  };
}

/**
 * `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns
 * milliseconds, or undefined when absent or unparsable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** 429 and 5xx are transient; so is no response at all (status undefined: refused, reset, timeout). */
export function httpVerdict(status: number | undefined, retryAfter?: string | null): RetryVerdict {
  const retryAfterMs = parseRetryAfter(retryAfter);
  const retry = status === undefined || status === 429 || status === 408 || status >= 500;
  return retryAfterMs === undefined ? { retry } : { retry, retryAfterMs };
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): the shared full jitter, or the
 * server's Retry-After plus a little jitter when it gave one.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
  retryAfterMs?: number,
): number {
  return retryAfterMs === undefined
    ? fullJitter(attempt - 1, policy, policy.random)
    : retryAfterDelay(retryAfterMs, policy, policy.random);
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, the attempts are spent, or the server
 * asks for a wait longer than `maxRetryAfterMs`; then throws the last error.
 */
export function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryVerdict,
  policy: RetryPolicy,
  onRetry?: (event: RetryEvent) => void,
  signal?: AbortSignal,
): Promise<T> {
  return retry(fn, {
    ...policy,
    classify,
    delay: (attempt, retryAfterMs) => backoffDelay(attempt, policy, retryAfterMs),
    ...(onRetry ? { onRetry } : {}),
    ...(signal ? { signal } : {}),
  });
}
