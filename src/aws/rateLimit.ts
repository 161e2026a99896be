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
 * Every attempt (retries included: they count against the service quota too) waits for a slot.
 * Added innermost (deserialize step, low priority): after retries and signing, right before the
 * request is sent, so the limit holds for what AWS receives.
 */
export function attachRateLimit(
  // biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input and output types
  stack: MiddlewareStack<any, any>,
  limiter: PQueue,
): void {
  stack.add(
    (next) => async (args) => (await limiter.add(() => next(args))) as Awaited<ReturnType<typeof next>>,
    { step: 'deserialize', priority: 'low', name: 'edaguardRateLimit' },
  );
}
