/**
 * SIGTERM during a cycle, on a real `edaguard run` process: the write in flight completes (the
 * whole finding, never half), nothing else starts, the report's notification is flushed, the
 * lease is released, and the process exits 0 within its grace period.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseKey } from '../../src/runtime/lease.js';
import { createStateTable } from '../../src/runtime/stateTable.js';
import {
  emulatorEndpoint,
  recordingLogger,
  testClients,
  testSeeder,
  useCleanEmulator,
} from '../support/harness.js';
import { type HoldingProxy, startHoldingProxy } from '../support/holdingProxy.js';
import { policyDir, spawnRun } from '../support/runtime.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

const SECRET = 'T0000/B0000/XXXXsecretXXXX';
let seed: Seeder | undefined;
let proxy: HoldingProxy | undefined;
let webhook: Server | undefined;
let aws: ReturnType<typeof testClients> | undefined;
afterEach(async () => {
  seed?.destroy();
  aws?.destroy();
  await proxy?.close();
  await new Promise((r) => (webhook ? webhook.close(r) : r(undefined)));
  webhook?.closeAllConnections();
  seed = proxy = webhook = aws = undefined;
});

/** A Slack webhook stand-in that answers slowly: a process that does not flush would not wait. */
async function slowWebhook(delayMs: number) {
  const posts: Array<{ path: string; body: string; answeredAt?: number }> = [];
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const post: (typeof posts)[number] = { path: req.url ?? '', body };
      posts.push(post);
      setTimeout(() => {
        post.answeredAt = Date.now();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((r) => webhook?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/services/${SECRET}`, posts };
}

async function leaseExpiry(dynamodb: DynamoDBClient) {
  const out = await dynamodb.send(
    new GetItemCommand({
      TableName: 'edaguard-state',
      Key: { pk: { S: leaseKey({ accountId: '123456789012', region: 'us-east-1' }) } },
      ConsistentRead: true,
    }),
  );
  return Number(out.Item?.leaseExpiresAt?.N);
}

describe('SIGTERM during a cycle', () => {
  it('finishes the write in flight, starts nothing else, flushes notifications and exits 0 within the grace period', async () => {
    seed = testSeeder();
    aws = testClients();
    await createStateTable(aws.dynamodb, 'edaguard-state', recordingLogger().logger);
    const queues = await Promise.all(
      ['stop-a', 'stop-b', 'stop-c'].map((name) => seed?.queue(name, { tags: { team: 'runtime' } })),
    );
    const { dir } = await policyDir();
    const slack = await slowWebhook(1500);
    proxy = await startHoldingProxy(emulatorEndpoint());
    proxy.hold((target) => target === 'AmazonSQS.CreateQueue');

    const run = spawnRun(['run', '--policies', dir, '--shutdown-grace', '15', '--http-port', '0'], {
      AWS_ENDPOINT_URL: proxy.url,
      EDAGUARD_APPLY_CONCURRENCY: '1',
      EDAGUARD_SLACK_WEBHOOK_URL: slack.url,
      EDAGUARD_NOTIFY_ATTEMPTS: '1',
    });
    // The first finding's first write (CreateQueue of a DLQ) is in flight, held by the proxy.
    const held = await proxy.nextHeld();
    expect(held.target).toBe('AmazonSQS.CreateQueue');
    run.child.kill('SIGTERM');
    const sentAt = Date.now();
    await run.waitForLog((l) => l.msg === 'shutdown requested: no new cycles', 'the shutdown to start');
    proxy.releaseAll();
    const exit = await run.exited;

    expect(exit.code).toBe(0);
    expect(exit.at - sentAt).toBeLessThan(15_000);
    // The finding in flight completed (its DLQ created and attached); the others did not start.
    const writes = proxy.calls.filter((c) => /^AmazonSQS\.(CreateQueue|SetQueueAttributes)$/.test(c));
    expect(writes).toEqual(['AmazonSQS.CreateQueue', 'AmazonSQS.SetQueueAttributes']);
    const urls = (await seed.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'stop-' }))).QueueUrls ?? [];
    expect(urls.filter((u) => u.endsWith('-dlq'))).toHaveLength(1);
    let attached = 0;
    for (const q of queues)
      if ((await seed.attributes(q?.url as string, ['RedrivePolicy'])).RedrivePolicy) attached += 1;
    expect(attached).toBe(1);

    const messages = run.lines.map((l) => l.msg);
    const complete = run.lines.find((l) => l.msg === 'cycle complete');
    expect(complete).toMatchObject({ outcome: 'interrupted', summary: { fixed: 1, deferred: 2 } });
    expect(messages).toEqual(
      expect.arrayContaining([
        'stopping the cycle in progress after the write in flight',
        'released the lease',
        'controller stopped',
        'shutdown complete',
      ]),
    );
    // The interrupted cycle's report reached the (slow) webhook before the process exited.
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]?.answeredAt).toBeLessThanOrEqual(exit.at);
    expect(slack.posts[0]?.body).toContain('stop-');
    // The lease was released for the next replica.
    expect(await leaseExpiry(aws.dynamodb)).toBe(0);
    // The one fix was recorded in the same table (flapping detection), next to the lease, and so
    // was the delivered report (notification state), so the next replica does not post it again.
    const items = (await aws.dynamodb.send(new ScanCommand({ TableName: 'edaguard-state' }))).Items ?? [];
    expect(items.map((i) => i.pk?.S?.split('#')[0]).sort()).toEqual(['history', 'lease', 'notify']);
    // The webhook URL is a secret: it never reached a log line.
    expect(run.stderr()).not.toContain('secret');
    expect(run.stderr()).not.toContain(process.env.AWS_SECRET_ACCESS_KEY as string);
  });
});
