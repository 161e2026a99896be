import type { Logger } from 'pino';
import { EdaguardError } from '../errors.js';
import { LeaseCalls, type LeaseHealth } from './leaseCalls.js';
import { systemClock } from './leaseClock.js';
import {
  acquireCommand,
  checkCommand,
  errorName,
  isConditionFailure,
  itemOfConditionFailure,
  type LeaseItemRef,
  releaseCommand,
  renewCommand,
} from './leaseCommands.js';
import { LeaseLoop } from './leaseLoop.js';
import type { LeaseOptions } from './leaseOptions.js';
import {
  foreignTarget,
  LeaseLostError,
  type LeaseRecord,
  type LeaseTarget,
  LeaseUnverifiedError,
  leaseKey,
  parseLeaseItem,
} from './leaseRecord.js';
import {
  attemptRefusal,
  attemptWindowMs,
  type LeaseGrant,
  leaseCallDeadlineMs,
  leaseSkewMarginMs,
  nextLeaseStepMs,
} from './leaseTiming.js';
import { LeaseTrust } from './leaseTrust.js';

export type { LeaseHealth } from './leaseCalls.js';
export type { LeaseClock } from './leaseClock.js';
export type { LeaseOptions } from './leaseOptions.js';
export {
  LeaseLostError,
  type LeaseRecord,
  type LeaseTarget,
  LeaseUnverifiedError,
  leaseKey,
  parseLeaseItem,
  writeTargets,
} from './leaseRecord.js';
export type { LeaseGrant } from './leaseTiming.js';

/**
 * Leader election with a lease in DynamoDB, one lease per target (account and region), in the
 * state table that other records (`history#…`) will share: every item here is addressed by its
 * own key and written with a condition, never scanned or assumed alone.
 *
 * The lease item: `pk = lease#<accountId>/<region>`, `recordType = lease`, `holder`, `token` (the
 * fencing token: +1 on every acquisition, never reset: the item is never deleted),
 * `leaseExpiresAt` (epoch ms), `acquiredAt`, `renewedAt`, `leaseDurationMs`. The expiry is
 * deliberately not named `expiresAt`, the table's TTL attribute (epoch seconds) that other
 * records expire by: the lease item must never expire, or its fencing token would start over.
 *
 * Safety: every attempt of every write to AWS (retries included) goes out only after `verify()`,
 * a consistent read that the lease is still held by this replica with the token it acquired, with
 * time left for the whole attempt (leaseFence.ts, leaseTiming.ts). A paused leader whose lease a
 * follower took over sees another holder or a larger token and holds its writes back. Every lease
 * call has its own deadline, shorter than the renew interval.
 */
export class LeaderLease extends LeaseTrust {
  private readonly skewMs: number;
  private readonly calls: LeaseCalls;
  private readonly log: Logger;
  private readonly ref: LeaseItemRef;
  /** The lease as last seen held by another replica, to time the next attempt. */
  private observed: LeaseRecord | undefined;
  private readonly loop = new LeaseLoop(() => this.step());

  constructor(private readonly options: LeaseOptions) {
    const skewMs = options.skewMs ?? leaseSkewMarginMs(options.durationMs);
    super(options.clock ?? systemClock, options.durationMs - skewMs, options.onLost);
    this.skewMs = skewMs;
    this.calls = new LeaseCalls(options.callTimeoutMs ?? leaseCallDeadlineMs(options.renewIntervalMs), () =>
      this.clock.wall(),
    );
    this.ref = {
      table: options.table,
      key: { pk: { S: leaseKey(options.target) } },
      holderId: options.holderId,
    };
    this.log = options.logger.child({
      component: 'lease',
      lease: leaseKey(options.target),
      holder: options.holderId,
    });
  }

  get holderId(): string {
    return this.options.holderId;
  }

  /** The account and region whose writes this lease fences. */
  get target(): LeaseTarget {
    return this.options.target;
  }

  /** True while this replica holds a token, trusted or not (false once lost or released). */
  get holding(): boolean {
    return this.heldToken !== undefined;
  }

  health(): LeaseHealth {
    return this.calls.health();
  }

  /**
   * Takes the lease if nobody holds it, it expired, or this replica holds it (then with a new
   * token). Returns whether this replica now leads.
   */
  async tryAcquire(): Promise<boolean> {
    const t0 = this.clock.monotonic();
    const now = this.clock.wall();
    try {
      const out = await this.calls.run((o) =>
        this.options.dynamodb.send(acquireCommand(this.ref, now, this.options.durationMs), o),
      );
      const record = parseLeaseItem(out.Attributes);
      if (!record) throw new EdaguardError('LEASE_INVALID', 'the lease item came back without its fields');
      const wasLeader = this.heldToken !== undefined;
      this.hold(record.fencingToken, t0);
      this.observed = undefined;
      this.log.info(
        { fencingToken: record.fencingToken, expiresAt: new Date(record.expiresAt).toISOString() },
        wasLeader ? 're-acquired the lease with a new token' : 'acquired the lease: leading',
      );
      this.options.onAcquired?.(record.fencingToken);
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      this.observed = itemOfConditionFailure(error);
      this.log.debug(
        {
          leader: this.observed?.holder,
          expiresAt: this.observed ? new Date(this.observed.expiresAt).toISOString() : undefined,
        },
        'the lease is held by another replica',
      );
      return false;
    }
  }

  /** Extends the lease this replica holds (same token). Returns whether it still leads. */
  async renew(): Promise<boolean> {
    const token = this.heldToken;
    if (token === undefined) return false;
    const t0 = this.clock.monotonic();
    const now = this.clock.wall();
    try {
      await this.calls.run((o) =>
        this.options.dynamodb.send(renewCommand(this.ref, token, now, this.options.durationMs), o),
      );
      this.hold(token, t0);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) {
        const current = itemOfConditionFailure(error);
        this.observed = current;
        this.lose(`another replica holds the lease now (${current?.holder ?? 'unknown'})`);
        return false;
      }
      this.log.warn({ err: error }, 'could not renew the lease; retrying');
      if (!this.isLeader()) this.lose('the lease expired before it could be renewed');
      return this.isLeader();
    }
  }

  /**
   * The cheap check before a write is started (no DynamoDB call): this replica trusts its lease,
   * and the write names only the lease's target. Throws to hold the write back.
   */
  checkWrite(write?: unknown): void {
    if (!this.isLeader()) throw new LeaseLostError('this replica does not hold the lease');
    if (write === undefined) return;
    const foreign = foreignTarget(write, this.options.target);
    if (foreign) {
      const { accountId, region } = this.options.target;
      throw new LeaseLostError(
        `the write is for ${foreign.accountId}/${foreign.region}, not for the lease's target ${accountId}/${region}`,
      );
    }
  }

  /**
   * The fencing check before every attempt of a write: `checkWrite`, then a consistent read that
   * this replica still holds the lease with the same token, with time left for the whole attempt
   * (`attemptTimeoutMs`, the request timeout) before the expiry minus the skew margin. Throws to
   * hold the attempt back; returns the token and the attempt's window.
   */
  async verify(write?: unknown, attemptTimeoutMs = 0): Promise<LeaseGrant> {
    this.checkWrite(write);
    const token = this.heldToken as number;
    let record: LeaseRecord | undefined;
    try {
      const out = await this.calls.run((o) => this.options.dynamodb.send(checkCommand(this.ref), o));
      record = parseLeaseItem(out.Item);
    } catch (error) {
      const why = this.calls.lastError ?? errorName(error);
      throw new LeaseUnverifiedError(`could not check the lease before writing: ${why}`, { cause: error });
    }
    if (!record || record.holder !== this.options.holderId || record.fencingToken !== token) {
      this.lose(
        `another replica holds the lease now (${record?.holder ?? 'none'}, token ${record?.fencingToken ?? '-'})`,
      );
      throw new LeaseLostError(
        `lease lost: held by ${record?.holder ?? 'nobody'} with token ${record?.fencingToken ?? '-'}, this replica had token ${token}`,
      );
    }
    const windowMs = attemptWindowMs({
      expiresAt: record.expiresAt,
      wallNow: this.clock.wall(),
      trustedUntil: this.trustedUntil(token),
      monotonicNow: this.clock.monotonic(),
      skewMarginMs: this.skewMs,
    });
    const refusal = attemptRefusal(windowMs, attemptTimeoutMs, this.skewMs);
    if (refusal) throw new LeaseLostError(refusal);
    return { fencingToken: token, windowMs };
  }

  /** Gives the lease up (leaseExpiresAt = 0) so a follower takes over at its next attempt. */
  async release(): Promise<void> {
    const token = this.drop();
    if (token === undefined) return;
    try {
      await this.calls.run((o) =>
        this.options.dynamodb.send(releaseCommand(this.ref, token, this.clock.wall()), o),
      );
      this.log.info({ fencingToken: token }, 'released the lease');
    } catch (error) {
      if (!isConditionFailure(error)) {
        this.log.warn({ err: error }, 'could not release the lease; it expires by itself');
      }
    }
    this.announceLoss('released');
  }

  /**
   * Renews the lease this replica holds, or notices that it expired before it could be renewed.
   * Returns whether this replica still leads.
   */
  async keep(): Promise<boolean> {
    if (this.heldToken === undefined) return false;
    if (this.isLeader()) return this.renew();
    this.lose('the lease expired before it could be renewed');
    return false;
  }

  /** Acquires and renews in the background until stop(). */
  start(): void {
    this.loop.start();
  }

  /** Stops the background loop; with `release`, gives the lease up (graceful shutdown). */
  async stop(options: { release: boolean } = { release: true }): Promise<void> {
    await this.loop.stop();
    if (options.release) await this.release();
  }

  /** One turn of the loop: renew (or notice the expiry), else try to acquire. Returns the next wait. */
  private async step(): Promise<number> {
    try {
      await this.keep();
      if (this.heldToken === undefined && this.loop.active) await this.tryAcquire();
    } catch (error) {
      this.log.warn({ err: error }, 'lease attempt failed; retrying');
    }
    return nextLeaseStepMs({
      intervalMs: this.options.renewIntervalMs,
      leading: this.heldToken !== undefined,
      observedExpiresAt: this.observed?.expiresAt,
      wallNow: this.clock.wall(),
      random: Math.random,
    });
  }

  private lose(reason: string): void {
    const token = this.drop();
    if (token === undefined) return;
    this.log.warn({ fencingToken: token, reason }, 'lost the lease: following');
    this.announceLoss(reason);
  }
}
