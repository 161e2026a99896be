/**
 * Retries for the notification sinks: exponential backoff with jitter, honouring `Retry-After`
 * on 429 (and 503). Delays are injectable so tests run in milliseconds.
 */

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the call gives up until the next cycle. */
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1); Math.random unless a test pins it. */
  readonly random: () => number;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/** What to do after a failed attempt. */
export interface RetryVerdict {
  readonly retry: boolean;
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
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
 * The wait before attempt `attempt + 1` (attempt counts from 1): half of the exponential step
 * plus a random half ("equal jitter"), capped; at least the server's Retry-After when it gave one.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
  retryAfterMs?: number,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = step / 2 + policy.random() * (step / 2);
  if (retryAfterMs === undefined) return Math.round(jittered);
  // A little jitter on top of Retry-After, so that many clients told the same time do not return at once.
  return Math.round(retryAfterMs + policy.random() * Math.min(policy.baseDelayMs, step));
}

export interface RetryEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, the attempts are spent, or the server
 * asks for a wait longer than `maxRetryAfterMs`; then throws the last error.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryVerdict,
  policy: RetryPolicy,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      const verdict = classify(error);
      if (!verdict.retry || attempt >= policy.attempts) throw error;
      if (verdict.retryAfterMs !== undefined && verdict.retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delayMs = backoffDelay(attempt, policy, verdict.retryAfterMs);
      onRetry?.({ attempt, delayMs, error });
      await policy.sleep(delayMs);
    }
  }
}
