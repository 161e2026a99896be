import type { AwsClientSettings } from '../aws/clients.js';
import { ConfigError } from '../errors.js';

/**
 * The lease's time arithmetic, pure. Replicas compare wall clocks (a follower takes the lease once
 * its clock passes the expiry the leader wrote), so the leader stops trusting its lease, and stops
 * starting writes, a margin before that expiry: the clock-skew bound between replicas.
 */

/** The skew margin: min(2 s, 10 % of the lease). Replicas' clocks must differ by well under it. */
export function leaseSkewMarginMs(durationMs: number): number {
  return Math.min(2000, durationMs / 10);
}

/**
 * How long one lease call to DynamoDB (acquire, renew, the check before a write attempt) may take,
 * all of its attempts together: half the renew interval, so that a renewal that cannot get through
 * has given up, and said so, well before the next one is due.
 */
export function leaseCallDeadlineMs(renewIntervalMs: number): number {
  return Math.max(50, Math.floor(renewIntervalMs / 2));
}

/**
 * The lease's own DynamoDB client settings: attempts no longer than the call deadline, at most
 * two of them (a dropped connection is worth one quick retry), short backoff; the call deadline
 * (an abort signal on each call) bounds them together. Lease calls are small and the state table
 * is in the same region: a call that does not answer within that is better tried again at the next
 * renewal than waited for.
 */
export function leaseClientSettings<S extends AwsClientSettings>(
  settings: S,
  renewIntervalMs: number,
): S & Required<Pick<AwsClientSettings, 'retryTiming'>> {
  const deadline = leaseCallDeadlineMs(renewIntervalMs);
  return {
    ...settings,
    maxAttempts: Math.min(settings.maxAttempts, 2),
    requestTimeoutMs: Math.min(settings.requestTimeoutMs, deadline),
    connectionTimeoutMs: Math.min(settings.connectionTimeoutMs, deadline),
    retryTiming: { baseDelayMs: 20, throttlingBaseDelayMs: 50, maxDelayMs: Math.max(20, deadline / 10) },
  };
}

/** What the leader knows of its lease right after checking it in DynamoDB. */
export interface LeaseTimes {
  /** The expiry in the lease item (epoch ms, written by this replica's wall clock). */
  readonly expiresAt: number;
  readonly wallNow: number;
  /** Until when this replica trusts its lease by its own monotonic clock (expiry − margin). */
  readonly trustedUntil: number;
  readonly monotonicNow: number;
  readonly skewMarginMs: number;
}

/**
 * The time left in which a write attempt may still be in flight: up to the expiry minus the skew
 * margin, by the wall clock and by the monotonic one, whichever ends first.
 */
export function attemptWindowMs(t: LeaseTimes): number {
  return Math.min(t.expiresAt - t.skewMarginMs - t.wallNow, t.trustedUntil - t.monotonicNow);
}

/**
 * An attempt starts only when it can finish within the window: the request timeout bounds it.
 * That is: lease expiry − now ≥ request timeout + skew margin.
 */
export function attemptFits(windowMs: number, attemptTimeoutMs: number): boolean {
  return windowMs >= attemptTimeoutMs;
}

/**
 * The shortest lease that leaves a leader who renews on time room for a whole write attempt at
 * every moment: just before a renewal its lease has `duration − renew interval` left, and an
 * attempt needs `request timeout + margin`. So:
 *
 *   leaseDuration ≥ leaseRenewInterval + requestTimeout + min(2 s, leaseDuration / 10)
 *
 * A renewal slower than usual (up to the lease-call deadline) can then still defer a write to the
 * next cycle; never let one run past the lease.
 */
export function minimumLeaseDurationMs(renewIntervalMs: number, requestTimeoutMs: number): number {
  // d − min(2 s, d/10) grows with d, so the least d with d − margin ≥ r + t is the smaller of the
  // solutions with either margin: r + t + 2 s (margin 2 s) or (r + t)·10/9 (margin d/10).
  const busy = renewIntervalMs + requestTimeoutMs;
  return Math.min(busy + 2000, (busy * 10) / 9);
}

/** Refuses (at start) a lease too short for one write attempt; names the settings to change. */
export function checkLeaseCoversWriteAttempt(
  service: { leaderElection: boolean; leaseDurationMs: number; leaseRenewIntervalMs: number },
  settings: { requestTimeoutMs: number },
): void {
  if (!service.leaderElection) return;
  const needed = minimumLeaseDurationMs(service.leaseRenewIntervalMs, settings.requestTimeoutMs);
  if (service.leaseDurationMs + 1e-9 >= needed) return;
  const s = (ms: number) => `${Math.round(ms) / 1000} s`;
  throw new ConfigError(
    `leaseDuration (--lease-duration, EDAGUARD_LEASE_DURATION) of ${s(service.leaseDurationMs)} is too short for one write attempt: ` +
      `it must be at least leaseRenewInterval (--lease-renew-interval, EDAGUARD_LEASE_RENEW_INTERVAL, ${s(service.leaseRenewIntervalMs)}) ` +
      `+ requestTimeoutMs (EDAGUARD_REQUEST_TIMEOUT_MS, ${s(settings.requestTimeoutMs)}) + the clock-skew margin min(2 s, lease / 10) = ${s(Math.ceil(needed))}; ` +
      'lengthen the lease or shorten the request timeout',
  );
}

/** What the check before a write attempt found: the token, and how long the attempt may take. */
export interface LeaseGrant {
  readonly fencingToken: number;
  /** Until the expiry minus the skew margin, by the earlier of both clocks. */
  readonly windowMs: number;
}

/** Why a write attempt may not start in `windowMs` (attemptWindowMs), or undefined when it may. */
export function attemptRefusal(
  windowMs: number,
  attemptTimeoutMs: number,
  skewMarginMs: number,
): string | undefined {
  if (windowMs < 0) return 'the lease is about to expire; the write waits for a renewal';
  if (attemptFits(windowMs, attemptTimeoutMs)) return undefined;
  return (
    `the lease has ${Math.floor(windowMs)} ms left before its expiry minus the ${skewMarginMs} ms skew margin, ` +
    `less than the ${attemptTimeoutMs} ms one write attempt may take (the request timeout): the attempt is not started`
  );
}

/**
 * When the lease loop runs next. A leader renews every interval. A follower tries again after the
 * interval plus up to 10 % jitter (replicas that started together drift apart), or as soon as the
 * lease it saw held expires, if that is sooner (but not within 25 ms).
 */
export function nextLeaseStepMs(input: {
  intervalMs: number;
  leading: boolean;
  /** The expiry of the lease last seen held by another replica (epoch ms). */
  observedExpiresAt: number | undefined;
  wallNow: number;
  random: () => number;
}): number {
  const { intervalMs } = input;
  if (input.leading) return intervalMs;
  const jitter = input.random() * intervalMs * 0.1;
  if (input.observedExpiresAt === undefined) return intervalMs + jitter;
  const untilExpiry = input.observedExpiresAt - input.wallNow + 25;
  return Math.max(25, Math.min(intervalMs + jitter, untilExpiry));
}
