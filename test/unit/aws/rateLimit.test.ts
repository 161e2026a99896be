import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/aws/rateLimit.js';

describe('createRateLimiter', () => {
  it('never starts more than the rate in any one-second window (a sliding window, not fixed seconds)', async () => {
    const limiter = createRateLimiter(4);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, () => limiter.add(async () => void starts.push(Date.now()))),
    );
    expect(starts).toHaveLength(10);
    for (const t of starts) {
      // 950 ms, not 1000: timers may fire a few ms early; a fixed-window burst puts 8 within a few ms.
      expect(starts.filter((u) => u >= t && u < t + 950).length).toBeLessThanOrEqual(4);
    }
  });
});
