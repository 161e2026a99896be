/**
 * `edaguard run` over many targets: replicas (real child processes) share the targets' leases
 * through the state table. Several accounts live in one moto server: calls made with an assumed
 * role's credentials act in that role's account.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { ordersRedrive, sqsInAccount, writeOrdersPolicy } from '../support/accounts.js';
import { testClients, useCleanEmulator } from '../support/harness.js';
import { type ChildRun, spawnRun, waitFor } from '../support/runtime.js';

useCleanEmulator();

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const UNLISTED = '444444444444';
const REGIONS = ['us-east-1', 'eu-west-1'];
const TARGETS = ACCOUNTS.flatMap((a) => REGIONS.map((r) => `${a}/${r}`));
const LEASE_MS = 3000;

const open: Array<{ destroy(): void }> = [];
afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});

function sqsIn(accountId: string, region: string): SQSClient {
  const client = sqsInAccount(accountId, region);
  open.push(client);
  return client;
}

async function redriveOf(target: string): Promise<string | undefined> {
  const [account, region] = target.split('/') as [string, string];
  return ordersRedrive(sqsIn(account, region));
}

async function fixture(): Promise<{ env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-fleet-'));
  const policies = await writeOrdersPolicy(dir);
  const config = path.join(dir, 'edaguard.yaml');
  await writeFile(
    config,
    `region: us-east-1
targets:
  regions: [${REGIONS.join(', ')}]
  roleName: edaguard
  externalId: from-env
  accounts: [${ACCOUNTS.map((a) => `"${a}"`).join(', ')}]
`,
  );
  return {
    env: {
      EDAGUARD_POLICIES: policies,
      EDAGUARD_CONFIG: config,
      EDAGUARD_EXTERNAL_ID: 'fleet-secret',
      EDAGUARD_SCHEDULE: '*/2 * * * * *',
      EDAGUARD_OUTPUT: 'json',
      EDAGUARD_CREATE_STATE_TABLE: 'true',
      EDAGUARD_LEASE_DURATION: String(LEASE_MS / 1000),
      EDAGUARD_LEASE_RENEW_INTERVAL: '1',
      EDAGUARD_REQUEST_TIMEOUT_MS: '1000',
      EDAGUARD_HTTP_HOST: '127.0.0.1',
      EDAGUARD_HTTP_PORT: '0',
    },
  };
}

/** The targets a replica says it holds (/readyz). */
async function heldBy(replica: { url: string }): Promise<string[]> {
  const res = await fetch(`${replica.url}/readyz`);
  const body = (await res.json()) as { lease?: { held?: string[] } };
  return body.lease?.held ?? [];
}

interface Replica {
  name: string;
  run: ChildRun;
  url: string;
}

async function start(name: string, env: NodeJS.ProcessEnv): Promise<Replica> {
  const run = spawnRun(['run', '--holder-id', name], env);
  return { name, run, url: await run.httpUrl(90_000) };
}

/** Waits until the live replicas hold every target, each the given count. */
async function waitForShares(replicas: Replica[], counts: number[], what: string, timeoutMs: number) {
  return waitFor(
    async () => {
      const held = await Promise.all(replicas.map(heldBy));
      const all = held.flat();
      const ok =
        held.map((h) => h.length).join() === counts.join() &&
        new Set(all).size === all.length &&
        all.length === TARGETS.length;
      return ok ? held : undefined;
    },
    what,
    timeoutMs,
    100,
  );
}

/** Every cycle's report a replica printed: target, start and end. */
function cyclesOf(replica: Replica) {
  return replica.run
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map(
      (l) =>
        JSON.parse(l) as {
          target: { accountId: string; region: string };
          startedAt: string;
          finishedAt: string;
        },
    )
    .map((r) => ({
      replica: replica.name,
      target: `${r.target.accountId}/${r.target.region}`,
      from: Date.parse(r.startedAt),
      to: Date.parse(r.finishedAt),
    }));
}

describe('edaguard run over many targets, three replicas', () => {
  it('six targets shared two each, each reconciled by one replica at a time; a killed replica’s targets are taken over and a new replica gets its share', async () => {
    for (const target of [...TARGETS, `${UNLISTED}/us-east-1`]) {
      const [account, region] = target.split('/') as [string, string];
      await sqsIn(account, region).send(
        new CreateQueueCommand({ QueueName: 'orders', tags: { team: 'orders' } }),
      );
    }
    const { env } = await fixture();
    const replicas = await Promise.all(['replica-a', 'replica-b', 'replica-c'].map((n) => start(n, env)));
    await waitForShares(replicas, [2, 2, 2], 'two targets each', 30_000);
    await waitFor(
      async () => (await Promise.all(TARGETS.map(redriveOf))).every((r) => r !== undefined),
      'every target fixed',
      30_000,
    );
    for (const target of TARGETS) {
      const [account, region] = target.split('/');
      expect(JSON.parse((await redriveOf(target)) ?? '{}'), target).toEqual({
        deadLetterTargetArn: `arn:aws:sqs:${region}:${account}:orders-dlq`,
        maxReceiveCount: 3,
      });
    }
    // The unlisted account is not governed.
    const unlisted = await sqsIn(UNLISTED, 'us-east-1').send(new ListQueuesCommand({}));
    expect(unlisted.QueueUrls).toHaveLength(1);

    // A leave: the killed replica's targets are taken over within two lease durations.
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    c.run.child.kill('SIGKILL');
    const killedAt = (await c.run.exited).at;
    await waitForShares([a, b], [3, 3], 'the killed replica’s targets taken over', 4 * LEASE_MS);
    const takeover = Date.now() - killedAt;
    // Two lease durations, plus polling and process scheduling on a loaded 2-core machine.
    expect(takeover).toBeLessThanOrEqual(2 * LEASE_MS + 1500);

    // A join: the newcomer gets its share (quotas 2, 2, 2 of 6) within two lease durations.
    const d = await start('replica-d', env);
    const joinedAt = Date.now();
    await waitForShares([a, b, d], [2, 2, 2], 'the new replica’s share', 4 * LEASE_MS);
    expect(Date.now() - joinedAt).toBeLessThanOrEqual(2 * LEASE_MS + 1500);

    // Every target was reconciled by exactly one replica at a time.
    const cycles = [a, b, c, d].flatMap(cyclesOf);
    expect(new Set(cycles.map((x) => x.target))).toEqual(new Set(TARGETS));
    for (const target of TARGETS) {
      const mine = cycles.filter((x) => x.target === target).sort((x, y) => x.from - y.from);
      for (let i = 1; i < mine.length; i += 1) {
        const [before, after] = [mine[i - 1], mine[i]] as [(typeof mine)[number], (typeof mine)[number]];
        if (before.replica !== after.replica)
          expect(after.from, `${target}: ${before.replica} then ${after.replica}`).toBeGreaterThanOrEqual(
            before.to,
          );
      }
    }

    // A graceful stop gives the leases back and leaves the heartbeat item.
    for (const r of [a, b, d]) r.run.child.kill('SIGTERM');
    for (const r of [a, b, d]) expect((await r.run.exited).code).toBe(0);
    const dynamodb = testClients().dynamodb;
    const items = (await dynamodb.send(new ScanCommand({ TableName: 'edaguard-state' }))).Items ?? [];
    const leases = items.filter((i) => i.pk?.S?.startsWith('lease#'));
    expect(leases.map((i) => i.pk?.S?.slice('lease#'.length)).sort()).toEqual([...TARGETS].sort());
    for (const lease of leases) expect(lease.leaseExpiresAt?.N).toBe('0');
    // Only the killed replica may still have an entry (until the others prune it, 3 lease durations on).
    const members = items.find((i) => i.pk?.S === 'replicas')?.members?.M ?? {};
    expect(Object.keys(members).filter((m) => m !== 'replica-c')).toEqual([]);
  }, 180_000);
});
