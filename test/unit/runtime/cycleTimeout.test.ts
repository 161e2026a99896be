import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CycleStopError, cycleDeadline } from '../../../src/runtime/cycleTimeout.js';

describe('cycleDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts the signal with a timeout reason once the cycle has run its time', () => {
    const deadline = cycleDeadline(5000);
    vi.advanceTimersByTime(4999);
    expect(deadline.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.reason()?.why).toBe('timeout');
    expect(deadline.signal.reason).toBeInstanceOf(CycleStopError);
    expect((deadline.signal.reason as CycleStopError).code).toBe('CYCLE_TIMEOUT');
    expect(deadline.reason()?.message).toBe('cycle timed out after 5 s: writes not yet started are deferred');
  });

  it('stop() aborts at once; the first reason wins over a later timeout', () => {
    const deadline = cycleDeadline(5000);
    deadline.stop(new CycleStopError('shutdown', 'SIGTERM'));
    vi.advanceTimersByTime(10_000);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.reason()?.why).toBe('shutdown');
    expect((deadline.signal.reason as CycleStopError).code).toBe('CYCLE_STOPPED');
  });

  it('dispose() clears the timer: a finished cycle is never aborted afterwards', () => {
    const deadline = cycleDeadline(1000);
    deadline.dispose();
    vi.advanceTimersByTime(5000);
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.reason()).toBeUndefined();
  });
});
