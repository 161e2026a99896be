import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  httpVerdict,
  parseRetryAfter,
  retryPolicy,
  withRetry,
} from '../../../src/notify/retry.js';

const NOW = Date.parse('2027-01-04T03:00:00Z');

describe('parseRetryAfter', () => {
  it.each<{ value: string | null | undefined; ms: number | undefined }>([
    { value: undefined, ms: undefined },
    { value: null, ms: undefined },
    { value: '0', ms: 0 },
    { value: '3', ms: 3000 },
    { value: ' 1.5 ', ms: 1500 },
    { value: 'Mon, 04 Jan 2027 03:00:07 GMT', ms: 7000 },
    { value: 'Mon, 04 Jan 2027 02:59:00 GMT', ms: 0 },
    { value: 'soon', ms: undefined },
  ])('$value → $ms ms', ({ value, ms }) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});

describe('httpVerdict', () => {
  it.each<{ status: number | undefined; retry: boolean }>([
    { status: undefined, retry: true },
    { status: 408, retry: true },
    { status: 429, retry: true },
    { status: 500, retry: true },
    { status: 503, retry: true },
    { status: 400, retry: false },
    { status: 401, retry: false },
    { status: 403, retry: false },
    { status: 404, retry: false },
    { status: 422, retry: false },
  ])('status $status: retry=$retry', ({ status, retry }) => {
    expect(httpVerdict(status).retry).toBe(retry);
  });

  it('keeps Retry-After', () => {
    expect(httpVerdict(429, '2')).toEqual({ retry: true, retryAfterMs: 2000 });
  });
});

describe('backoffDelay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };
  it.each<{ attempt: number; random: number; retryAfterMs?: number; delay: number }>([
    { attempt: 1, random: 0, delay: 0 },
    { attempt: 1, random: 0.999, delay: 99 },
    { attempt: 2, random: 0.5, delay: 100 },
    { attempt: 3, random: 0.5, delay: 200 },
    { attempt: 10, random: 0, delay: 0 },
    { attempt: 10, random: 0.999, delay: 999 },
    { attempt: 1, random: 0, retryAfterMs: 3000, delay: 3000 },
    { attempt: 1, random: 0.5, retryAfterMs: 3000, delay: 3050 },
  ])(
    'attempt $attempt, random $random, Retry-After $retryAfterMs → $delay ms',
    ({ attempt, random, retryAfterMs, delay }) => {
      expect(backoffDelay(attempt, { ...policy, random: () => random }, retryAfterMs)).toBe(delay);
    },
  );
});

describe('withRetry', () => {
  const failing = (errors: unknown[]) => {
    let calls = 0;
    return {
      calls: () => calls,
      fn: async () => {
        calls += 1;
        const error = errors.shift();
        if (error !== undefined) throw error;
        return 'ok';
      },
    };
  };
  const classify = (e: unknown) => httpVerdict((e as { status?: number }).status, (e as { ra?: string }).ra);

  it('retries transient errors with growing waits, then succeeds', async () => {
    const waits: number[] = [];
    const op = failing([{ status: 500 }, { status: 503 }]);
    const policy = retryPolicy({
      baseDelayMs: 10,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    });
    await expect(withRetry(op.fn, classify, policy)).resolves.toBe('ok');
    expect(op.calls()).toBe(3);
    expect(waits).toEqual([5, 10]);
  });

  it('waits at least Retry-After on 429', async () => {
    const waits: number[] = [];
    const op = failing([{ status: 429, ra: '2' }]);
    const policy = retryPolicy({
      baseDelayMs: 10,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0,
    });
    await withRetry(op.fn, classify, policy);
    expect(waits).toEqual([2000]);
  });

  it('gives up at once on a permanent error', async () => {
    const op = failing([{ status: 404 }]);
    await expect(withRetry(op.fn, classify, retryPolicy({ sleep: async () => {} }))).rejects.toEqual({
      status: 404,
    });
    expect(op.calls()).toBe(1);
  });

  it('gives up after the last attempt', async () => {
    const op = failing([{ status: 500 }, { status: 500 }, { status: 500 }]);
    await expect(
      withRetry(op.fn, classify, retryPolicy({ attempts: 2, sleep: async () => {} })),
    ).rejects.toEqual({
      status: 500,
    });
    expect(op.calls()).toBe(2);
  });

  it('does not wait for a Retry-After longer than allowed', async () => {
    const waits: number[] = [];
    const op = failing([{ status: 429, ra: '3600' }]);
    const policy = retryPolicy({ maxRetryAfterMs: 60_000, sleep: async (ms) => void waits.push(ms) });
    await expect(withRetry(op.fn, classify, policy)).rejects.toEqual({ status: 429, ra: '3600' });
    expect(waits).toEqual([]);
  });
});
