import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  LeaderLease,
  type LeaseClock,
  LeaseLostError,
  LeaseUnverifiedError,
  leaseKey,
  parseLeaseItem,
  writeTargets,
} from '../../../src/runtime/lease.js';
import { recordingLogger } from '../../support/harness.js';

const TARGET = { accountId: '123456789012', region: 'us-east-1' };
const item = (holder: string, token: number, expiresAt: number) => ({
  pk: { S: leaseKey(TARGET) },
  holder: { S: holder },
  token: { N: String(token) },
  leaseExpiresAt: { N: String(expiresAt) },
});
const conditionFailed = (current?: ReturnType<typeof item>) =>
  Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
    ...(current ? { Item: current } : {}),
  });

/** A DynamoDB client whose answers the test scripts; it records what was sent. */
function fakeDynamo(answer: (command: unknown) => unknown) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      const result = answer(command);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as DynamoDBClient;
  return { client, sent };
}

function clock(start = 1_000_000): LeaseClock & { advance(ms: number): void } {
  let now = start;
  return { wall: () => now, monotonic: () => now, advance: (ms) => (now += ms) };
}

function lease(dynamodb: DynamoDBClient, c: LeaseClock, extra: { onLost?: (r: string) => void } = {}) {
  return new LeaderLease({
    dynamodb,
    table: 'edaguard-state',
    target: TARGET,
    holderId: 'me',
    durationMs: 10_000,
    renewIntervalMs: 3_000,
    skewMs: 1_000,
    clock: c,
    logger: recordingLogger().logger,
    ...extra,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('lease records', () => {
  it('the key is per target', () => {
    expect(leaseKey(TARGET)).toBe('lease#123456789012/us-east-1');
  });

  it.each<{ name: string; input: Record<string, AttributeValue> | undefined; expected: unknown }>([
    {
      name: 'a lease item',
      input: item('a', 3, 42),
      expected: { holder: 'a', fencingToken: 3, expiresAt: 42 },
    },
    { name: 'no item', input: undefined, expected: undefined },
    {
      name: 'another record in the same table',
      input: { pk: { S: 'history#x' }, data: { S: '{}' } },
      expected: undefined,
    },
    {
      name: 'a token that is not a number',
      input: { ...item('a', 1, 2), token: { S: 'x' } },
      expected: undefined,
    },
  ])('parseLeaseItem: $name', ({ input, expected }) => {
    expect(parseLeaseItem(input)).toEqual(expected);
  });

  it('writeTargets: the account and region of every ARN a write names, nested and in JSON values too', () => {
    expect(
      writeTargets({
        kind: 'CreateQueue',
        queueArn: 'arn:aws:sqs:eu-west-1:111122223333:orders-dlq',
        queueName: 'orders-dlq',
        attributes: {
          RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:444455556666:x","maxReceiveCount":3}',
        },
      }),
    ).toEqual([
      { accountId: '111122223333', region: 'eu-west-1' },
      { accountId: '444455556666', region: 'eu-west-1' },
    ]);
    expect(writeTargets({ kind: 'UpdateTimeToLive', tableName: 'orders' })).toEqual([]);
    expect(writeTargets({ QueueName: 'q', Attributes: { DelaySeconds: '{not json' } })).toEqual([]);
  });

  it('writeTargets: a PutMetricAlarm names its ARNs only in its alarm actions (issue #12)', () => {
    const action = {
      kind: 'PutMetricAlarm' as const,
      alarm: {
        AlarmName: 'edaguard-dlq-not-empty-orders-dlq',
        Dimensions: [{ Name: 'QueueName', Value: 'orders-dlq' }],
        AlarmActions: ['arn:aws:sns:us-east-1:999999999999:oncall'],
        Tags: [{ Key: 'managed-by', Value: 'edaguard' }],
      },
    };
    expect(writeTargets(action)).toEqual([{ accountId: '999999999999', region: 'us-east-1' }]);
    // The SDK input as sent, and a mapping's nested destination.
    expect(writeTargets(action.alarm)).toEqual([{ accountId: '999999999999', region: 'us-east-1' }]);
    expect(
      writeTargets({
        UUID: 'u',
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-2:1:d' } },
      }),
    ).toEqual([{ accountId: '1', region: 'eu-west-2' }]);
  });

  it('a PutMetricAlarm for another account’s topic is refused by the lease', async () => {
    const c = clock();
    const { client } = fakeDynamo((cmd) =>
      cmd instanceof UpdateItemCommand
        ? { Attributes: item('me', 1, c.wall() + 10_000) }
        : { Item: item('me', 1, c.wall() + 10_000) },
    );
    const l = lease(client, c);
    await l.tryAcquire();
    const alarm = {
      kind: 'PutMetricAlarm',
      alarm: { AlarmName: 'a', AlarmActions: ['arn:aws:sns:us-east-1:999999999999:oncall'] },
    };
    const refusal =
      "the write is for 999999999999/us-east-1, not for the lease's target 123456789012/us-east-1";
    await expect(l.verify(alarm)).rejects.toThrow(refusal);
    await expect(l.verify(alarm.alarm)).rejects.toThrow(refusal);
    // The same alarm for the lease's own account goes through.
    await l.verify({ ...alarm, alarm: { AlarmActions: ['arn:aws:sns:us-east-1:123456789012:oncall'] } });
  });
});

describe('LeaderLease (scripted DynamoDB, injected clock)', () => {
  it('acquires with a conditional update that increments the token; trusts the lease until expiry minus skew', async () => {
    const c = clock();
    const { client, sent } = fakeDynamo(() => ({ Attributes: item('me', 7, c.wall() + 10_000) }));
    const l = lease(client, c);
    expect(await l.tryAcquire()).toBe(true);
    const update = sent[0] as UpdateItemCommand;
    expect(update).toBeInstanceOf(UpdateItemCommand);
    expect(update.input.ConditionExpression).toBe(
      'attribute_not_exists(#pk) OR #leaseExpiresAt < :now OR #holder = :me',
    );
    expect(update.input.UpdateExpression).toContain('ADD #token :one');
    expect(update.input.Key).toEqual({ pk: { S: 'lease#123456789012/us-east-1' } });
    // Not the table's TTL attribute (expiresAt): the lease item must never expire.
    expect(update.input.ExpressionAttributeNames?.['#leaseExpiresAt']).toBe('leaseExpiresAt');
    expect(Object.values(update.input.ExpressionAttributeNames ?? {})).not.toContain('expiresAt');
    expect(l.fencingToken).toBe(7);
    c.advance(8_999);
    expect(l.isLeader()).toBe(true);
    c.advance(1);
    expect(l.isLeader()).toBe(false);
    // Once it no longer trusts its lease, the fencing check refuses without asking DynamoDB.
    await expect(l.verify()).rejects.toBeInstanceOf(LeaseLostError);
    expect(sent).toHaveLength(1);
  });

  it('a held lease is not taken; the holder seen is remembered', async () => {
    const c = clock();
    const { client } = fakeDynamo(() => conditionFailed(item('other', 4, c.wall() + 5000)));
    const l = lease(client, c);
    expect(await l.tryAcquire()).toBe(false);
    expect(l.isLeader()).toBe(false);
    expect(l.fencingToken).toBeUndefined();
  });

  it('the fencing check: a consistent read that this replica holds the lease with its token', async () => {
    const c = clock();
    let current = item('me', 2, c.wall() + 10_000);
    const lost: string[] = [];
    const { client, sent } = fakeDynamo((cmd) =>
      cmd instanceof UpdateItemCommand ? { Attributes: current } : { Item: current },
    );
    const l = lease(client, c, { onLost: (r) => lost.push(r) });
    await l.tryAcquire();
    await l.verify({ queueArn: 'arn:aws:sqs:us-east-1:123456789012:orders' });
    const get = sent[1] as GetItemCommand;
    expect(get).toBeInstanceOf(GetItemCommand);
    expect(get.input.ConsistentRead).toBe(true);

    // Another replica took over (token 3): the check fails and this replica follows.
    current = item('other', 3, c.wall() + 10_000);
    await expect(l.verify()).rejects.toThrow(
      /lease lost: held by other with token 3, this replica had token 2/,
    );
    expect(l.isLeader()).toBe(false);
    expect(lost).toEqual(['another replica holds the lease now (other, token 3)']);
  });

  it('same holder but a newer token (this replica re-acquired elsewhere) also fails the check', async () => {
    const c = clock();
    let current = item('me', 5, c.wall() + 10_000);
    const { client } = fakeDynamo((cmd) =>
      cmd instanceof UpdateItemCommand ? { Attributes: current } : { Item: current },
    );
    const l = lease(client, c);
    await l.tryAcquire();
    current = item('me', 6, c.wall() + 10_000);
    await expect(l.verify()).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('fails closed: when DynamoDB cannot be read, the write is held back', async () => {
    const c = clock();
    const { client } = fakeDynamo((cmd) =>
      cmd instanceof UpdateItemCommand
        ? { Attributes: item('me', 1, c.wall() + 10_000) }
        : Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }),
    );
    const l = lease(client, c);
    await l.tryAcquire();
    await expect(l.verify()).rejects.toBeInstanceOf(LeaseUnverifiedError);
    expect(l.isLeader()).toBe(true);
  });

  it('refuses a write for another target than the lease guards', async () => {
    const c = clock();
    const { client } = fakeDynamo(() => ({ Attributes: item('me', 1, c.wall() + 10_000) }));
    const l = lease(client, c);
    await l.tryAcquire();
    await expect(l.verify({ queueArn: 'arn:aws:sqs:us-east-1:999999999999:orders' })).rejects.toThrow(
      /the write is for 999999999999\/us-east-1, not for the lease's target 123456789012\/us-east-1/,
    );
  });

  it('renewal: a condition failure loses the lease at once; transient errors only once it expires', async () => {
    const c = clock();
    let mode: 'ok' | 'transient' | 'taken' = 'ok';
    const lost: string[] = [];
    const { client } = fakeDynamo(() => {
      if (mode === 'transient') return Object.assign(new Error('503'), { name: 'ServiceUnavailable' });
      if (mode === 'taken') return conditionFailed(item('other', 9, c.wall() + 10_000));
      return { Attributes: item('me', 8, c.wall() + 10_000) };
    });
    const l = lease(client, c, { onLost: (r) => lost.push(r) });
    await l.tryAcquire();
    c.advance(3000);
    expect(await l.renew()).toBe(true);
    mode = 'transient';
    c.advance(3000);
    expect(await l.renew()).toBe(true); // trusted until 3000 + 9000
    c.advance(6000);
    expect(await l.renew()).toBe(false);
    expect(lost).toEqual(['the lease expired before it could be renewed']);

    mode = 'ok';
    await l.tryAcquire();
    mode = 'taken';
    expect(await l.renew()).toBe(false);
    expect(lost.at(-1)).toBe('another replica holds the lease now (other)');
  });

  it('release sets leaseExpiresAt to 0 (the token stays, so the next holder gets a larger one)', async () => {
    const c = clock();
    const { client, sent } = fakeDynamo(() => ({ Attributes: item('me', 1, c.wall() + 10_000) }));
    const l = lease(client, c);
    await l.tryAcquire();
    await l.release();
    const release = sent[1] as UpdateItemCommand;
    expect(release.input.UpdateExpression).toBe('SET #leaseExpiresAt = :zero, #releasedAt = :now');
    expect(release.input.ConditionExpression).toBe('#holder = :me AND #token = :token');
    expect(l.isLeader()).toBe(false);
  });

  it('a follower tries again when the lease it saw expires, not a full interval later', async () => {
    vi.useFakeTimers();
    const c: LeaseClock = { wall: () => Date.now(), monotonic: () => Date.now() };
    const attempts: number[] = [];
    const { client } = fakeDynamo(() => {
      attempts.push(Date.now());
      return attempts.length === 1
        ? conditionFailed(item('other', 1, Date.now() + 400))
        : { Attributes: item('me', 2, Date.now() + 10_000) };
    });
    const acquired: number[] = [];
    const l = new LeaderLease({
      dynamodb: client,
      table: 't',
      target: TARGET,
      holderId: 'me',
      durationMs: 10_000,
      renewIntervalMs: 3_000,
      clock: c,
      logger: recordingLogger().logger,
      onAcquired: (token) => acquired.push(token),
    });
    l.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(attempts).toHaveLength(2);
    expect((attempts[1] as number) - (attempts[0] as number)).toBeLessThan(500);
    expect(acquired).toEqual([2]);
    await l.stop({ release: false });
  });
});

describe('LeaderLease: deadlines and reachability', () => {
  it('a write attempt is refused unless its whole request timeout fits before the expiry minus the margin', async () => {
    const c = clock();
    const { client } = fakeDynamo((cmd) =>
      cmd instanceof UpdateItemCommand
        ? { Attributes: item('me', 4, c.wall() + 10_000) }
        : { Item: item('me', 4, c.wall() + 10_000 - 4_000) },
    );
    const l = lease(client, c);
    await l.tryAcquire();
    // The item expires in 6 s; minus the 1 s margin: 5 s for the attempt.
    expect(await l.verify(undefined, 5_000)).toEqual({ fencingToken: 4, windowMs: 5_000 });
    await expect(l.verify(undefined, 5_001)).rejects.toThrow(
      'the lease has 5000 ms left before its expiry minus the 1000 ms skew margin, less than the 5001 ms one write attempt may take (the request timeout): the attempt is not started',
    );
    expect(l.isLeader()).toBe(true);
  });

  it('every lease call has its own deadline; while calls fail the lease reports the table unreachable', async () => {
    const c = clock();
    let hang = false;
    const signals: AbortSignal[] = [];
    const client = {
      send: (command: unknown, options: { abortSignal: AbortSignal }) => {
        signals.push(options.abortSignal);
        if (hang) {
          return new Promise((_resolve, reject) =>
            options.abortSignal.addEventListener('abort', () =>
              reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
            ),
          );
        }
        return Promise.resolve(
          command instanceof UpdateItemCommand
            ? { Attributes: item('me', 1, c.wall() + 10_000) }
            : { Item: item('me', 1, c.wall() + 10_000) },
        );
      },
    } as unknown as DynamoDBClient;
    const l = new LeaderLease({
      dynamodb: client,
      table: 't',
      target: TARGET,
      holderId: 'me',
      durationMs: 10_000,
      renewIntervalMs: 3_000,
      callTimeoutMs: 50,
      clock: c,
      logger: recordingLogger().logger,
    });
    await l.tryAcquire();
    expect(l.health()).toEqual({ reachable: true });
    hang = true;
    const t0 = performance.now();
    await expect(l.verify()).rejects.toThrow(
      'could not check the lease before writing: AbortError: no answer within 50 ms',
    );
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(l.health()).toEqual({ reachable: true }); // one slow call is not an outage
    expect(await l.renew()).toBe(true); // still trusted by its own clock
    expect(l.health()).toMatchObject({
      reachable: false,
      failingSince: new Date(c.wall()).toISOString(),
      lastError: 'AbortError: no answer within 50 ms',
    });
    hang = false;
    await l.verify();
    expect(l.health()).toEqual({ reachable: true });
    expect(signals.every((s) => s instanceof AbortSignal)).toBe(true);
  });

  it('whenLost tells every listener when the lease is lost, until it unsubscribes', async () => {
    const c = clock();
    let current = item('me', 2, c.wall() + 10_000);
    const { client } = fakeDynamo((cmd) =>
      cmd instanceof UpdateItemCommand ? { Attributes: current } : { Item: current },
    );
    const l = lease(client, c);
    await l.tryAcquire();
    const heard: string[] = [];
    const off = l.whenLost((r) => heard.push(`a: ${r}`));
    l.whenLost((r) => heard.push(`b: ${r}`));
    expect(l.trustedWindowMs(2)).toBe(9_000);
    expect(l.trustedWindowMs(1)).toBe(0);
    off();
    current = item('other', 3, c.wall() + 10_000);
    await expect(l.verify()).rejects.toBeInstanceOf(LeaseLostError);
    expect(heard).toEqual(['b: another replica holds the lease now (other, token 3)']);
    expect(l.trustedWindowMs(2)).toBe(0);
  });
});
