import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeaseLostError } from '../../../src/runtime/lease.js';
import { LeaseWriteFence, watchAttempt } from '../../../src/runtime/leaseFence.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A lease as the fence sees it: how long it is still trusted, and its losses. */
function fakeLease(trustedFor: number) {
  const listeners = new Set<(reason: string) => void>();
  let until = Date.now() + trustedFor;
  return {
    trustedWindowMs: (token: number) => (token === 7 ? Math.max(0, until - Date.now()) : 0),
    whenLost(listener: (reason: string) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    renew(ms: number) {
      until = Date.now() + ms;
    },
    lose(reason: string) {
      for (const l of listeners) l(reason);
    },
    listeners,
  };
}

describe('watchAttempt: an attempt in flight ends with the lease', () => {
  it('is aborted when the trusted time runs out without a renewal', async () => {
    vi.useFakeTimers();
    const lease = fakeLease(1_000);
    const guard = watchAttempt(lease, 7, 1_000, 'SQS.CreateQueue');
    await vi.advanceTimersByTimeAsync(999);
    expect(guard.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(guard.signal.aborted).toBe(true);
    expect(guard.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(String(guard.signal.reason.message)).toMatch(
      /^the lease expired without a renewal while SQS\.CreateQueue was in flight: the attempt was aborted/,
    );
  });

  it('a renewal meanwhile extends the attempt’s time', async () => {
    vi.useFakeTimers();
    const lease = fakeLease(1_000);
    const guard = watchAttempt(lease, 7, 1_000, 'SQS.CreateQueue');
    await vi.advanceTimersByTimeAsync(600);
    lease.renew(1_000);
    await vi.advanceTimersByTimeAsync(900);
    expect(guard.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(guard.signal.aborted).toBe(true);
  });

  it('is aborted at once when the lease is lost; done() stops watching', async () => {
    vi.useFakeTimers();
    const lease = fakeLease(10_000);
    const guard = watchAttempt(lease, 7, 10_000, 'Lambda.UpdateEventSourceMapping');
    lease.lose('another replica holds the lease now (b)');
    expect(guard.signal.aborted).toBe(true);
    expect(guard.signal.reason.message).toMatch(
      /^lost the lease \(another replica holds the lease now \(b\)\) while Lambda\.UpdateEventSourceMapping was in flight/,
    );
    const other = watchAttempt(lease, 7, 10_000, 'SQS.CreateQueue');
    other.done();
    expect(lease.listeners.size).toBe(1); // the first guard's, never done
    await vi.advanceTimersByTimeAsync(20_000);
    expect(other.signal.aborted).toBe(false);
  });
});

describe('LeaseWriteFence', () => {
  it('refuses every write before there is a lease', async () => {
    const fence = new LeaseWriteFence(() => undefined, 15_000);
    await expect(
      fence.beforeAttempt({ service: 'SQS', operation: 'CreateQueue', input: {} }),
    ).rejects.toThrow(LeaseLostError);
  });
});
