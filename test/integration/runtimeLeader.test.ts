/**
 * Leader election against the emulator's DynamoDB: one holder at a time, fencing tokens, a
 * paused leader that cannot write once another replica holds the lease, and two `edaguard run`
 * processes where the leader is killed and the follower takes over.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/cycle.js';
import { loadPolicyDir } from '../../src/policy/loader.js';
import { LeaderLease, type LeaseClock, LeaseLostError, leaseKey } from '../../src/runtime/lease.js';
import { createStateTable } from '../../src/runtime/stateTable.js';
import {
  recordingLogger,
  testClients,
  testSeeder,
  testSettings,
  useCleanEmulator,
} from '../support/harness.js';
import { metric, policyDir, scrape, spawnRun, waitFor } from '../support/runtime.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

const TABLE = 'edaguard-state';
const TARGET = { accountId: '123456789012', region: 'us-east-1' };
let seed: Seeder | undefined;
const clients: Array<ReturnType<typeof testClients>> = [];
afterEach(() => {
  seed?.destroy();
  seed = undefined;
  for (const c of clients.splice(0)) c.destroy();
});

async function stateTable() {
  const aws = testClients();
  clients.push(aws);
  await createStateTable(aws.dynamodb, TABLE, recordingLogger().logger);
  return aws.dynamodb;
}

function replica(dynamodb: ReturnType<typeof testClients>['dynamodb'], holderId: string, clock?: LeaseClock) {
  return new LeaderLease({
    dynamodb,
    table: TABLE,
    target: TARGET,
    holderId,
    durationMs: 2000,
    renewIntervalMs: 500,
    // These tests call the lease by hand (no renewal loop to keep pace with): a generous deadline
    // per call, so that a loaded machine's slow DynamoDB answer is not an AbortError here.
    callTimeoutMs: 5000,
    logger: recordingLogger().logger,
    ...(clock ? { clock } : {}),
  });
}

async function leaseItem(dynamodb: ReturnType<typeof testClients>['dynamodb']) {
  const out = await dynamodb.send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: leaseKey(TARGET) } }, ConsistentRead: true }),
  );
  return out.Item;
}

describe('leader lease in DynamoDB', () => {
  it('one holder at a time; the token grows on every acquisition; other records in the table are left alone', async () => {
    const dynamodb = await stateTable();
    const other = { pk: { S: 'history#123456789012/us-east-1#2030-01-01' }, report: { S: '{}' } };
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: other }));
    const a = replica(dynamodb, 'replica-a');
    const b = replica(dynamodb, 'replica-b');

    expect(await a.tryAcquire()).toBe(true);
    expect(a.fencingToken).toBe(1);
    expect(await b.tryAcquire()).toBe(false);
    expect(await a.renew()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(a.isLeader() && !b.isLeader()).toBe(true);

    const item = await leaseItem(dynamodb);
    expect(item).toMatchObject({
      recordType: { S: 'lease' },
      holder: { S: 'replica-a' },
      token: { N: '1' },
      leaseDurationMs: { N: '2000' },
    });
    // The table's TTL attribute (expiresAt, used by history# records) is never on the lease item.
    expect(item?.expiresAt).toBeUndefined();
    const expiresIn = Number(item?.leaseExpiresAt?.N) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(2000);

    // A graceful leader releases: the follower takes over at once, with a larger token.
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    expect(b.fencingToken).toBe(2);
    expect(await a.renew()).toBe(false);
    // The leader may take it back later only with yet another token.
    await b.release();
    expect(await a.tryAcquire()).toBe(true);
    expect(a.fencingToken).toBe(3);

    const untouched = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: other.pk } }));
    expect(untouched.Item).toEqual(other);
  });

  it('a paused leader cannot write after losing the lease: the fencing check holds every write back', async () => {
    const dynamodb = await stateTable();
    seed = testSeeder();
    const queue = await seed.queue('fenced', { tags: { team: 'runtime' } });
    // The old leader's monotonic clock stood still (a suspended VM: CLOCK_MONOTONIC does not count
    // suspend), so by its own clock it still leads. Only the check against DynamoDB can tell.
    const frozen = performance.now();
    const old = replica(dynamodb, 'old-leader', { wall: () => Date.now(), monotonic: () => frozen });
    expect(await old.tryAcquire()).toBe(true);
    // The new leader's clock says the old lease has expired (it has: nobody renewed it).
    const fresh = replica(dynamodb, 'new-leader', {
      wall: () => Date.now() + 10_000,
      monotonic: () => performance.now(),
    });
    expect(await fresh.tryAcquire()).toBe(true);
    expect(fresh.fencingToken).toBe(2);
    expect(old.isLeader()).toBe(true);

    // The old leader resumes and runs its cycle: every write goes through the fencing check first.
    const aws = testClients();
    clients.push(aws);
    const { dir } = await policyDir();
    const report = await runCycle(await loadPolicyDir(dir), aws, {
      settings: testSettings(),
      dryRun: false,
      logger: recordingLogger().logger,
      beforeWrite: async (action) => {
        await old.verify(action);
      },
    });
    expect(aws.counter.writes()).toBe(0);
    expect((await seed.attributes(queue.url, ['RedrivePolicy'])).RedrivePolicy).toBeUndefined();
    const result = report.results.find((r) => r.resource === queue.arn);
    expect(result?.status).toBe('deferred');
    expect(result?.message).toMatch(
      /^CreateQueue fenced-dlq .* held back: lease lost: held by new-leader with token 2, this replica had token 1$/,
    );
    expect(old.isLeader()).toBe(false);
    await expect(old.verify()).rejects.toBeInstanceOf(LeaseLostError);
    // The new leader's check passes (renewed first: this test's cycle may outlast its 2 s lease).
    expect(await fresh.renew()).toBe(true);
    await fresh.verify();
  });
});

describe('two edaguard run replicas', () => {
  it('only the leader reconciles; when it is killed, the follower takes over within one lease duration', async () => {
    const dynamodb = await stateTable();
    seed = testSeeder();
    await seed.queue('ha-first', { tags: { team: 'runtime' } });
    const { dir } = await policyDir();
    const env = {
      EDAGUARD_POLICIES: dir,
      EDAGUARD_SCHEDULE: '* * * * * *',
      EDAGUARD_LEASE_DURATION: '2',
      // Renewing every 1 s gives each lease call a 500 ms deadline (250 ms at 0.5 s was tight on a
      // loaded machine); a 2 s lease then fences attempts of at most 2 − 1 − 0.2 (skew margin) = 0.8 s.
      EDAGUARD_LEASE_RENEW_INTERVAL: '1',
      EDAGUARD_REQUEST_TIMEOUT_MS: '800',
      EDAGUARD_HTTP_HOST: '127.0.0.1',
      EDAGUARD_HTTP_PORT: '0',
    };
    const a = spawnRun(['run', '--holder-id', 'replica-a'], env);
    const b = spawnRun(['run', '--holder-id', 'replica-b'], env);
    const [aUrl, bUrl] = await Promise.all([a.httpUrl(), b.httpUrl()]);
    const leads = (r: typeof a) => r.lines.some((l) => l.msg === 'acquired the lease: leading');
    await waitFor(() => leads(a) || leads(b), 'a leader', 20_000);
    const [leader, follower, leaderUrl, followerUrl] = leads(a) ? [a, b, aUrl, bUrl] : [b, a, bUrl, aUrl];
    await leader.waitForLog(
      (l) => l.msg === 'cycle complete' && l.outcome === 'success',
      'the leader’s first cycle',
    );
    // The follower's ticks come and go without a cycle.
    await waitFor(
      async () =>
        (metric(await scrape(followerUrl), 'edaguard_ticks_skipped_total', { reason: 'not-leader' }) ?? 0) >=
        1,
      'a follower tick',
    );
    expect(follower.lines.some((l) => l.msg === 'cycle started')).toBe(false);
    expect(metric(await scrape(leaderUrl), 'edaguard_leader')).toBe(1);
    expect(metric(await scrape(followerUrl), 'edaguard_leader')).toBe(0);
    // Followers serve health: alive and ready.
    expect((await fetch(`${followerUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${followerUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as Record<string, unknown>).leader).toBe(false);

    leader.child.kill('SIGKILL');
    const killed = await leader.exited;
    const dead = await leaseItem(dynamodb);
    const lastExpiry = Number(dead?.leaseExpiresAt?.N);
    expect(dead?.holder?.S).toBe(leader === a ? 'replica-a' : 'replica-b');

    const took = await follower.waitForLog(
      (l) => l.msg === 'acquired the lease: leading',
      'the takeover',
      10_000,
    );
    const item = await leaseItem(dynamodb);
    const acquiredAt = Number(item?.acquiredAt?.N);
    expect(item?.holder?.S).toBe(follower === a ? 'replica-a' : 'replica-b');
    expect(took.fencingToken).toBe(Number(dead?.token?.N) + 1);
    // Never two leaders: the follower took the lease only after the dead leader's expired...
    expect(acquiredAt).toBeGreaterThanOrEqual(lastExpiry);
    // ...and within one lease duration (2 s) of the kill, plus slack for a busy CI machine (the
    // follower aims at the expiry it saw, +25 ms).
    expect(acquiredAt - killed.at).toBeLessThanOrEqual(2000 + 2500);

    // The new leader reconciles: drift that appears now is fixed.
    const late = await seed.queue('ha-late', { tags: { team: 'runtime' } });
    await waitFor(
      async () => (await seed?.attributes(late.url, ['RedrivePolicy']))?.RedrivePolicy !== undefined,
      'the new leader to fix ha-late',
      15_000,
    );
    expect(metric(await scrape(followerUrl), 'edaguard_leader')).toBe(1);

    follower.child.kill('SIGTERM');
    expect((await follower.exited).code).toBe(0);
    // A graceful stop releases the lease for the next replica.
    expect(Number((await leaseItem(dynamodb))?.leaseExpiresAt?.N)).toBe(0);
  });
});
