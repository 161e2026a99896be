import { DeleteQueueCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeSettings } from '../../src/config/runtime.js';
import { runCycle } from '../../src/cycle.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import {
  recordingLogger,
  testClients,
  testSeeder,
  testSettings,
  useCleanEmulator,
} from '../support/harness.js';
import { redrive, type Seeder } from '../support/seed.js';
import { startTaggingLagProxy } from '../support/taggingLagProxy.js';

useCleanEmulator();

const policy = (rules: string, enforcement = 'enforce') =>
  parsePolicySources([
    {
      file: 'policy.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: ${enforcement}
  match: { tags: { team: orders } }
  rules:
${rules}`,
    },
  ]);

const DLQ_RULE = `    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
    sqs-dlq-retention: { minSeconds: 1209600 }
`;

let seed: Seeder;
afterEach(() => seed?.destroy());

async function reconcile(rules = DLQ_RULE, settings: Partial<RuntimeSettings> = {}): Promise<DriftReport> {
  const aws = testClients(settings);
  try {
    return await runCycle(policy(rules), aws, {
      settings: testSettings(settings),
      dryRun: false,
      logger: recordingLogger().logger,
    });
  } finally {
    aws.destroy();
  }
}

const resultFor = (report: DriftReport, name: string, rule: string) =>
  report.results.find((r) => r.resource.endsWith(`:${name}`) && r.rule === rule);

describe('sqs-dead-letter-queue against the emulator', () => {
  it('creates a tagged DLQ with 14-day retention and attaches it', async () => {
    seed = testSeeder();
    const q = await seed.queue('orders', { tags: { team: 'orders' } });
    const report = await reconcile();
    expect(resultFor(report, 'orders', 'sqs-dead-letter-queue')?.status).toBe('fixed');

    const attrs = await seed.attributes(q.url);
    expect(JSON.parse(attrs.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
      maxReceiveCount: 3,
    });
    const dlqUrl = q.url.replace(/orders$/, 'orders-dlq');
    expect((await seed.attributes(dlqUrl)).MessageRetentionPeriod).toBe('1209600');
    const tags = await seed.sqs.send(new ListQueueTagsCommand({ QueueUrl: dlqUrl }));
    expect(tags.Tags).toEqual({ 'edaguard.dev/managed-by': 'edaguard', 'edaguard.dev/dlq-for': q.arn });
  });

  it('gives a FIFO queue a FIFO DLQ, and a KMS-encrypted queue a DLQ under the same key', async () => {
    seed = testSeeder();
    const fifo = await seed.queue('payments.fifo', { tags: { team: 'orders' } });
    const kms = await seed.queue('secrets', {
      attributes: { KmsMasterKeyId: 'alias/orders', KmsDataKeyReusePeriodSeconds: '600' },
      tags: { team: 'orders' },
    });
    await reconcile();
    const fifoDlq = await seed.attributes(fifo.url.replace(/payments\.fifo$/, 'payments-dlq.fifo'));
    expect(fifoDlq.FifoQueue).toBe('true');
    expect(JSON.parse((await seed.attributes(fifo.url)).RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(
      'arn:aws:sqs:us-east-1:123456789012:payments-dlq.fifo',
    );
    const kmsDlq = await seed.attributes(kms.url.replace(/secrets$/, 'secrets-dlq'));
    expect(kmsDlq.KmsMasterKeyId).toBe('alias/orders');
    expect(kmsDlq.KmsDataKeyReusePeriodSeconds).toBe('600');
  });

  it('sets an out-of-range maxReceiveCount to the default and keeps the DLQ', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('shipping-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
    const q = await seed.queue('shipping', {
      attributes: { RedrivePolicy: redrive(dlq.arn, 50) },
      tags: { team: 'orders' },
    });
    const report = await reconcile();
    expect(resultFor(report, 'shipping', 'sqs-dead-letter-queue')).toMatchObject({
      status: 'fixed',
      observed: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 50 },
      desired: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 },
    });
    expect(JSON.parse((await seed.attributes(q.url)).RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: 3,
    });
  });

  it('adopts a DLQ of the right name that edaguard created, and leaves a foreign one alone', async () => {
    seed = testSeeder();
    const ours = await seed.queue('a-dlq', { tags: { 'edaguard.dev/managed-by': 'edaguard' } });
    const a = await seed.queue('a', { tags: { team: 'orders' } });
    const foreign = await seed.queue('b-dlq', { attributes: { MessageRetentionPeriod: '60' } });
    const b = await seed.queue('b', { tags: { team: 'orders' } });
    const report = await reconcile();

    expect(resultFor(report, 'a', 'sqs-dead-letter-queue')?.status).toBe('fixed');
    expect(JSON.parse((await seed.attributes(a.url)).RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(
      ours.arn,
    );
    expect(report.awsCalls.find((c) => c.operation === 'CreateQueue')?.count ?? 0).toBe(0);

    const bResult = resultFor(report, 'b', 'sqs-dead-letter-queue');
    expect(bResult?.status).toBe('ticket');
    expect(bResult?.message).toContain('b-dlq exists but edaguard did not create it');
    expect((await seed.attributes(b.url)).RedrivePolicy).toBeUndefined();
    expect((await seed.attributes(foreign.url)).MessageRetentionPeriod).toBe('60');
  });

  it('adopts its DLQ even before the tagging API lists it (eventually consistent), by the queue’s own tags', async () => {
    seed = testSeeder();
    const a = await seed.queue('a', { tags: { team: 'orders' } });
    // What a cycle killed between CreateQueue and SetQueueAttributes leaves behind.
    const ours = await seed.queue('a-dlq', {
      attributes: { MessageRetentionPeriod: '1209600' },
      tags: { 'edaguard.dev/managed-by': 'edaguard', 'edaguard.dev/dlq-for': a.arn },
    });
    const lag = await startTaggingLagProxy(testSettings().endpoint as string, 'edaguard.dev/managed-by');
    try {
      const report = await reconcile(DLQ_RULE, { endpoint: lag.url });
      expect(lag.hiddenAnswers()).toBeGreaterThan(0);
      expect(resultFor(report, 'a', 'sqs-dead-letter-queue')?.status).toBe('fixed');
      expect(report.awsCalls.find((c) => c.operation === 'CreateQueue')?.count ?? 0).toBe(0);
      expect(JSON.parse((await seed.attributes(a.url)).RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(
        ours.arn,
      );
    } finally {
      await lag.close();
    }
  });

  it('recreates a DLQ whose target queue was deleted', async () => {
    seed = testSeeder();
    const gone = await seed.queue('deleted-dlq');
    const q = await seed.queue('orphan', {
      attributes: { RedrivePolicy: redrive(gone.arn, 3) },
      tags: { team: 'orders' },
    });
    await seed.sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
    const report = await reconcile();
    expect(resultFor(report, 'orphan', 'sqs-dead-letter-queue')?.message).toContain('does not exist');
    expect(JSON.parse((await seed.attributes(q.url)).RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(
      'arn:aws:sqs:us-east-1:123456789012:orphan-dlq',
    );
  });

  it('gives no DLQ to a queue that is itself a DLQ of an unselected queue', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('tagged-dlq', {
      tags: { team: 'orders' },
      attributes: { MessageRetentionPeriod: '1209600' },
    });
    await seed.queue('untagged-source', { attributes: { RedrivePolicy: redrive(dlq.arn, 3) } });
    const report = await reconcile();
    expect(resultFor(report, 'tagged-dlq', 'sqs-dead-letter-queue')?.status).toBe('skipped');
    expect((await seed.attributes(dlq.url)).RedrivePolicy).toBeUndefined();
    expect(report.awsCalls.filter((c) => c.operation === 'CreateQueue')).toEqual([]);
  });

  it('raises the retention of an existing DLQ', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('invoices-dlq', { attributes: { MessageRetentionPeriod: '345600' } });
    await seed.queue('invoices', {
      attributes: { RedrivePolicy: redrive(dlq.arn, 3) },
      tags: { team: 'orders' },
    });
    const report = await reconcile();
    expect(resultFor(report, 'invoices-dlq', 'sqs-dlq-retention')).toMatchObject({
      status: 'fixed',
      observed: { messageRetentionPeriod: 345600 },
      desired: { messageRetentionPeriod: 1209600 },
    });
    expect((await seed.attributes(dlq.url)).MessageRetentionPeriod).toBe('1209600');
  });
});
