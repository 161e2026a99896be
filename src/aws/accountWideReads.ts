import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { MiddlewareStack } from '@smithy/types';
import { fullJitterDelay, type RetryTiming } from './retry.js';

/**
 * The reads whose failure costs the whole cycle: without them discovery cannot know what the
 * policies select (tag queries), who consumes a queue (mappings, functions), who invokes a function
 * (SNS, EventBridge, S3) or which alarms exist. A per-resource read that fails costs only that
 * resource (and discovery requeues it: src/discovery/readRequeue.ts); one of these costs every
 * resource, so each call gets more persistence here. Listings go through the SDK's paginators, so
 * each page is one call and gets its own rounds.
 */
export const ACCOUNT_WIDE_READS = {
  tagging: ['GetResources'],
  lambda: ['ListFunctions', 'ListEventSourceMappings'],
  sns: ['ListSubscriptions'],
  eventbridge: ['ListEventBuses', 'ListRules', 'ListTargetsByRule'],
  s3: ['ListBuckets', 'GetBucketNotificationConfiguration'],
  cloudwatch: ['DescribeAlarms'],
} as const;

/** Extra rounds of the SDK's attempts for an account-wide read still failing with a retryable error. */
export const ACCOUNT_WIDE_EXTRA_ROUNDS = 3;

/**
 * Re-runs a listed read, whole (the SDK's retries included), up to `extraRounds` more times
 * while it fails with throttling or a transient error, with full-jitter waits between rounds.
 * Outermost (initialize step), so each round is a fresh SDK call: rate limits and the call
 * counter see every attempt.
 */
export function attachAccountWideReadRounds(
  // biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input and output types
  stack: MiddlewareStack<any, any>,
  operations: readonly string[],
  timing: RetryTiming,
  extraRounds = ACCOUNT_WIDE_EXTRA_ROUNDS,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): void {
  const listed = new Set(operations);
  stack.add(
    (next, context) => async (args) => {
      if (!listed.has(String(context.commandName ?? '').replace(/Command$/, ''))) return next(args);
      for (let round = 0; ; round++) {
        try {
          return await next(args);
        } catch (error) {
          const e = error as Parameters<typeof isThrottlingError>[0];
          const retryable = isThrottlingError(e) || isTransientError(e);
          if (!retryable || round >= extraRounds) throw error;
          const base = isThrottlingError(e) ? timing.throttlingBaseDelayMs : timing.baseDelayMs;
          // Rounds continue the backoff where the SDK's attempts stopped.
          await sleep(fullJitterDelay(round + 2, base, timing.maxDelayMs));
        }
      }
    },
    { step: 'initialize', priority: 'high', name: 'edaguardAccountWideReadRounds' },
  );
}
