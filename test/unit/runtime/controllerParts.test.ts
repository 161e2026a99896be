/** The pure and small parts the controller is wired from: probes, lease trust, the lease loop, lease timing. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CycleRecord } from '../../../src/runtime/cycleRunner.js';
import type { LeaseClock } from '../../../src/runtime/leaseClock.js';
import { LeaseLoop } from '../../../src/runtime/leaseLoop.js';
import { attemptRefusal, nextLeaseStepMs } from '../../../src/runtime/leaseTiming.js';
import { LeaseTrust } from '../../../src/runtime/leaseTrust.js';
import { cyclesReadiness, livenessProbe, readinessProbe } from '../../../src/runtime/probes.js';

describe('probes', () => {
  it('alive until a cycle has run more than twice the cycle timeout', () => {
    expect(livenessProbe({ phase: 'running', busyMs: undefined, cycleTimeoutMs: 1000 })).toEqual({
      ok: true,
      details: { phase: 'running' },
    });
    expect(livenessProbe({ phase: 'running', busyMs: 2000, cycleTimeoutMs: 1000 }).ok).toBe(true);
    const stuck = livenessProbe({ phase: 'running', busyMs: 2500, cycleTimeoutMs: 1000 });
    expect(stuck.ok).toBe(false);
    expect(stuck.details.reason).toMatch(/has run 3 s, more than twice the cycle timeout/);
  });

  it('cycles: not ready from `threshold` failures in a row; shows the last cycle', () => {
    const last = { outcome: 'failed', finishedAt: new Date('2027-01-01T00:00:00Z') } as CycleRecord;
    expect(cyclesReadiness(2, 3, undefined)).toEqual({ ok: true, consecutiveFailures: 2, threshold: 3 });
    expect(cyclesReadiness(3, 3, last)).toEqual({
      ok: false,
      consecutiveFailures: 3,
      threshold: 3,
      last: { outcome: 'failed', finishedAt: '2027-01-01T00:00:00.000Z' },
    });
  });

  it('ready only while running with every part ok', () => {
    const ok = { ok: true };
    const base = { phase: 'running', leader: true, policies: ok, cycles: ok, lease: ok };
    expect(readinessProbe(base)).toEqual({
      ok: true,
      details: { phase: 'running', leader: true, policies: ok, cycles: ok, lease: ok },
    });
    expect(readinessProbe({ ...base, phase: 'starting' }).ok).toBe(false);
    expect(readinessProbe({ ...base, lease: { ok: false } }).ok).toBe(false);
    expect(readinessProbe({ ...base, policies: { ok: false } }).ok).toBe(false);
    expect(readinessProbe({ ...base, cycles: { ok: false } }).ok).toBe(false);
  });
});

class TestTrust extends LeaseTrust {
  readonly held = (token: number, sentAt: number) => this.hold(token, sentAt);
  readonly dropped = () => this.drop();
  readonly lost = (reason: string) => this.announceLoss(reason);
}

describe('LeaseTrust', () => {
  let now = 0;
  const clock: LeaseClock = { wall: () => 0, monotonic: () => now };

  it('trusts a held token until the trust ends, by the monotonic clock', () => {
    now = 1000;
    const trust = new TestTrust(clock, 500);
    expect(trust.isLeader()).toBe(false);
    trust.held(7, 900);
    expect(trust.isLeader()).toBe(true);
    expect(trust.fencingToken).toBe(7);
    expect(trust.trustedWindowMs(7)).toBe(400);
    expect(trust.trustedWindowMs(6)).toBe(0);
    now = 1400;
    expect(trust.isLeader()).toBe(false);
    expect(trust.fencingToken).toBeUndefined();
    expect(trust.trustedWindowMs(7)).toBe(0);
  });

  it('drop returns the token held; losses reach the owner and every listener until unsubscribed', () => {
    const owner: string[] = [];
    const listener: string[] = [];
    const trust = new TestTrust(clock, 500, (reason) => owner.push(reason));
    const off = trust.whenLost((reason) => listener.push(reason));
    trust.held(3, now);
    expect(trust.dropped()).toBe(3);
    expect(trust.dropped()).toBeUndefined();
    expect(trust.isLeader()).toBe(false);
    trust.lost('expired');
    off();
    trust.lost('released');
    expect(owner).toEqual(['expired', 'released']);
    expect(listener).toEqual(['expired']);
  });
});

describe('LeaseLoop', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a step at once, then after the wait each step asks for, until stopped', async () => {
    vi.useFakeTimers();
    const steps: number[] = [];
    const loop = new LeaseLoop(async () => {
      steps.push(Date.now());
      return 100;
    });
    const start = Date.now();
    loop.start();
    loop.start();
    expect(loop.active).toBe(true);
    await vi.advanceTimersByTimeAsync(250);
    expect(steps.map((t) => t - start)).toEqual([0, 100, 200]);
    await loop.stop();
    expect(loop.active).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(steps).toHaveLength(3);
  });

  it('stop waits for the step in flight, and no step follows it', async () => {
    vi.useFakeTimers();
    let release: () => void = () => {};
    let steps = 0;
    const loop = new LeaseLoop(async () => {
      steps += 1;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return 10;
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(50);
    expect(stopped).toBe(false);
    release();
    await stopping;
    await vi.advanceTimersByTimeAsync(50);
    expect(steps).toBe(1);
  });
});

describe('lease timing: the loop and the attempt window', () => {
  const base = { intervalMs: 1000, wallNow: 50_000, random: () => 0.5 };

  it('a leader renews every interval; a follower adds up to 10 % jitter', () => {
    expect(nextLeaseStepMs({ ...base, leading: true, observedExpiresAt: 50_100 })).toBe(1000);
    expect(nextLeaseStepMs({ ...base, leading: false, observedExpiresAt: undefined })).toBe(1050);
  });

  it('a follower tries again as soon as the lease it saw expires, but not within 25 ms', () => {
    expect(nextLeaseStepMs({ ...base, leading: false, observedExpiresAt: 50_300 })).toBe(325);
    expect(nextLeaseStepMs({ ...base, leading: false, observedExpiresAt: 40_000 })).toBe(25);
    expect(nextLeaseStepMs({ ...base, leading: false, observedExpiresAt: 90_000 })).toBe(1050);
  });

  it('refuses an attempt past the window, or one that does not fit in it', () => {
    expect(attemptRefusal(-1, 0, 2000)).toMatch(/about to expire/);
    expect(attemptRefusal(999.5, 1000, 2000)).toBe(
      'the lease has 999 ms left before its expiry minus the 2000 ms skew margin, less than the 1000 ms one write attempt may take (the request timeout): the attempt is not started',
    );
    expect(attemptRefusal(1000, 1000, 2000)).toBeUndefined();
  });
});
