import type { MiddlewareStack } from '@smithy/types';
import PQueue from 'p-queue';

/** At most `perSecond` request attempts start in any one-second window. */
export function createRateLimiter(perSecond: number): PQueue {
  // strict: a sliding window, so no burst straddles two fixed windows (16 starts in 743 ms were
  // seen at 15/s with fixed windows in the benchmark). The window is 5% longer than a second:
  // timers fire early by a few ms and signing delays some requests, and the quota is per second.
  return new PQueue({ intervalCap: Math.max(1, Math.floor(perSecond)), interval: 1050, strict: true });
}

/**
 * CloudWatch's per-account, per-region quotas (transactions per second) for the calls edaguard
 * makes. edaguard stays at or under them so that a cycle creating many alarms does not throttle
 * dashboards, deploy pipelines and other tools sharing the quota.
 */
export const CLOUDWATCH_REQUESTS_PER_SECOND: Readonly<Record<string, number>> = {
  PutMetricAlarm: 3,
  DescribeAlarms: 9,
};

/** Which limiter an operation waits for; undefined: none. */
export type LimiterForOperation = (operation: string) => PQueue | undefined;

/** One limiter for every operation of a service (Lambda: one control-plane quota for all calls). */
export function serviceRateLimit(perSecond: number): LimiterForOperation {
  const limiter = createRateLimiter(perSecond);
  return () => limiter;
}

/** One limiter per named operation (CloudWatch: each API has its own quota); others unlimited. */
export function operationRateLimits(perSecond: Readonly<Record<string, number>>): LimiterForOperation {
  const limiters = new Map(Object.entries(perSecond).map(([op, rate]) => [op, createRateLimiter(rate)]));
  return (operation) => limiters.get(operation);
}

/**
 * Every attempt (retries included: they count against the service quota too) waits for a slot.
 * Added innermost (deserialize step, low priority): after retries and signing, right before the
 * request is sent, so the limit holds for what AWS receives.
 */
export function attachRateLimit(
  // biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input and output types
  stack: MiddlewareStack<any, any>,
  limiterFor: LimiterForOperation,
): void {
  stack.add(
    (next, context) => async (args) => {
      const limiter = limiterFor(String(context.commandName ?? '').replace(/Command$/, ''));
      if (!limiter) return next(args);
      return (await limiter.add(() => next(args))) as Awaited<ReturnType<typeof next>>;
    },
    { step: 'deserialize', priority: 'low', name: 'edaguardRateLimit' },
  );
}
