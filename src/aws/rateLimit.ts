import type { MiddlewareStack } from '@smithy/types';
import PQueue from 'p-queue';

/** At most `perSecond` request attempts start in any one-second window. */
export function createRateLimiter(perSecond: number): PQueue {
  // strict: a sliding window, so no burst straddles two fixed windows (16 starts in 743 ms were
  // seen at 15/s with fixed windows in the benchmark).
  return new PQueue({ intervalCap: Math.max(1, Math.floor(perSecond)), interval: 1000, strict: true });
}

/**
 * Every attempt (retries included: they count against the service quota too) waits for a slot.
 * Added at the finalizeRequest step, inside the retry loop.
 */
export function attachRateLimit(
  // biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input and output types
  stack: MiddlewareStack<any, any>,
  limiter: PQueue,
): void {
  stack.add(
    (next) => async (args) => (await limiter.add(() => next(args))) as Awaited<ReturnType<typeof next>>,
    {
      step: 'finalizeRequest',
      name: 'edaguardRateLimit',
    },
  );
}
