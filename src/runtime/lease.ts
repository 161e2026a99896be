import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import { parseArn } from '../aws/arn.js';
import { ConfigError, EdaguardError } from '../errors.js';

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
 * Safety: a replica writes to AWS only after `verify()`, a consistent read that the lease is
 * still held by it with the token it acquired, with time left. A paused leader whose lease a
 * follower took over sees another holder or a larger token and holds its writes back.
 */
export interface LeaseTarget {
  readonly accountId: string;
  readonly region: string;
}

export const leaseKey = (target: LeaseTarget) => `lease#${target.accountId}/${target.region}`;

export interface LeaseRecord {
  readonly holder: string;
  readonly fencingToken: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export class LeaseLostError extends EdaguardError {
  constructor(message: string) {
    super('LEASE_LOST', message);
  }
}

/** The check before a write could not be made (DynamoDB unreachable): fail closed. */
export class LeaseUnverifiedError extends EdaguardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LEASE_UNVERIFIED', message, options);
  }
}

/** Pure: a lease item (DynamoDB attribute values) as a record; undefined when it is not one. */
export function parseLeaseItem(item: Record<string, AttributeValue> | undefined): LeaseRecord | undefined {
  const holder = item?.holder?.S;
  const token = Number(item?.token?.N);
  const expiresAt = Number(item?.leaseExpiresAt?.N);
  if (holder === undefined || !Number.isFinite(token) || !Number.isFinite(expiresAt)) return undefined;
  return { holder, fencingToken: token, expiresAt };
}

/**
 * Pure: the account and region of every ARN a write names (any top-level `…Arn` field). A write
 * for another target than the lease guards is refused: the lease says nothing about it.
 */
export function writeTargets(action: object): LeaseTarget[] {
  const targets: LeaseTarget[] = [];
  for (const value of Object.values(action)) {
    if (typeof value !== 'string' || !value.startsWith('arn:')) continue;
    try {
      const arn = parseArn(value);
      targets.push({ accountId: arn.accountId, region: arn.region });
    } catch {
      // not an ARN after all
    }
  }
  return targets;
}

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
  clock?: LeaseClock;
  onAcquired?: (fencingToken: number) => void;
  onLost?: (reason: string) => void;
}

const NAMES = {
  '#pk': 'pk',
  '#recordType': 'recordType',
  '#holder': 'holder',
  '#token': 'token',
  '#leaseExpiresAt': 'leaseExpiresAt',
  '#acquiredAt': 'acquiredAt',
  '#renewedAt': 'renewedAt',
  '#duration': 'leaseDurationMs',
  '#releasedAt': 'releasedAt',
};
type Name = keyof typeof NAMES;
const names = (...used: Name[]) => Object.fromEntries(used.map((n) => [n, NAMES[n]]));

const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';
const isConditionFailure = (error: unknown) => errorName(error) === 'ConditionalCheckFailedException';

export class LeaderLease {
  private readonly clock: LeaseClock;
  private readonly skewMs: number;
  private readonly log: Logger;
  private readonly key: Record<string, AttributeValue>;
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
    this.skewMs = options.skewMs ?? Math.min(2000, options.durationMs / 10);
    this.key = { pk: { S: leaseKey(options.target) } };
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
   * Takes the lease if nobody holds it, it expired, or this replica holds it (then with a new
   * token). Returns whether this replica now leads.
   */
  async tryAcquire(): Promise<boolean> {
    const t0 = this.clock.monotonic();
    const now = this.clock.wall();
    try {
      const out = await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.table,
          Key: this.key,
          UpdateExpression:
            'SET #recordType = :lease, #holder = :me, #leaseExpiresAt = :expires, #acquiredAt = :now, ' +
            '#renewedAt = :now, #duration = :duration ADD #token :one',
          ConditionExpression: 'attribute_not_exists(#pk) OR #leaseExpiresAt < :now OR #holder = :me',
          ExpressionAttributeNames: names(
            '#pk',
            '#recordType',
            '#holder',
            '#leaseExpiresAt',
            '#acquiredAt',
            '#renewedAt',
            '#duration',
            '#token',
          ),
          ExpressionAttributeValues: {
            ':lease': { S: 'lease' },
            ':me': { S: this.options.holderId },
            ':expires': { N: String(now + this.options.durationMs) },
            ':now': { N: String(now) },
            ':duration': { N: String(this.options.durationMs) },
            ':one': { N: '1' },
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
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
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.table,
          Key: this.key,
          UpdateExpression: 'SET #leaseExpiresAt = :expires, #renewedAt = :now',
          ConditionExpression: '#holder = :me AND #token = :token',
          ExpressionAttributeNames: names('#leaseExpiresAt', '#renewedAt', '#holder', '#token'),
          ExpressionAttributeValues: {
            ':expires': { N: String(now + this.options.durationMs) },
            ':now': { N: String(now) },
            ':me': { S: this.options.holderId },
            ':token': { N: String(this.token) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
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
   * The fencing check before every write: this replica trusts its lease, and a consistent read
   * shows it still holds it with the same token and time left. Throws to hold the write back.
   */
  async verify(action?: object): Promise<void> {
    if (!this.isLeader()) throw new LeaseLostError('this replica does not hold the lease');
    const token = this.token;
    if (action) {
      for (const t of writeTargets(action)) {
        const { accountId, region } = this.options.target;
        if ((t.accountId && t.accountId !== accountId) || (t.region && t.region !== region)) {
          throw new LeaseLostError(
            `the write is for ${t.accountId}/${t.region}, not for the lease's target ${accountId}/${region}`,
          );
        }
      }
    }
    let record: LeaseRecord | undefined;
    try {
      const out = await this.options.dynamodb.send(
        new GetItemCommand({
          TableName: this.options.table,
          Key: this.key,
          ConsistentRead: true,
          ProjectionExpression: '#holder, #token, #leaseExpiresAt',
          ExpressionAttributeNames: names('#holder', '#token', '#leaseExpiresAt'),
        }),
      );
      record = parseLeaseItem(out.Item);
    } catch (error) {
      throw new LeaseUnverifiedError(`could not check the lease before writing: ${errorName(error)}`, {
        cause: error,
      });
    }
    if (!record || record.holder !== this.options.holderId || record.fencingToken !== token) {
      this.lose(
        `another replica holds the lease now (${record?.holder ?? 'none'}, token ${record?.fencingToken ?? '-'})`,
      );
      throw new LeaseLostError(
        `lease lost: held by ${record?.holder ?? 'nobody'} with token ${record?.fencingToken ?? '-'}, this replica had token ${token}`,
      );
    }
    if (record.expiresAt - this.clock.wall() < this.skewMs) {
      throw new LeaseLostError('the lease is about to expire; the write waits for a renewal');
    }
  }

  /** Gives the lease up (leaseExpiresAt = 0) so a follower takes over at its next attempt. */
  async release(): Promise<void> {
    if (this.token === undefined) return;
    const token = this.token;
    this.token = undefined;
    this.validUntil = 0;
    try {
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.table,
          Key: this.key,
          UpdateExpression: 'SET #leaseExpiresAt = :zero, #releasedAt = :now',
          ConditionExpression: '#holder = :me AND #token = :token',
          ExpressionAttributeNames: names('#leaseExpiresAt', '#releasedAt', '#holder', '#token'),
          ExpressionAttributeValues: {
            ':zero': { N: '0' },
            ':now': { N: String(this.clock.wall()) },
            ':me': { S: this.options.holderId },
            ':token': { N: String(token) },
          },
        }),
      );
      this.log.info({ fencingToken: token }, 'released the lease');
    } catch (error) {
      if (!isConditionFailure(error)) {
        this.log.warn({ err: error }, 'could not release the lease; it expires by itself');
      }
    }
    this.options.onLost?.('released');
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
  }
}

/**
 * Checks the state table at start (a clear error now rather than a failing loop later) and
 * returns its account, the lease's default target account.
 */
export async function describeStateTable(
  dynamodb: DynamoDBClient,
  table: string,
): Promise<{ arn: string; accountId: string }> {
  let out: DescribeTableCommandOutput;
  try {
    out = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      throw new ConfigError(
        `the state table "${table}" does not exist: deploy it (deploy/ecs/edaguard.yaml, or a table with partition key "pk" of type String), ` +
          'name another with --state-table, or pass --create-state-table',
      );
    }
    throw error;
  }
  const keys = out.Table?.KeySchema ?? [];
  const pk = out.Table?.AttributeDefinitions?.find((a) => a.AttributeName === 'pk');
  if (
    keys.length !== 1 ||
    keys[0]?.AttributeName !== 'pk' ||
    keys[0]?.KeyType !== 'HASH' ||
    pk?.AttributeType !== 'S'
  ) {
    throw new ConfigError(
      `the state table "${table}" must have exactly one key: partition key "pk" of type String (it has ${JSON.stringify(keys)})`,
    );
  }
  const arn = out.Table?.TableArn ?? '';
  return { arn, accountId: arn ? parseArn(arn).accountId : '' };
}

/** Creates the state table (on-demand, partition key `pk`), tolerating a replica doing the same. */
export async function createStateTable(
  dynamodb: DynamoDBClient,
  table: string,
  logger: Logger,
): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    logger.info({ table }, 'created the state table');
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 120, minDelay: 1 }, { TableName: table });
}
