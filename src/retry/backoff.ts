/**
 * One retry loop for every call that is not the AWS SDK's (the SDK has its own strategy,
 * src/aws/retry.ts): notification sinks, conflicts, read-backs. Exponential backoff with full
 * jitter, `random(0, min(cap, base·2^n))`; a server's `Retry-After` when it gives one; an abort
 * signal that ends the waiting. Sleep and random are injectable so tests run in milliseconds.
 */
import { EdaguardError } from '../errors.js';

export interface BackoffTiming {
  /** The first step of the exponential (retry 0). */
  readonly baseDelayMs: number;
  /** The cap of every step. */
  readonly maxDelayMs: number;
}

/**
 * Full jitter: a wait drawn uniformly from [0, min(cap, base·2^retry)), `retry` counting from 0.
 * Spreads clients that failed together better than any fixed share of the step.
 */
export function fullJitter(retry: number, timing: BackoffTiming, random: () => number = Math.random): number {
  const step = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** retry);
  return Math.floor(random() * step);
}

/**
 * The wait after a server said `Retry-After`: that long, plus up to one base step of full jitter so
 * that many clients told the same time do not all return at once.
 */
export function retryAfterDelay(
  retryAfterMs: number,
  timing: BackoffTiming,
  random: () => number = Math.random,
) {
  return Math.round(retryAfterMs + random() * Math.min(timing.baseDelayMs, timing.maxDelayMs));
}

/** What to do after a failed attempt. */
export interface RetryVerdict {
  readonly retry: boolean;
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs?: number;
}

export interface RetryEvent {
  /** The attempt that failed, counting from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface RetryOptions extends BackoffTiming {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  /** Whether an error is worth another attempt (and the server's Retry-After). */
  readonly classify: (error: unknown) => RetryVerdict;
  /** A `Retry-After` longer than this is not waited for: the last error is thrown. Default: none. */
  readonly maxRetryAfterMs?: number;
  /** The wait before attempt `attempt + 1`. Default: full jitter, or Retry-After plus jitter. */
  readonly delay?: (attempt: number, retryAfterMs: number | undefined) => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); Math.random unless a test pins it. */
  readonly random?: () => number;
  /** Aborting stops before the next attempt (and cuts a wait short) with RetryAbortedError. */
  readonly signal?: AbortSignal;
  readonly onRetry?: (event: RetryEvent) => void;
}

/** The retry loop was told to stop (its signal aborted) before it got an answer. */
export class RetryAbortedError extends EdaguardError {
  constructor(options?: { cause?: unknown }) {
    super('RETRY_ABORTED', 'stopped retrying: the operation was aborted', options);
  }
}

/** Resolves after `ms`, or rejects with RetryAbortedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new RetryAbortedError({ cause: signal.reason }));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RetryAbortedError({ cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wait after failed attempt `attempt`, or undefined to give up and throw. */
function nextDelay(options: RetryOptions, attempt: number, verdict: RetryVerdict): number | undefined {
  if (!verdict.retry || attempt >= options.attempts) return undefined;
  const { retryAfterMs } = verdict;
  if (retryAfterMs !== undefined && retryAfterMs > (options.maxRetryAfterMs ?? Number.POSITIVE_INFINITY)) {
    return undefined;
  }
  if (options.delay) return options.delay(attempt, retryAfterMs);
  const random = options.random ?? Math.random;
  return retryAfterMs === undefined
    ? fullJitter(attempt - 1, options, random)
    : retryAfterDelay(retryAfterMs, options, random);
}

/**
 * Runs `fn` (given the attempt number, from 1) until it succeeds, the error is not retryable, the
 * attempts are spent, or the server asks for a wait longer than allowed; then throws the last
 * error. An aborted signal throws RetryAbortedError instead of starting another attempt.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw new RetryAbortedError({ cause: options.signal.reason });
    try {
      return await fn(attempt);
    } catch (error) {
      const delayMs = nextDelay(options, attempt, options.classify(error));
      if (delayMs === undefined) throw error;
      options.onRetry?.({ attempt, delayMs, error });
      await wait(delayMs, options.signal);
    }
  }
}
