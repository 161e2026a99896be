/**
 * Never two writers: a real lease in the emulator's DynamoDB, a leader whose write is slowed on
 * the wire (a proxy holds it) while another replica takes the lease. Every attempt of every write
 * is checked against the lease right before it is sent, and an attempt in flight is aborted when
 * the lease is lost: the finding is held back, nothing reaches AWS after the lease was lost.
 * Also: /readyz while the state table cannot be reached, and a lease too short for one attempt.
 */
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../src/aws/clients.js';
import { LeaderLease } from '../../src/runtime/lease.js';
import {
  cli,
  emulatorEndpoint,
  recordingLogger,
  testClients,
  testSeeder,
  testSettings,
  useCleanEmulator,
} from '../support/harness.js';
import { type LoopbackProxy, type ProxiedCall, startLoopbackProxy } from '../support/loopbackProxy.js';
import { nextCycle, policyDir, testController, waitFor } from '../support/runtime.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

const TABLE = 'edaguard-state';
/** moto's account: the state table's, hence the lease's target. */
const TARGET = { accountId: '123456789012', region: 'us-east-1' };
const CREATE_QUEUE = 'AmazonSQS.CreateQueue';

let seed: Seeder | undefined;
const proxies: LoopbackProxy[] = [];
const clients: AwsClients[] = [];
const leases: LeaderLease[] = [];
afterEach(async () => {
  for (const l of leases.splice(0)) await l.stop({ release: false });
  for (const p of proxies.splice(0)) await p.close();
  for (const c of clients.splice(0)) c.destroy();
  seed?.destroy();
  seed = undefined;
});

/**
 * A proxy in front of the emulator that holds the first CreateQueue (the write is slow on the
 * wire: it has not reached AWS yet) until the test lets it go, and forwards everything else. A
 * held request whose client hung up meanwhile is never delivered, as on a real connection reset.
 */
async function holdFirstCreateQueue() {
  let held: { call: ProxiedCall; clientGone: boolean } | undefined;
  let onHeld: (() => void) | undefined;
  /** CreateQueue attempts that reached the emulator, with the time they did. */
  const delivered: number[] = [];
  const proxy = await startLoopbackProxy(emulatorEndpoint(), (call) => {
    if (call.target === CREATE_QUEUE && !held) {
      const entry = { call, clientGone: false };
      call.res.on('close', () => {
        if (!call.res.writableEnded) entry.clientGone = true;
      });
      held = entry;
      onHeld?.();
      return;
    }
    if (call.target === CREATE_QUEUE) delivered.push(Date.now());
    call.forward();
  });
  proxies.push(proxy);
  return {
    url: proxy.url,
    delivered,
    /** Resolves when the first CreateQueue is held. */
    held: () =>
      new Promise<void>((resolve) => {
        if (held) resolve();
        else onHeld = resolve;
      }),
    clientGone: () => held?.clientGone ?? false,
    /** Lets the held request go on to the emulator, unless its client is gone. */
    deliver() {
      if (!held || held.clientGone) return false;
      delivered.push(Date.now());
      held.call.forward();
      return true;
    },
    /** Answers the held request with a 503, as an overloaded endpoint would (nothing executed). */
    answer503() {
      held?.call.res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
      held?.call.res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: 'try again' }));
    },
  };
}

/** Another replica, whose wall clock is ahead: by it the leader's lease has expired, so it takes it. */
function usurper() {
  const aws = testClients();
  clients.push(aws);
  const lease = new LeaderLease({
    dynamodb: aws.dynamodb,
    table: TABLE,
    target: TARGET,
    holderId: 'replica-b',
    durationMs: 60_000,
    renewIntervalMs: 20_000,
    logger: recordingLogger().logger,
    clock: { wall: () => Date.now() + 60_000, monotonic: () => performance.now() },
  });
  leases.push(lease);
  return lease;
}

async function dlqs(s: Seeder): Promise<string[]> {
  const urls = (await s.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'fence-' }))).QueueUrls ?? [];
  return urls.filter((u) => u.endsWith('-dlq'));
}

/** The leader: cycle clients through `endpoint`, its lease straight to the emulator. */
async function leader(
  endpoint: string,
  lease: { durationMs: number; renewMs: number; requestTimeoutMs: number },
) {
  const settings = { requestTimeoutMs: lease.requestTimeoutMs, maxAttempts: 3 };
  const aws = createAwsClients(testSettings({ ...settings, endpoint }));
  const { dir } = await policyDir();
  return testController(
    {
      policies: dir,
      leaderElection: true,
      leaseDurationMs: lease.durationMs,
      leaseRenewIntervalMs: lease.renewMs,
      holderId: 'replica-a',
    },
    { settings, aws },
  );
}

describe('every write attempt is fenced by the lease', () => {
  it('a retry after the lease was lost is not sent: the finding is held back, nothing is written', async () => {
    seed = testSeeder();
    await seed.queue('fence-retry', { tags: { team: 'runtime' } });
    const proxy = await holdFirstCreateQueue();
    const { controller, log } = await leader(proxy.url, {
      durationMs: 6000,
      renewMs: 2000,
      requestTimeoutMs: 1500,
    });
    const cycle = nextCycle(controller);
    await controller.start();

    // The DLQ's CreateQueue was checked against the lease and sent; it is slow on the wire.
    await proxy.held();
    expect(await usurper().tryAcquire()).toBe(true);
    const lostAt = Date.now();
    // The endpoint answers 503 (nothing executed): the SDK retries, with the lease already lost.
    proxy.answer503();

    const record = await cycle;
    const result = record.report?.results.find((r) => r.resource.endsWith(':fence-retry'));
    expect(proxy.delivered.filter((at) => at >= lostAt)).toEqual([]);
    expect(await dlqs(seed)).toEqual([]);
    expect(result?.status).toBe('deferred');
    expect(result?.message).toMatch(/^CreateQueue fence-retry-dlq .* held back: /);
    expect(log.lines().some((l) => l.decision === 'held-back' && /^LEASE_/.test(String(l.code)))).toBe(true);
  });

  it('an attempt in flight is aborted when the lease is lost: the held request never reaches AWS', async () => {
    seed = testSeeder();
    await seed.queue('fence-flight', { tags: { team: 'runtime' } });
    const proxy = await holdFirstCreateQueue();
    // A request timeout longer than the takeover, so only the abort can end the attempt early.
    const { controller } = await leader(proxy.url, {
      durationMs: 7000,
      renewMs: 2000,
      requestTimeoutMs: 4000,
    });
    const cycle = nextCycle(controller);
    await controller.start();

    await proxy.held();
    expect(await usurper().tryAcquire()).toBe(true);
    // The leader learns at its next renewal (≤ 2 s) and aborts the attempt: the client hangs up.
    await waitFor(() => proxy.clientGone() || !controller.isLeader(), 'the leader to notice', 8000);
    // Give the abort a moment to reach the socket; without it the client would wait its 4 s out
    // (then `deliver` below succeeds and the assertions fail, which is the point of the test).
    await waitFor(() => proxy.clientGone(), 'the attempt to be aborted', 2000).catch(() => undefined);
    // Now the slow network delivers what is still there.
    const deliveredLate = proxy.deliver();

    const record = await cycle;
    const result = record.report?.results.find((r) => r.resource.endsWith(':fence-flight'));
    expect(deliveredLate).toBe(false);
    expect(await dlqs(seed)).toEqual([]);
    expect(result?.status).toBe('deferred');
    expect(result?.message).toMatch(/held back: lost the lease .* while SQS\.CreateQueue was in flight/);
  });
});

describe('readiness while the lease cannot be checked', () => {
  it('/readyz fails with the reason while DynamoDB does not answer, and no write goes out; ready again after', async () => {
    seed = testSeeder();
    let dropping = false;
    const dynamo = await startLoopbackProxy(emulatorEndpoint(), (call) => {
      if (dropping) call.req.socket.destroy();
      else call.forward();
    });
    proxies.push(dynamo);
    const stateAws = testClients({ endpoint: dynamo.url, maxAttempts: 1, requestTimeoutMs: 1000 });
    const { dir } = await policyDir();
    const { controller } = testController(
      { policies: dir, leaderElection: true, leaseDurationMs: 6000, leaseRenewIntervalMs: 2000 },
      { settings: { requestTimeoutMs: 1500 }, stateAws },
    );
    const first = nextCycle(controller);
    await controller.start();
    expect((await first).outcome).toBe('success');
    const ready = await fetch(`${controller.httpUrl}/readyz`);
    expect(ready.status).toBe(200);

    dropping = true;
    const queue = await seed.queue('fence-ready', { tags: { team: 'runtime' } });
    const notReady = await waitFor(
      async () => {
        const res = await fetch(`${controller.httpUrl}/readyz`);
        return res.status === 503
          ? ((await res.json()) as { lease?: { ok: boolean; reason?: string } })
          : undefined;
      },
      '/readyz to fail',
      8000,
    );
    expect(notReady.lease?.ok).toBe(false);
    expect(notReady.lease?.reason).toMatch(
      /^cannot check the lease in the state table "edaguard-state" since .*: no write goes out until it can$/,
    );
    // A cycle now (if this replica still trusts its lease: else none runs) writes nothing.
    if (controller.isLeader()) {
      const during = nextCycle(controller, 4000).catch(() => undefined);
      controller.trigger('manual');
      await during;
    }
    expect((await seed.attributes(queue.url, ['RedrivePolicy'])).RedrivePolicy).toBeUndefined();
    expect(await dlqs(seed)).toEqual([]);

    dropping = false;
    await waitFor(
      async () => (await fetch(`${controller.httpUrl}/readyz`)).status === 200,
      'ready again',
      8000,
    );
  });
});

describe('a lease too short for one write attempt', () => {
  it('is refused at start, naming the settings and the formula', async () => {
    const { dir } = await policyDir();
    const run = await cli(['run', '--policies', dir, '--http-port', '0', '--http-host', '127.0.0.1'], {
      EDAGUARD_LEASE_DURATION: '10',
      EDAGUARD_REQUEST_TIMEOUT_MS: '15000',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'leaseDuration (--lease-duration, EDAGUARD_LEASE_DURATION) of 10 s is too short for one write attempt',
    );
    expect(run.stderr).toContain('requestTimeoutMs (EDAGUARD_REQUEST_TIMEOUT_MS, 15 s)');
  });
});
