/**
 * Read-backs and precondition re-reads (issue #15), counted per operation against moto: each
 * resource is read at most once per purpose per cycle; the read-back of one finding's write is
 * the precondition of the next finding on the same resource; a write whose answer shows the
 * result (CreateQueue, UpdateEventSourceMapping, PutFunctionEventInvokeConfig) is not read back;
 * a converged account makes discovery's reads and nothing more. Call counts only, no timings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicySources } from '../../src/policy/loader.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import { reconcileOnce, testSeeder, useCleanEmulator } from '../support/harness.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder | undefined;
afterEach(() => seed?.destroy());

const policy = (name: string, resourceType: string, rules: string) =>
  `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: ${name} }
spec:
  enforcement: enforce
  match: { resourceTypes: [${resourceType}], tags: { team: orders } }
  rules:
${rules}`;

/** Calls of the cycle per `Service.Operation` (every outcome), writes and reads alike. */
function callsOf(report: DriftReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of report.awsCalls) {
    const key = `${c.service}.${c.operation}`;
    out[key] = (out[key] ?? 0) + c.count;
  }
  return out;
}

const statusOf = (report: DriftReport, rule: string) =>
  report.results.filter((r) => r.rule === rule).map((r) => r.status);

describe('reads around writes, per cycle', () => {
  /** `orders`: no DLQ, and a visibility timeout below 6 × its consumer's 30 s timeout. */
  async function seedOrdersQueueWithTwoDrifts() {
    seed = testSeeder();
    const queue = await seed.queue('orders', {
      tags: { team: 'orders' },
      attributes: { VisibilityTimeout: '30' },
    });
    await seed.fn('orders-consumer', 30);
    await seed.mapQueue(queue.arn, 'orders-consumer');
    return parsePolicySources([
      {
        file: 'queues.yaml',
        text: policy(
          'queues',
          'sqs:queue',
          `    sqs-dead-letter-queue: { create: {} }
    sqs-visibility-timeout: { lambdaTimeoutMultiple: 6 }
`,
        ),
      },
    ]);
  }

  /** The converged second cycle: discovery's reads (the queue and its DLQ), no write, nothing read again. */
  async function expectConverged(policies: ReturnType<typeof parsePolicySources>) {
    const second = await reconcileOnce(policies);
    expect(second.writes).toBe(0);
    const steady = callsOf(second.report);
    expect(steady['SQS.GetQueueAttributes']).toBe(2);
    expect(steady['SQS.ListQueues'] ?? 0).toBe(0);
    expect(steady['SQS.ListDeadLetterSourceQueues'] ?? 0).toBe(0);
  }

  it('sqsVerification read-back: the first finding’s read-back is the second one’s precondition; CreateQueue is not read back', async () => {
    const policies = await seedOrdersQueueWithTwoDrifts();
    const first = await reconcileOnce(policies, { settings: { sqsVerification: 'read-back' } });
    expect(statusOf(first.report, 'sqs-dead-letter-queue')).toEqual(['fixed']);
    expect(statusOf(first.report, 'sqs-visibility-timeout')).toEqual(['fixed']);
    const calls = callsOf(first.report);
    expect(calls['SQS.CreateQueue']).toBe(1);
    expect(calls['SQS.SetQueueAttributes']).toBe(2);
    // Discovery reads `orders` once. Then the first finding re-reads it (precondition), writes and
    // reads it back; the second finding starts from that read-back, writes and reads it back. The
    // DLQ created is not read: CreateQueue's answer is its read-back. Before: 1 + 2 + 2 + 1 = 6.
    expect(calls['SQS.GetQueueAttributes']).toBe(4);
    await expectConverged(policies);
  });

  it('sqsVerification next-cycle (the default): no read-back after SetQueueAttributes, each write still re-read before; the next cycle verifies', async () => {
    const policies = await seedOrdersQueueWithTwoDrifts();
    const first = await reconcileOnce(policies);
    expect(statusOf(first.report, 'sqs-dead-letter-queue')).toEqual(['fixed']);
    expect(statusOf(first.report, 'sqs-visibility-timeout')).toEqual(['fixed']);
    const calls = callsOf(first.report);
    expect(calls['SQS.SetQueueAttributes']).toBe(2);
    // Discovery reads `orders` once and each finding re-reads it before its write (precondition):
    // 3. With a read-back after each write it was 4.
    expect(calls['SQS.GetQueueAttributes']).toBe(3);
    const applied = first.log.lines().filter((l) => l.decision === 'write' && l.outcome === 'ok');
    const bySetQueueAttributes = applied.filter((l) => String(l.write).startsWith('SetQueueAttributes'));
    expect(bySetQueueAttributes.map((l) => l.verifiedBy)).toEqual(['next-cycle', 'next-cycle']);
    expect(applied.find((l) => String(l.write).startsWith('CreateQueue'))?.verifiedBy).toBe('answer');
    // The next cycle's discovery is the read-back: it finds both fixes in place and writes nothing.
    await expectConverged(policies);
  });

  it('a stream mapping updated by two findings: one GetEventSourceMapping (the first precondition); the updates’ answers are the rest', async () => {
    seed = testSeeder();
    const stream = await seed.kinesisStream('orders-stream');
    await seed.fn('orders-projector', 30, { team: 'orders', 'edaguard.dev/partial-batch': 'supported' });
    await seed.mapStream(stream, 'orders-projector');
    const policies = parsePolicySources([
      {
        file: 'functions.yaml',
        text: policy(
          'functions',
          'lambda:function',
          `    esm-stream-failure-handling:
      maxRetryAttempts: 3
      maxRecordAgeSeconds: 3600
      onFailure: { create: { nameSuffix: -failures } }
    esm-partial-batch-response:
      optInTag: { edaguard.dev/partial-batch: supported }
`,
        ),
      },
    ]);

    const first = await reconcileOnce(policies);
    expect(statusOf(first.report, 'esm-stream-failure-handling')).toEqual(['fixed']);
    expect(statusOf(first.report, 'esm-partial-batch-response')).toEqual(['fixed']);
    const calls = callsOf(first.report);
    expect(calls['Lambda.UpdateEventSourceMapping']).toBe(2);
    expect(calls['SQS.CreateQueue']).toBe(1);
    // Before: a precondition read and a read-back for each update (4).
    expect(calls['Lambda.GetEventSourceMapping']).toBe(1);
    // The on-failure queue edaguard created is not read back.
    expect(calls['SQS.GetQueueAttributes'] ?? 0).toBe(0);

    const second = await reconcileOnce(policies);
    expect(second.writes).toBe(0);
    expect(callsOf(second.report)['Lambda.GetEventSourceMapping'] ?? 0).toBe(0);
  });

  it('an async invoke config: discovery and precondition read it, Put’s answer is the read-back', async () => {
    seed = testSeeder();
    const fn = await seed.fn('order-notifier', 30, { team: 'orders' });
    await seed.snsToLambda('order-events', fn);
    const policies = parsePolicySources([
      {
        file: 'functions.yaml',
        text: policy(
          'functions',
          'lambda:function',
          `    lambda-async-invoke-config:
      maxRetryAttempts: 1
      maxEventAgeSeconds: 3600
      onFailure: { create: { nameSuffix: -failures } }
`,
        ),
      },
    ]);

    const first = await reconcileOnce(policies);
    expect(statusOf(first.report, 'lambda-async-invoke-config')).toEqual(['fixed']);
    const calls = callsOf(first.report);
    expect(calls['Lambda.PutFunctionEventInvokeConfig']).toBe(1);
    // Before: discovery, precondition and read-back (3).
    expect(calls['Lambda.GetFunctionEventInvokeConfig']).toBe(2);

    const second = await reconcileOnce(policies);
    expect(second.writes).toBe(0);
    expect(callsOf(second.report)['Lambda.GetFunctionEventInvokeConfig']).toBe(1);
  });
});
