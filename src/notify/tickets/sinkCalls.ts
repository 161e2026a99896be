import type { Logger } from 'pino';
import { errorFacts, type Scrub } from '../redact.js';
import { type RetryPolicy, type RetryVerdict, withRetry } from '../retry.js';

/** A sink's API call by name, retried while transient; each retry logged (scrubbed). */
export type RetryingCall = <T>(operation: string, fn: (attempt: number) => Promise<T>) => Promise<T>;

/**
 * Wraps a tracker's API calls in the notify retry policy, with the tracker's own verdict on its
 * errors (`service` names it in the log: "GitHub call failed; retrying").
 */
export function retryingCalls(
  service: string,
  classify: (error: unknown) => RetryVerdict,
  options: { retry: RetryPolicy; scrub: Scrub },
  log: Logger,
): RetryingCall {
  return (operation, fn) =>
    withRetry(fn, classify, options.retry, ({ attempt, delayMs, error }) =>
      log.warn(
        { operation, attempt, delayMs, error: errorFacts(error, options.scrub) },
        `${service} call failed; retrying`,
      ),
    );
}
