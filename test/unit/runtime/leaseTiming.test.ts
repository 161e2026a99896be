import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  attemptFits,
  attemptWindowMs,
  checkLeaseCoversWriteAttempt,
  leaseCallDeadlineMs,
  leaseClientSettings,
  leaseSkewMarginMs,
  minimumLeaseDurationMs,
} from '../../../src/runtime/leaseTiming.js';

describe('lease deadline arithmetic', () => {
  it('the skew margin is min(2 s, 10 % of the lease)', () => {
    expect([3_000, 20_000, 30_000, 600_000].map(leaseSkewMarginMs)).toEqual([300, 2_000, 2_000, 2_000]);
  });

  it('the window of an attempt ends at the expiry minus the margin, by whichever clock ends it first', () => {
    const t = {
      expiresAt: 100_000,
      wallNow: 80_000,
      trustedUntil: 50_000,
      monotonicNow: 40_000,
      skewMarginMs: 2_000,
    };
    // Wall: 100 000 − 2 000 − 80 000 = 18 000; monotonic: 50 000 − 40 000 = 10 000.
    expect(attemptWindowMs(t)).toBe(10_000);
    expect(attemptWindowMs({ ...t, wallNow: 95_000 })).toBe(3_000);
  });

  it('an attempt starts only when expiry − now ≥ request timeout + margin', () => {
    const window = (expiresIn: number) =>
      attemptWindowMs({
        expiresAt: 1_000_000 + expiresIn,
        wallNow: 1_000_000,
        trustedUntil: Number.POSITIVE_INFINITY,
        monotonicNow: 0,
        skewMarginMs: 2_000,
      });
    expect(attemptFits(window(17_000), 15_000)).toBe(true);
    expect(attemptFits(window(16_999), 15_000)).toBe(false);
    expect(attemptFits(window(1_000), 0)).toBe(false);
  });

  it('lease calls have a deadline shorter than the renew interval, and clients that keep to it', () => {
    expect(leaseCallDeadlineMs(10_000)).toBe(5_000);
    expect(leaseCallDeadlineMs(100)).toBe(50);
    const settings = {
      region: 'us-east-1',
      maxAttempts: 3,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 15_000,
      maxChanges: 7,
    };
    const lease = leaseClientSettings(settings, 10_000);
    expect(lease).toMatchObject({
      maxAttempts: 2,
      requestTimeoutMs: 5_000,
      connectionTimeoutMs: 3_000,
      maxChanges: 7,
    });
    expect(lease.retryTiming?.maxDelayMs).toBeLessThan(5_000);
  });
});

describe('the lease must cover one write attempt', () => {
  it('minimumLeaseDurationMs is the least d with d ≥ renew + request timeout + min(2 s, d/10)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 60_000 }),
        fc.integer({ min: 100, max: 120_000 }),
        (renew, timeout) => {
          const d = minimumLeaseDurationMs(renew, timeout);
          expect(d - leaseSkewMarginMs(d)).toBeGreaterThanOrEqual(renew + timeout - 1e-6);
          const shorter = d - 1;
          expect(shorter - leaseSkewMarginMs(shorter)).toBeLessThan(renew + timeout);
        },
      ),
    );
    // The defaults: 10 s + 15 s + 2 s.
    expect(minimumLeaseDurationMs(10_000, 15_000)).toBe(27_000);
  });

  it('the defaults (30 s lease, renewed every 10 s, 15 s request timeout) pass', () => {
    expect(() =>
      checkLeaseCoversWriteAttempt(
        { leaderElection: true, leaseDurationMs: 30_000, leaseRenewIntervalMs: 10_000 },
        { requestTimeoutMs: 15_000 },
      ),
    ).not.toThrow();
  });

  it('a shorter lease is refused with a ConfigError naming the settings and the formula', () => {
    const attempt = () =>
      checkLeaseCoversWriteAttempt(
        { leaderElection: true, leaseDurationMs: 10_000, leaseRenewIntervalMs: 3_333 },
        { requestTimeoutMs: 15_000 },
      );
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      'leaseDuration (--lease-duration, EDAGUARD_LEASE_DURATION) of 10 s is too short for one write attempt: ' +
        'it must be at least leaseRenewInterval (--lease-renew-interval, EDAGUARD_LEASE_RENEW_INTERVAL, 3.333 s) ' +
        '+ requestTimeoutMs (EDAGUARD_REQUEST_TIMEOUT_MS, 15 s) + the clock-skew margin min(2 s, lease / 10) = 20.333 s; ' +
        'lengthen the lease or shorten the request timeout',
    );
  });

  it('without leader election there is no lease to check', () => {
    expect(() =>
      checkLeaseCoversWriteAttempt(
        { leaderElection: false, leaseDurationMs: 1_000, leaseRenewIntervalMs: 500 },
        { requestTimeoutMs: 15_000 },
      ),
    ).not.toThrow();
  });
});
