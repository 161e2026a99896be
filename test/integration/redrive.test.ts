/**
 * `edaguard redrive` against the emulator through the real SDK. moto 5.2.1 has no
 * StartMessageMoveTask (moto/sqs/responses.py has no handler for it), so every run here uses the
 * receive → send → delete mover; the move-task path is covered in test/unit/redrive/moveTask.test.ts
 * with the SQS client mocked at the client boundary.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { redrive } from '../../src/redrive/redrive.js';
import { cli, emulatorEndpoint, testClients, testSeeder, useCleanEmulator } from '../support/harness.js';
import { exchangeUpstream, startLoopbackProxy } from '../support/loopbackProxy.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

/** Takes every message now visible out of the queue (deleted, so FIFO groups are not held). */
async function drain(url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const out = await seed.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const got = out.Messages ?? [];
    if (got.length === 0) empty += 1;
    else
      await seed.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    all.push(...got);
  }
  return all;
}

async function sendBodies(url: string, bodies: string[], extra: (i: number) => object = () => ({})) {
  for (let i = 0; i < bodies.length; i += 10) {
    await seed.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies
          .slice(i, i + 10)
          .map((body, j) => ({ Id: `e${j}`, MessageBody: body, ...extra(i + j) })),
      }),
    );
  }
}

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Receives (and leaves) up to 10 messages: their ApproximateReceiveCount after this receive. */
async function receiveCounts(url: string): Promise<string[]> {
  const out = await seed.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return (out.Messages ?? []).map((m) => m.Attributes?.ApproximateReceiveCount ?? '?');
}

/**
 * A proxy that answers the first SendMessageBatch entry with this body as a per-entry failure
 * (the entry never reaches the emulator) and keeps the bodies of every batch sent.
 */
async function refuseOnce(upstream: string, body: string) {
  const sent: string[][] = [];
  let refused = false;
  const up = new URL(upstream);
  const proxy = await startLoopbackProxy(upstream, (call) => {
    if (call.target !== 'AmazonSQS.SendMessageBatch') return call.forward();
    const input = JSON.parse(call.body.toString('utf8')) as {
      Entries: Array<{ Id: string; MessageBody: string }>;
    };
    sent.push(input.Entries.map((e) => e.MessageBody));
    const refusedEntry = refused ? undefined : input.Entries.find((e) => e.MessageBody === body);
    if (!refusedEntry) return call.forward();
    refused = true;
    const failed = {
      Id: refusedEntry.Id,
      Code: 'KMS.ThrottlingException',
      SenderFault: false,
      Message: 'throttled',
    };
    const rest = input.Entries.filter((e) => e !== refusedEntry);
    const answer = async () => {
      if (rest.length === 0) return { Successful: [], Failed: [failed] };
      const forwarded = Buffer.from(JSON.stringify({ ...input, Entries: rest }));
      call.req.headers['content-length'] = String(forwarded.length);
      const out = await exchangeUpstream(up, call.req, forwarded);
      const parsed = JSON.parse(out.body.toString('utf8')) as { Successful?: unknown[]; Failed?: unknown[] };
      return { ...parsed, Failed: [...(parsed.Failed ?? []), failed] };
    };
    void answer().then((value) => {
      const text = JSON.stringify(value);
      call.res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
      });
      call.res.end(text);
    });
  });
  return { url: proxy.url, sent, close: proxy.close };
}

const bodiesOf = (messages: Message[]) => messages.map((m) => m.Body as string).sort();
const range = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

describe('edaguard redrive (mover, against the emulator)', () => {
  it('moves a Lambda-fed DLQ to a named target with attributes intact and exits 0, JSON progress lines', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('orders-failures');
    const target = await seed.queue('orders');
    const bodies = range(23, 'order');
    await sendBodies(dlq.url, bodies, (i) => ({
      MessageAttributes: {
        tenant: { DataType: 'String', StringValue: `t${i % 3}` },
        attempt: { DataType: 'Number', StringValue: String(i) },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([i, 255, 0]) },
      },
    }));

    const run = await cli(['redrive', dlq.name, '--to', target.url, '--rate', '500']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.filter((l) => l.progress === 'redrive').length).toBeGreaterThanOrEqual(3);
    const result = lines.find((l) => l.result === 'redrive');
    expect(result).toMatchObject({ mode: 'mover', moved: 23, failed: 0, duplicates: 0, stoppedBy: 'empty' });
    // A DLQ no SQS queue uses: StartMessageMoveTask does not apply, the mover is chosen up front.
    expect(String(result?.fallbackReason)).toContain('Lambda or SNS');

    const moved = await drain(target.url);
    expect(bodiesOf(moved)).toEqual(bodies);
    for (const m of moved) {
      const i = Number((m.Body as string).slice(-2));
      expect(m.MessageAttributes?.tenant?.StringValue).toBe(`t${i % 3}`);
      expect(m.MessageAttributes?.attempt).toMatchObject({ DataType: 'Number', StringValue: String(i) });
      expect([...(m.MessageAttributes?.blob?.BinaryValue ?? [])]).toEqual([i, 255, 0]);
    }
    expect(await drain(dlq.url)).toEqual([]);
  });

  it('moto gap (no StartMessageMoveTask): a DLQ of an SQS queue falls back to the mover and returns messages to their source', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('payments-dlq');
    const source = await seed.queue('payments', {
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) },
    });
    await sendBodies(source.url, range(4, 'pay'));
    // A failing consumer: receive once (hidden 0 s), the next receive moves them to the DLQ.
    await seed.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    await seed.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: source.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(
      (await seed.attributes(dlq.url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages,
    ).toBe('4');

    const run = await cli(['redrive', dlq.url]);
    expect(run.code).toBe(0);
    const result = jsonLines(run.stdout).find((l) => l.result === 'redrive');
    expect(result).toMatchObject({ mode: 'mover', moved: 4 });
    expect(String(result?.fallbackReason)).toMatch(/StartMessageMoveTask unavailable here/);
    expect(bodiesOf(await drain(source.url))).toEqual(range(4, 'pay'));
  });

  it('keeps per-group order and group ids from a FIFO DLQ to a FIFO target, each copy with a fresh deduplication id', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('ledger-dlq.fifo');
    const target = await seed.queue('ledger.fifo');
    const groups = ['acct-a', 'acct-b', 'acct-c'];
    // Interleaved: a0 b0 c0 a1 b1 c1 … (8 per group, 24 in all: three receive batches).
    for (let i = 0; i < 8; i += 1) {
      for (const g of groups) {
        await seed.sqs.send(
          new SendMessageCommand({
            QueueUrl: dlq.url,
            MessageBody: `${g}#${i}`,
            MessageGroupId: g,
            MessageDeduplicationId: `dedup-${g}-${i}`,
          }),
        );
      }
    }
    const run = await cli(['redrive', dlq.url, '--to', target.url, '--rate', '500']);
    expect(run.code).toBe(0);
    const moved = await drain(target.url);
    expect(moved).toHaveLength(24);
    for (const g of groups) {
      const inGroup = moved.filter((m) => m.Attributes?.MessageGroupId === g);
      expect(inGroup.map((m) => m.Body)).toEqual(Array.from({ length: 8 }, (_, i) => `${g}#${i}`));
      // Each copy has a deduplication id of its own, never the original's (see the 5-minute test).
      const ids = inGroup.map((m) => m.Attributes?.MessageDeduplicationId);
      expect(new Set(ids).size).toBe(8);
      for (const [i, id] of ids.entries()) expect(id).not.toBe(`dedup-${g}-${i}`);
    }
  });

  it('a crash after the send and before the delete loses nothing: every message in the DLQ or the target', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('crash-dlq');
    const target = await seed.queue('crash-target');
    const bodies = range(35, 'msg');
    await sendBodies(dlq.url, bodies);
    const aws = testClients();
    let batches = 0;
    try {
      await expect(
        redrive(aws.sqs, {
          dlq: dlq.url,
          to: target.url,
          mode: 'mover',
          dryRun: false,
          wait: true,
          perSecond: 500,
          waitTimeSeconds: 0,
          visibilityTimeoutSeconds: 1,
          afterSend: () => {
            batches += 1;
            // The process dies with batch 2's copies acknowledged and not yet deleted.
            if (batches === 2) throw new Error('simulated crash');
          },
        }),
      ).rejects.toThrow('simulated crash');
      await new Promise((r) => setTimeout(r, 1200)); // batch 2's DLQ copies become visible again
      const inTarget = bodiesOf(await drain(target.url));
      const inDlq = bodiesOf(await drain(dlq.url));
      expect(inTarget).toHaveLength(20);
      expect(inDlq).toHaveLength(25);
      // Never zero copies; the crashed batch (10 messages) is in both: at-least-once.
      const everywhere = new Set([...inTarget, ...inDlq]);
      expect([...everywhere].sort()).toEqual(bodies);
      expect(inTarget.filter((b) => inDlq.includes(b))).toHaveLength(10);
    } finally {
      aws.destroy();
    }
  });

  it('an interruption (abort) finishes the batch in flight, stops, and a second run completes the move', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('abort-dlq');
    const target = await seed.queue('abort-target');
    const bodies = range(30, 'job');
    await sendBodies(dlq.url, bodies);
    const aws = testClients();
    const controller = new AbortController();
    try {
      const first = await redrive(aws.sqs, {
        dlq: dlq.url,
        to: target.url,
        mode: 'mover',
        dryRun: false,
        wait: true,
        perSecond: 500,
        waitTimeSeconds: 0,
        signal: controller.signal,
        afterSend: () => controller.abort(), // SIGINT arrives mid-batch, between send and delete
      });
      expect(first.kind).toBe('mover');
      if (first.kind !== 'mover') return;
      expect(first.result).toMatchObject({ moved: 10, failed: 0, duplicates: 0, stoppedBy: 'aborted' });
      expect(
        Number((await seed.attributes(dlq.url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages),
      ).toBe(20);

      const second = await redrive(aws.sqs, {
        dlq: dlq.url,
        to: target.url,
        mode: 'mover',
        dryRun: false,
        wait: true,
        perSecond: 500,
        waitTimeSeconds: 0,
      });
      expect(second.kind === 'mover' && second.result.moved).toBe(20);
      expect(bodiesOf(await drain(target.url))).toEqual(bodies);
    } finally {
      aws.destroy();
    }
  });

  it('SIGINT on a real `edaguard redrive` process: it stops after the batch in flight, exit 1, nothing lost', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('sigint-dlq');
    const target = await seed.queue('sigint-target');
    const bodies = range(30, 'sig');
    await sendBodies(dlq.url, bodies);
    // 5 messages/s: the second batch waits 2 s, time enough to interrupt between batches.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'redrive', dlq.url, '--to', target.url, '--rate', '5'],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: emulatorEndpoint(),
          EDAGUARD_PROGRESS: 'json',
          NODE_OPTIONS: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no progress line: ${stdout}`)), 20_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('"progress":"redrive"')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      child.kill('SIGINT');
      expect(await exited).toBe(1);
    } finally {
      child.kill('SIGKILL');
    }
    const result = jsonLines(stdout).find((l) => l.result === 'redrive');
    expect(result).toMatchObject({ moved: 10, stoppedBy: 'aborted', duplicates: 0 });
    const inTarget = bodiesOf(await drain(target.url));
    const inDlq = bodiesOf(await drain(dlq.url));
    expect(inTarget).toHaveLength(10);
    expect([...inTarget, ...inDlq].sort()).toEqual(bodies);
  });

  it('--dry-run counts with GetQueueAttributes and leaves the DLQ untouched; --preview receives; --max moves exactly N', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('dry-dlq');
    const target = await seed.queue('dry-target');
    await sendBodies(dlq.url, range(12, 'dry'));

    const dry = await cli(['redrive', dlq.url, '--to', target.name, '--dry-run']);
    expect(dry.code).toBe(0);
    // No receive happened: the first real receive is each message's first.
    const counts = await receiveCounts(dlq.url);
    expect(counts).toHaveLength(10);
    expect(new Set(counts)).toEqual(new Set(['1']));
    const result = jsonLines(dry.stdout).find((l) => l.result === 'redrive');
    expect(result).toMatchObject({ dryRun: true, approximateMessages: 12, targets: [target.arn] });
    expect(result?.samples).toBeUndefined();
    expect(await drain(target.url)).toEqual([]);

    const preview = await cli(['redrive', dlq.url, '--to', target.name, '--dry-run', '--preview']);
    expect(preview.code).toBe(0);
    const samples = jsonLines(preview.stdout).find((l) => l.result === 'redrive')?.samples as Array<{
      target: string;
      bodyPreview: string;
    }>;
    expect(samples.length).toBeGreaterThan(0);
    expect(samples[0]?.target).toBe(target.arn);
    expect(samples[0]?.bodyPreview).toMatch(/^dry-/);
    expect(await drain(target.url)).toEqual([]);
    // A preview without --dry-run would move messages: refused.
    expect((await cli(['redrive', dlq.url, '--to', target.name, '--preview'])).code).toBe(2);

    const some = await cli(['redrive', dlq.url, '--to', target.name, '--max', '5']);
    expect(some.code).toBe(0);
    expect(jsonLines(some.stdout).find((l) => l.result === 'redrive')).toMatchObject({
      moved: 5,
      stoppedBy: 'max',
    });
    expect(await drain(target.url)).toHaveLength(5);
  });

  it('FIFO: a copy the target refuses stops its group there: nothing later of the group was sent, other groups moved', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('order-dlq.fifo');
    const target = await seed.queue('order.fifo');
    for (let i = 0; i < 4; i += 1)
      for (const g of ['a', 'b'])
        await seed.sqs.send(
          new SendMessageCommand({
            QueueUrl: dlq.url,
            MessageBody: `${g}#${i}`,
            MessageGroupId: g,
            MessageDeduplicationId: `${g}-${i}`,
          }),
        );
    // The target answers a#1's entry with a per-entry failure (as SQS does, e.g. on a KMS throttle).
    const refusing = await refuseOnce(emulatorEndpoint(), 'a#1');
    try {
      const run = await cli(['redrive', dlq.url, '--to', target.url, '--rate', '500'], {
        AWS_ENDPOINT_URL: refusing.url,
      });
      expect(run.code).toBe(1);
      expect(jsonLines(run.stdout).find((l) => l.result === 'redrive')).toMatchObject({
        moved: 5,
        failed: 3,
        stoppedBy: 'fifo-order',
      });
      expect(refusing.sent.flat()).not.toContain('a#2');
      expect(refusing.sent.flat()).not.toContain('a#3');
    } finally {
      await refusing.close();
    }
    const first = await drain(target.url);
    expect(first.map((m) => m.Body)).toEqual(['a#0', 'b#0', 'b#1', 'b#2', 'b#3']);
    // Once the cause is gone, a second run moves the rest of group a, in order.
    expect((await cli(['redrive', dlq.url, '--to', target.url, '--rate', '500'])).code).toBe(0);
    expect((await drain(target.url)).map((m) => m.Body)).toEqual(['a#1', 'a#2', 'a#3']);
  });

  it('FIFO: a copy whose original id the target saw within 5 minutes is delivered, not dropped and deleted', async () => {
    // moto keeps a deduplication id only while a message carrying it is stored (AWS: 5 minutes,
    // even after the delete; that case is in test/unit/redrive/mover.test.ts). Here the target
    // still holds the first delivery of "pay-1", in flight to a slow consumer.
    seed = testSeeder();
    const dlq = await seed.queue('pay-dlq.fifo');
    const target = await seed.queue('pay.fifo');
    const first = { MessageBody: 'pay-1', MessageGroupId: 'acct', MessageDeduplicationId: 'pay-1-id' };
    await seed.sqs.send(new SendMessageCommand({ QueueUrl: target.url, ...first }));
    await seed.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: target.url, MaxNumberOfMessages: 1, VisibilityTimeout: 2 }),
    );
    await seed.sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, ...first }));

    const run = await cli(['redrive', dlq.url, '--to', target.url]);
    expect(run.code).toBe(0);
    expect(await drain(dlq.url)).toEqual([]);
    await new Promise((r) => setTimeout(r, 2100)); // the first delivery becomes visible again
    const inTarget = await drain(target.url);
    // Both: the first delivery and the redriven copy, with a deduplication id of its own.
    expect(inTarget.map((m) => m.Body)).toEqual(['pay-1', 'pay-1']);
    expect(inTarget[1]?.Attributes?.MessageDeduplicationId).not.toBe('pay-1-id');
  });

  it('refuses (exit 2, nothing moved) when the queue types differ, either way', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('guarded-dlq');
    await sendBodies(dlq.url, range(3, 'g'));
    const fifo = await seed.queue('strict.fifo');
    const fifoDlq = await seed.queue('strict-dlq.fifo');
    const standard = await seed.queue('plain');

    const toFifo = await cli(['redrive', dlq.url, '--to', fifo.url]);
    expect(toFifo.code).toBe(2);
    expect(toFifo.stderr).toMatch(/redrive refused[\s\S]*standard and .*strict\.fifo is FIFO/);
    const toStandard = await cli(['redrive', fifoDlq.url, '--to', standard.url]);
    expect(toStandard.code).toBe(2);
    expect(toStandard.stderr).toMatch(/strict-dlq\.fifo is FIFO and .*plain is standard/);
    expect(await drain(dlq.url)).toHaveLength(3);
    expect(await drain(fifo.url)).toEqual([]);
  });

  it('moto gap: RedriveAllowPolicy is stored but never returned, so its refusals are unit-tested', async () => {
    // moto 5.2.1 keeps RedriveAllowPolicy from SetQueueAttributes but leaves it out of
    // GetQueueAttributes (All), and rejects it as an attribute name. AWS returns it. The refusals
    // (denyAll, byQueue without the DLQ) are covered in test/unit/redrive/resolveTarget.test.ts.
    seed = testSeeder();
    const q = await seed.queue('deny-all');
    await seed.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: q.url,
        Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) },
      }),
    );
    expect((await seed.attributes(q.url, ['All'])).RedriveAllowPolicy).toBeUndefined();
    await expect(seed.attributes(q.url, ['RedriveAllowPolicy'])).rejects.toThrow(
      /Unknown Attribute RedriveAllowPolicy/,
    );
  });

  it('a missing DLQ exits 2; a DLQ nothing uses without --to exits 2; --status says move tasks are unavailable here (exit 1)', async () => {
    seed = testSeeder();
    expect((await cli(['redrive', 'no-such-queue'])).code).toBe(2);
    const orphan = await seed.queue('orphan-dlq');
    const run = await cli(['redrive', orphan.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/name the target with --to/);
    const status = await cli(['redrive', orphan.url, '--status']);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/move tasks are not available at this endpoint/);
  });
});
