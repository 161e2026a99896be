import { describe, expect, it } from 'vitest';
import {
  fullJitter,
  RetryAbortedError,
  type RetryVerdict,
  retry,
  retryAfterDelay,
  sleep,
} from '../../../src/retry/backoff.js';

const timing = { baseDelayMs: 100, maxDelayMs: 1000 };

describe('fullJitter', () => {
  it.each<{ retry: number; random: number; delay: number }>([
    { retry: 0, random: 0, delay: 0 },
    { retry: 0, random: 0.5, delay: 50 },
    { retry: 0, random: 0.999, delay: 99 },
    { retry: 2, random: 0.5, delay: 200 },
    { retry: 3, random: 0.999, delay: 799 },
    { retry: 4, random: 0.999, delay: 999 },
    { retry: 30, random: 0.5, delay: 500 },
  ])('retry $retry, random $random → $delay ms', ({ retry: n, random, delay }) => {
    expect(fullJitter(n, timing, () => random)).toBe(delay);
  });

  it('stays in [0, min(cap, base·2^n)) for any random', () => {
    for (let n = 0; n < 12; n += 1) {
      const delay = fullJitter(n, timing);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(1000, 100 * 2 ** n));
    }
  });
});

describe('retryAfterDelay', () => {
  it('waits Retry-After plus up to one base step', () => {
    expect(retryAfterDelay(3000, timing, () => 0)).toBe(3000);
    expect(retryAfterDelay(3000, timing, () => 0.5)).toBe(3050);
  });
});

describe('retry', () => {
  const failing = (errors: unknown[]) => {
    const seen: number[] = [];
    return {
      seen,
      fn: async (attempt: number) => {
        seen.push(attempt);
        const error = errors.shift();
        if (error !== undefined) throw error;
        return 'ok';
      },
    };
  };
  const classify = (e: unknown): RetryVerdict => {
    const { status, retryAfterMs } = e as { status: number; retryAfterMs?: number };
    return {
      retry: status >= 500 || status === 429,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  };

  it('retries with full-jitter waits, passing the attempt number, then succeeds', async () => {
    const waits: number[] = [];
    const op = failing([{ status: 500 }, { status: 503 }, { status: 500 }]);
    const result = await retry(op.fn, {
      ...timing,
      attempts: 4,
      classify,
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result).toBe('ok');
    expect(op.seen).toEqual([1, 2, 3, 4]);
    expect(waits).toEqual([50, 100, 200]);
  });

  it('reports each retry', async () => {
    const events: { attempt: number; delayMs: number }[] = [];
    const op = failing([{ status: 500 }]);
    await retry(op.fn, {
      ...timing,
      attempts: 2,
      classify,
      random: () => 0,
      sleep: async () => {},
      onRetry: ({ attempt, delayMs }) => events.push({ attempt, delayMs }),
    });
    expect(events).toEqual([{ attempt: 1, delayMs: 0 }]);
  });

  it('waits Retry-After, and gives up when it is longer than allowed', async () => {
    const waits: number[] = [];
    const options = {
      ...timing,
      attempts: 3,
      classify,
      random: () => 0,
      maxRetryAfterMs: 5000,
      sleep: async (ms: number) => void waits.push(ms),
    };
    await retry(failing([{ status: 429, retryAfterMs: 2000 }]).fn, options);
    expect(waits).toEqual([2000]);
    const tooLong = { status: 429, retryAfterMs: 60_000 };
    await expect(retry(failing([tooLong]).fn, options)).rejects.toBe(tooLong);
    expect(waits).toEqual([2000]);
  });

  it('throws a permanent error at once, and the last error when attempts are spent', async () => {
    const permanent = failing([{ status: 404 }]);
    const options = { ...timing, attempts: 2, classify, sleep: async () => {} };
    await expect(retry(permanent.fn, options)).rejects.toEqual({ status: 404 });
    expect(permanent.seen).toEqual([1]);
    const last = { status: 500, n: 2 };
    const transient = failing([{ status: 500, n: 1 }, last]);
    await expect(retry(transient.fn, options)).rejects.toBe(last);
    expect(transient.seen).toEqual([1, 2]);
  });

  it('uses a given delay function instead of full jitter', async () => {
    const waits: number[] = [];
    await retry(failing([{ status: 500, retryAfterMs: 7 }]).fn, {
      ...timing,
      attempts: 2,
      classify,
      delay: (attempt, retryAfterMs) => attempt * 1000 + (retryAfterMs ?? 0),
      sleep: async (ms) => void waits.push(ms),
    });
    expect(waits).toEqual([1007]);
  });

  it('stops before the next attempt once aborted', async () => {
    const controller = new AbortController();
    const op = failing([{ status: 500 }, { status: 500 }]);
    const attempt = retry(op.fn, {
      ...timing,
      attempts: 5,
      classify,
      signal: controller.signal,
      sleep: async () => controller.abort(new Error('shutdown')),
    });
    await expect(attempt).rejects.toBeInstanceOf(RetryAbortedError);
    expect(op.seen).toEqual([1]);
  });

  it('cuts a real wait short when aborted', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const attempt = retry(failing([{ status: 500 }]).fn, {
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      attempts: 2,
      classify,
      random: () => 0.99,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 10);
    await expect(attempt).rejects.toMatchObject({ code: 'RETRY_ABORTED' });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('sleep', () => {
  it('resolves after the wait, and rejects at once on an aborted signal', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    await expect(sleep(1000, AbortSignal.abort())).rejects.toBeInstanceOf(RetryAbortedError);
  });
});
