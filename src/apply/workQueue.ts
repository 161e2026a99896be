/**
 * The cycle's work queue: each item runs once, and an item whose attempt asks for it goes back
 * on the queue after a backoff with full jitter (`random(0, min(cap, base·2^round))`), as a
 * controller requeues a key, for at most `rounds` more attempts. What still asks for a retry when
 * its rounds are spent, or when the cycle is stopped, ends with the result it gave last.
 */
import pLimit from 'p-limit';
import { fullJitter } from '../retry/backoff.js';

/** An attempt's answer: finished, or worth another try (`next`), reporting `result` if none comes. */
export type Attempt<T, R> = { readonly done: R } | { readonly retry: R; readonly next: T };

export interface RequeueBackoff {
  readonly baseMs: number;
  readonly capMs: number;
}

export interface WorkQueueOptions<T = unknown> {
  /** Retries after the first attempt, at most, per item. */
  readonly rounds: number;
  /** Attempts in flight at once (waiting items hold no slot). */
  readonly concurrency: number;
  readonly backoff: RequeueBackoff;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter. */
  readonly random: () => number;
  /** Once aborted, nothing is requeued; a waiting item ends with its last result. */
  readonly signal?: AbortSignal;
  /** Told each time an item goes back on the queue (for the audit log). */
  readonly onRequeue?: (next: T, round: number, delayMs: number) => void;
}

/** The wait before retry number `round + 1`: full jitter under an exponential ceiling. */
export function requeueDelayMs(round: number, backoff: RequeueBackoff, random: () => number): number {
  return fullJitter(round, { baseDelayMs: backoff.baseMs, maxDelayMs: backoff.capMs }, random);
}

/** Sleeps, unless the signal aborts first: then returns false at once. */
async function waitUnlessAborted(
  ms: number,
  sleep: (ms: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<boolean> {
  if (!signal) {
    await sleep(ms);
    return true;
  }
  if (signal.aborted) return false;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([sleep(ms).then(() => !signal.aborted), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** Runs every item through `work` (with its requeues); the results come in the items' order. */
export async function drainWorkQueue<T, R>(
  items: readonly T[],
  work: (item: T, round: number) => Promise<Attempt<T, R>>,
  options: WorkQueueOptions<T>,
): Promise<R[]> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const settle = async (item: T, round: number): Promise<R> => {
    const attempt = await limit(() => work(item, round));
    if ('done' in attempt) return attempt.done;
    if (round >= options.rounds || options.signal?.aborted) return attempt.retry;
    const delay = requeueDelayMs(round, options.backoff, options.random);
    options.onRequeue?.(attempt.next, round, delay);
    if (!(await waitUnlessAborted(delay, options.sleep, options.signal))) return attempt.retry;
    return settle(attempt.next, round + 1);
  };
  return Promise.all(items.map((item) => settle(item, 0)));
}
