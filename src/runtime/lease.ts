import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import { EdaguardError } from '../errors.js';
import { LeaseCalls, type LeaseHealth } from './leaseCalls.js';
import {
  acquireCommand,
  checkCommand,
  type LeaseItemRef,
  releaseCommand,
  renewCommand,
} from './leaseCommands.js';
import {
  foreignTarget,
  LeaseLostError,
  type LeaseRecord,
  type LeaseTarget,
  LeaseUnverifiedError,
  leaseKey,
  parseLeaseItem,
} from './leaseRecord.js';
import { attemptFits, attemptWindowMs, leaseCallDeadlineMs, leaseSkewMarginMs } from './leaseTiming.js';

export type { LeaseHealth } from './leaseCalls.js';
export {
  LeaseLostError,
  type LeaseRecord,
  type LeaseTarget,
  LeaseUnverifiedError,
  leaseKey,
  parseLeaseItem,
  writeTargets,
} from './leaseRecord.js';
export { createStateTable, describeStateTable } from './stateTable.js';

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
export interface LeaseClock {
  /** Wall-clock epoch ms: what is written to and compared with `expiresAt`. */
  wall(): number;
  /** Monotonic ms: how long this replica itself trusts its lease. */
  monotonic(): number;
}

const systemClock: LeaseClock = { wall: () => Date.now(), monotonic: () => performance.now() };

export interface LeaseOptions {
  dynamodb: DynamoDBClient;
  table: string;
  target: LeaseTarget;
  holderId: string;
  durationMs: number;
  renewIntervalMs: number;
  logger: Logger;
  /**
   * Replicas' clocks may differ by this much: the leader stops trusting its lease this long before
   * it expires, and a write needs at least this much time left on it. Default: min(2 s, 10 %).
   */
  skewMs?: number;
  /** Deadline of one lease call, its attempts together. Default: half the renew interval. */
  callTimeoutMs?: number;
  clock?: LeaseClock;
  onAcquired?: (fencingToken: number) => void;
  onLost?: (reason: string) => void;
}

const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';
const isConditionFailure = (error: unknown) => errorName(error) === 'ConditionalCheckFailedException';

/** What the check before a write attempt found: the token, and how long the attempt may take. */
export interface LeaseGrant {
  readonly fencingToken: number;
  /** Until the expiry minus the skew margin, by the earlier of both clocks. */
  readonly windowMs: number;
}

export class LeaderLease {
  private readonly clock: LeaseClock;
  private readonly skewMs: number;
  private readonly calls: LeaseCalls;
  private readonly log: Logger;
  private readonly lossListeners = new Set<(reason: string) => void>();
  private readonly ref: LeaseItemRef;
  private token: number | undefined;
  /** Monotonic ms until which this replica trusts its lease. */
  private validUntil = 0;
  /** The lease as last seen held by another replica, to time the next attempt. */
  private observed: LeaseRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;

  constructor(private readonly options: LeaseOptions) {
    this.clock = options.clock ?? systemClock;
    this.skewMs = options.skewMs ?? leaseSkewMarginMs(options.durationMs);
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

  /** The token of the lease this replica holds, while it trusts it. */
  get fencingToken(): number | undefined {
    return this.isLeader() ? this.token : undefined;
  }

  /** True while this replica holds the lease by its own (monotonic) clock. */
  isLeader(): boolean {
    return this.token !== undefined && this.clock.monotonic() < this.validUntil;
  }

  /**
   * How much longer this replica trusts the lease it holds with `token` (0: not at all): the
   * window of a write attempt in flight, extended by every renewal.
   */
  trustedWindowMs(token: number): number {
    if (this.token !== token) return 0;
    return Math.max(0, this.validUntil - this.clock.monotonic());
  }

  /** Calls `listener` each time this replica stops leading. Returns a function that unsubscribes. */
  whenLost(listener: (reason: string) => void): () => void {
    this.lossListeners.add(listener);
    return () => this.lossListeners.delete(listener);
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
      const wasLeader = this.token !== undefined;
      this.token = record.fencingToken;
      this.validUntil = t0 + this.options.durationMs - this.skewMs;
      this.observed = undefined;
      this.log.info(
        { fencingToken: record.fencingToken, expiresAt: new Date(record.expiresAt).toISOString() },
        wasLeader ? 're-acquired the lease with a new token' : 'acquired the lease: leading',
      );
      this.options.onAcquired?.(record.fencingToken);
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      this.observed = parseLeaseItem((error as { Item?: Record<string, AttributeValue> }).Item);
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
    if (this.token === undefined) return false;
    const t0 = this.clock.monotonic();
    const now = this.clock.wall();
    try {
      await this.calls.run((o) =>
        this.options.dynamodb.send(
          renewCommand(this.ref, this.token as number, now, this.options.durationMs),
          o,
        ),
      );
      this.validUntil = t0 + this.options.durationMs - this.skewMs;
      return true;
    } catch (error) {
      if (isConditionFailure(error)) {
        const current = parseLeaseItem((error as { Item?: Record<string, AttributeValue> }).Item);
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
    const token = this.token as number;
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
      trustedUntil: this.token === token ? this.validUntil : 0,
      monotonicNow: this.clock.monotonic(),
      skewMarginMs: this.skewMs,
    });
    if (windowMs < 0 || !attemptFits(windowMs, attemptTimeoutMs)) {
      throw new LeaseLostError(
        windowMs < 0
          ? 'the lease is about to expire; the write waits for a renewal'
          : `the lease has ${Math.floor(windowMs)} ms left before its expiry minus the ${this.skewMs} ms skew margin, ` +
              `less than the ${attemptTimeoutMs} ms one write attempt may take (the request timeout): the attempt is not started`,
      );
    }
    return { fencingToken: token, windowMs };
  }

  /** Gives the lease up (leaseExpiresAt = 0) so a follower takes over at its next attempt. */
  async release(): Promise<void> {
    if (this.token === undefined) return;
    const token = this.token;
    this.token = undefined;
    this.validUntil = 0;
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
    this.options.onLost?.('released');
    for (const listener of this.lossListeners) listener('released');
  }

  /** Acquires and renews in the background until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops the background loop; with `release`, gives the lease up (graceful shutdown). */
  async stop(options: { release: boolean } = { release: true }): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.running;
    if (options.release) await this.release();
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.running = this.step().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async step(): Promise<void> {
    try {
      if (this.token !== undefined) {
        if (this.isLeader()) await this.renew();
        else this.lose('the lease expired before it could be renewed');
      }
      if (this.token === undefined && this.started) await this.tryAcquire();
    } catch (error) {
      this.log.warn({ err: error }, 'lease attempt failed; retrying');
    }
    this.schedule(this.nextDelay());
  }

  /** A leader renews every interval; a follower tries again when the lease it saw expires. */
  private nextDelay(): number {
    const interval = this.options.renewIntervalMs;
    if (this.token !== undefined) return interval;
    const jitter = Math.random() * interval * 0.1;
    if (!this.observed) return interval + jitter;
    const untilExpiry = this.observed.expiresAt - this.clock.wall() + 25;
    return Math.max(25, Math.min(interval + jitter, untilExpiry));
  }

  private lose(reason: string): void {
    if (this.token === undefined) return;
    this.log.warn({ fencingToken: this.token, reason }, 'lost the lease: following');
    this.token = undefined;
    this.validUntil = 0;
    this.options.onLost?.(reason);
    for (const listener of this.lossListeners) listener(reason);
  }
}
