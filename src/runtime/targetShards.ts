import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import { sdk } from '../aws/sdk.js';
import { type TargetRef, targetId } from '../targets/targetRef.js';
import { LeaderLease } from './lease.js';
import { LeaseCalls } from './leaseCalls.js';
import { type LeaseClock, systemClock } from './leaseClock.js';
import { LeaseLoop } from './leaseLoop.js';
import { type LeaseRecord, leaseKey, parseLeaseItem } from './leaseRecord.js';
import { leaseCallDeadlineMs } from './leaseTiming.js';
import { beat, liveReplicas, pruneMember, readMembers } from './replicaHeartbeats.js';
import { planTargetShare } from './targetShare.js';

export interface TargetShardsOptions {
  dynamodb: DynamoDBClient;
  table: string;
  holderId: string;
  durationMs: number;
  renewIntervalMs: number;
  logger: Logger;
  clock?: LeaseClock;
  /** The targets governed now (the organisation is re-read now and then). */
  targets: () => readonly TargetRef[];
  /** Targets whose cycle runs now: given back last. */
  busy: () => ReadonlySet<string>;
  onAcquired: (target: TargetRef) => void;
  onLost: (target: TargetRef, reason: string) => void;
}

/** Entries of replicas silent this long are removed from the heartbeat item. */
const PRUNE_AFTER_DURATIONS = 3;
const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 3;
const UNKNOWN_HOLDER: LeaseRecord = {
  holder: 'unknown',
  fencingToken: 0,
  expiresAt: Number.POSITIVE_INFINITY,
};

/**
 * The leases of `edaguard run` over many targets: one lease per target (lease.ts, the same item
 * and fencing as with one target), shared among the live replicas (targetShare.ts). Each step,
 * every renew interval: write this replica's heartbeat, read who is live, renew the leases held,
 * read every target's lease item, give back what is over this replica's quota and take free
 * leases up to it. A join or a leave therefore moves leases within a renew interval of being
 * seen, and a killed replica's leases within one lease duration and a step: well inside two
 * lease durations.
 */
export class TargetShards {
  private readonly leases = new Map<string, { ref: TargetRef; lease: LeaderLease }>();
  private readonly loop = new LeaseLoop(() => this.step());
  private readonly calls: LeaseCalls;
  private readonly clock: LeaseClock;
  private readonly log: Logger;
  private view: { replicas: readonly string[]; share: number } = { replicas: [], share: 0 };

  constructor(private readonly options: TargetShardsOptions) {
    this.clock = options.clock ?? systemClock;
    this.calls = new LeaseCalls(leaseCallDeadlineMs(options.renewIntervalMs), () => this.clock.wall());
    this.log = options.logger.child({ component: 'shards', holder: options.holderId });
  }

  /** The lease of a target, once this replica has tried to take it. */
  leaseOf(target: TargetRef): LeaderLease | undefined {
    return this.leases.get(targetId(target))?.lease;
  }

  /** The targets whose lease this replica holds and trusts now, sorted. */
  held(): TargetRef[] {
    return [...this.leases.values()]
      .filter(({ lease }) => lease.isLeader())
      .map(({ ref }) => ref)
      .sort((a, b) => targetId(a).localeCompare(targetId(b)));
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the loop; with `release`, gives every lease back and leaves the heartbeat item. */
  async stop(options: { release: boolean } = { release: true }): Promise<void> {
    await this.loop.stop();
    if (!options.release) return;
    await Promise.all([...this.leases.values()].map(({ lease }) => lease.release()));
    await pruneMember(
      this.options.dynamodb,
      this.options.table,
      this.options.holderId,
      Number.MAX_SAFE_INTEGER,
    ).catch((error) =>
      this.log.warn({ err: error }, 'could not leave the heartbeat item; it expires by itself'),
    );
  }

  /** The readiness probe's `lease` part: the table answers; which targets are held, of how many. */
  readiness(): { ok: boolean; [key: string]: unknown } {
    const health = this.calls.health();
    const details = {
      replicas: this.view.replicas.length,
      share: this.view.share,
      targets: this.options.targets().length,
      held: this.held().map(targetId),
    };
    if (health.reachable) return { ok: true, ...details };
    return {
      ok: false,
      ...details,
      reason: `cannot reach the state table "${this.options.table}" since ${health.failingSince}: no write goes out until it can`,
      lastError: health.lastError,
    };
  }

  /** One turn: heartbeat, live replicas, renewals, then give back or take up to the quota. */
  private async step(): Promise<number> {
    const { dynamodb, table, holderId, durationMs } = this.options;
    // Renewals first: a slow heartbeat read must not let a held lease lapse.
    await Promise.all([...this.leases.values()].map(({ lease }) => lease.keep().catch(() => false)));
    try {
      const now = this.clock.wall();
      await this.calls.run((o) => beat(dynamodb, table, holderId, now + durationMs, o));
      const members = await this.calls.run((o) => readMembers(dynamodb, table, o));
      const { live, dead } = liveReplicas(members, now, now - PRUNE_AFTER_DURATIONS * durationMs);
      for (const holder of dead)
        await pruneMember(dynamodb, table, holder, now - PRUNE_AFTER_DURATIONS * durationMs);
      const targets = this.options.targets();
      const records = await this.readLeases(targets);
      await this.rebalance(targets, live, records);
    } catch (error) {
      this.log.warn({ err: error }, 'shard step failed; retrying');
    }
    return this.options.renewIntervalMs;
  }

  private async rebalance(
    targets: readonly TargetRef[],
    live: readonly string[],
    records: ReadonlyMap<string, LeaseRecord>,
  ): Promise<void> {
    const byId = new Map(targets.map((t) => [targetId(t), t]));
    const held = new Set([...this.leases].filter(([, { lease }]) => lease.holding).map(([id]) => id));
    const decision = planTargetShare({
      targets: [...byId.keys()],
      replicas: live,
      me: this.options.holderId,
      leases: records,
      held,
      busy: this.options.busy(),
      now: this.clock.wall(),
    });
    if (decision.share !== this.view.share || live.length !== this.view.replicas.length) {
      this.log.info({ replicas: live.length, targets: byId.size, share: decision.share }, 'share of targets');
    }
    this.view = { replicas: live, share: decision.share };
    for (const id of decision.release) {
      this.log.info({ target: id }, 'giving the target back to rebalance');
      await this.leases.get(id)?.lease.release();
    }
    for (const id of decision.acquire) {
      const ref = byId.get(id);
      if (ref)
        await this.leaseFor(ref)
          .tryAcquire()
          .catch((error) => this.log.warn({ err: error, target: id }, 'could not take the lease'));
    }
  }

  /** The lease object of a target (made once; its loop is this class's, never its own). */
  private leaseFor(ref: TargetRef): LeaderLease {
    const id = targetId(ref);
    let entry = this.leases.get(id);
    if (!entry) {
      const lease = new LeaderLease({
        dynamodb: this.options.dynamodb,
        table: this.options.table,
        target: ref,
        holderId: this.options.holderId,
        durationMs: this.options.durationMs,
        renewIntervalMs: this.options.renewIntervalMs,
        logger: this.options.logger,
        clock: this.clock,
        onAcquired: () => this.options.onAcquired(ref),
        onLost: (reason) => this.options.onLost(ref, reason),
      });
      entry = { ref, lease };
      this.leases.set(id, entry);
    }
    return entry.lease;
  }

  /** Every target's lease item (consistent reads, 100 keys a request), by target id. */
  private async readLeases(targets: readonly TargetRef[]): Promise<Map<string, LeaseRecord>> {
    const { BatchGetItemCommand } = await sdk.dynamodb();
    const { dynamodb, table } = this.options;
    const records = new Map<string, LeaseRecord>();
    const idOfKey = new Map(targets.map((t) => [leaseKey(t), targetId(t)]));
    let pending: Record<string, AttributeValue>[] = [...idOfKey.keys()].map((pk) => ({ pk: { S: pk } }));
    let unprocessedRounds = 0;
    while (pending.length > 0) {
      if (unprocessedRounds > MAX_UNPROCESSED_ROUNDS) {
        // Still throttled: unread leases count as held by someone, never as free.
        for (const key of pending) records.set(idOfKey.get(key.pk?.S ?? '') ?? '', UNKNOWN_HOLDER);
        break;
      }
      const batch = pending.slice(0, BATCH_GET_LIMIT);
      pending = pending.slice(BATCH_GET_LIMIT);
      const out = await this.calls.run((o) =>
        dynamodb.send(
          new BatchGetItemCommand({
            RequestItems: {
              [table]: {
                Keys: batch,
                ConsistentRead: true,
                ProjectionExpression: 'pk, holder, #token, leaseExpiresAt',
                ExpressionAttributeNames: { '#token': 'token' },
              },
            },
          }),
          o,
        ),
      );
      for (const item of out.Responses?.[table] ?? []) {
        const id = idOfKey.get(item.pk?.S ?? '');
        const record = parseLeaseItem(item);
        if (id && record) records.set(id, record);
      }
      // Unprocessed keys (throttling) are read again in the same step, a few times.
      const unprocessed = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, AttributeValue>[];
      if (unprocessed.length > 0) unprocessedRounds += 1;
      pending.push(...unprocessed);
    }
    return records;
  }
}
