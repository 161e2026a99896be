/**
 * Fewer SQS reads (issue #15), counted per cycle against moto: queue existence from ListQueues
 * pages (never one GetQueueUrl per name), "is this queue a DLQ?" from what the cycle already read,
 * then from the cheaper of ListDeadLetterSourceQueues per candidate and the RedrivePolicy of the
 * account's unread queues. Each strategy still keeps a DLQ from getting a DLQ of its own.
 */
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicySources } from '../../src/policy/loader.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import { reconcileOnce, testSeeder, useCleanEmulator } from '../support/harness.js';
import { redrive, type Seeder } from '../support/seed.js';

useCleanEmulator();

const SQS = 'arn:aws:sqs:us-east-1:123456789012';
const TEAM = { team: 'orders' };

const policies = () =>
  parsePolicySources([
    {
      file: 'queues.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: queues }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue: { create: {} }
`,
    },
  ]);

let seed: Seeder | undefined;
afterEach(() => seed?.destroy());

/**
 * 12 queues, 9 tagged (q-0 … q-8), every third with a DLQ: q-0 → dlq-0 and q-3 → dlq-3 (not
 * tagged), q-6 → q-7 (tagged: a DLQ the cycle's own reads show). `other` (not tagged) redrives to
 * q-8: only ListDeadLetterSourceQueues or reading `other` shows that q-8 is a DLQ.
 * `noise` more untagged queues make reading the unread queues the dearer strategy.
 */
async function seedAccount(options: { noise?: number; otherRedrivesToQ8?: boolean } = {}) {
  seed = testSeeder();
  const s = seed;
  for (const n of [0, 3]) await s.queue(`dlq-${n}`);
  // Backwards: moto wants a DLQ to exist before a queue names it (q-7 before q-6).
  for (let n = 8; n >= 0; n--) {
    const dlq = n === 0 || n === 3 ? `${SQS}:dlq-${n}` : n === 6 ? `${SQS}:q-7` : undefined;
    await s.queue(`q-${n}`, {
      tags: TEAM,
      ...(dlq ? { attributes: { RedrivePolicy: redrive(dlq, 3) } } : {}),
    });
  }
  if (options.otherRedrivesToQ8 ?? true)
    await s.queue('other', { attributes: { RedrivePolicy: redrive(`${SQS}:q-8`, 3) } });
  for (let n = 0; n < (options.noise ?? 0); n++) await s.queue(`noise-${n}`);
}

const SQS_READS = [
  'ListQueues',
  'GetQueueUrl',
  'ListDeadLetterSourceQueues',
  'GetQueueAttributes',
  'ListQueueTags',
] as const;

/** The cycle's SQS reads per operation (every outcome). */
function sqsReads(report: DriftReport): Record<(typeof SQS_READS)[number], number> {
  const count = (operation: string) =>
    report.awsCalls
      .filter((c) => c.service === 'SQS' && c.operation === operation)
      .reduce((sum, c) => sum + c.count, 0);
  return Object.fromEntries(SQS_READS.map((op) => [op, count(op)])) as Record<
    (typeof SQS_READS)[number],
    number
  >;
}

const dlqResult = (report: DriftReport, name: string) =>
  report.results.find((r) => r.resource === `${SQS}:${name}` && r.rule === 'sqs-dead-letter-queue');

/** q-1, q-2, q-4, q-5 lack a DLQ and get one; q-7 and q-8 are DLQs and get none. */
function expectDlqVerdicts(report: DriftReport) {
  for (const name of ['q-1', 'q-2', 'q-4', 'q-5']) expect(dlqResult(report, name)?.status).toBe('drift');
  expect(dlqResult(report, 'q-7')).toMatchObject({
    status: 'skipped',
    message: `is the DLQ of ${SQS}:q-6; a DLQ needs no DLQ`,
  });
  expect(dlqResult(report, 'q-8')).toMatchObject({
    status: 'skipped',
    message: `is the DLQ of ${SQS}:other; a DLQ needs no DLQ`,
  });
}

const strategyLog = (log: { lines: () => Record<string, unknown>[] }) =>
  log.lines().find((l) => typeof l.msg === 'string' && l.msg.startsWith('dead-letter sources:'));

describe('SQS reads per cycle', () => {
  it('12 queues, 9 tagged: one ListQueues page, the one unread queue read, no call per candidate or name', async () => {
    await seedAccount();
    const { report, log } = await reconcileOnce(policies(), { dryRun: true });
    expectDlqVerdicts(report);
    // 9 selected + 2 DLQs they name + `other`, the only queue not read otherwise.
    expect(sqsReads(report)).toEqual({
      ListQueues: 1,
      GetQueueUrl: 0,
      ListDeadLetterSourceQueues: 0,
      GetQueueAttributes: 12,
      ListQueueTags: 0,
    });
    expect(report.discovery?.dlqSources).toMatchObject({
      strategy: 'read-unread-attributes',
      candidates: 5,
      unreadQueues: 1,
      estimatedCalls: { 'list-dead-letter-source-queues': 5, 'read-unread-attributes': 1 },
    });
    expect(strategyLog(log)).toMatchObject({ level: 30, dlqSources: { strategy: 'read-unread-attributes' } });
  });

  it('with 10 more unread queues than candidates: one ListDeadLetterSourceQueues per candidate instead', async () => {
    await seedAccount({ noise: 10 });
    const { report, log } = await reconcileOnce(policies(), { dryRun: true });
    expectDlqVerdicts(report);
    expect(sqsReads(report)).toEqual({
      ListQueues: 1,
      GetQueueUrl: 0,
      ListDeadLetterSourceQueues: 5,
      GetQueueAttributes: 11,
      ListQueueTags: 0,
    });
    expect(report.discovery?.dlqSources).toMatchObject({
      strategy: 'list-dead-letter-source-queues',
      candidates: 5,
      unreadQueues: 11,
    });
    expect(strategyLog(log)).toMatchObject({ dlqSources: { strategy: 'list-dead-letter-source-queues' } });
  });

  it('a name edaguard would create that exists is found in the listing, and its own tags are read', async () => {
    await seedAccount({ noise: 10 });
    await seed?.queue('q-1-dlq');
    const { report } = await reconcileOnce(policies(), { dryRun: true });
    expect(dlqResult(report, 'q-1')?.message).toMatch(/q-1-dlq/);
    expect(sqsReads(report)).toMatchObject({ ListQueues: 1, GetQueueUrl: 0, ListQueueTags: 1 });
  });

  it('one candidate among many queues: no account listing; one ListDeadLetterSourceQueues, one listing by prefix', async () => {
    seed = testSeeder();
    await seed.queue('lone', { tags: TEAM });
    for (let n = 0; n < 5; n++) await seed.queue(`noise-${n}`);
    const { report } = await reconcileOnce(policies(), { dryRun: true });
    expect(dlqResult(report, 'lone')?.status).toBe('drift');
    expect(sqsReads(report)).toEqual({
      ListQueues: 1,
      GetQueueUrl: 0,
      ListDeadLetterSourceQueues: 1,
      GetQueueAttributes: 1,
      ListQueueTags: 0,
    });
    expect(report.discovery?.dlqSources).toMatchObject({
      strategy: 'list-dead-letter-source-queues',
      reason: expect.stringContaining("the account's queue list is unknown"),
    });
  });

  it('converged: no ListQueues, ListDeadLetterSourceQueues or GetQueueUrl, one read per queue and DLQ', async () => {
    await seedAccount({ otherRedrivesToQ8: false });
    const first = await reconcileOnce(policies());
    expect(first.report.summary.failed).toBe(0);
    const { report } = await reconcileOnce(policies(), { dryRun: true });
    expect(report.summary.drifted).toBe(0);
    // 9 selected + dlq-0, dlq-3 + the 5 DLQs the first cycle made (q-1, q-2, q-4, q-5, q-8).
    expect(sqsReads(report)).toEqual({
      ListQueues: 0,
      GetQueueUrl: 0,
      ListDeadLetterSourceQueues: 0,
      GetQueueAttributes: 16,
      ListQueueTags: 0,
    });
    expect(report.discovery).toBeUndefined();
  });
});

describe('moto gap: ListQueues paging', () => {
  // moto 5 (sqs/models.py list_queues) returns at most 1,000 URLs, ignores MaxResults and never
  // sends NextToken. AWS pages by MaxResults with a NextToken, so edaguard takes a full page
  // without one as cut short (queueListing.ts) and narrows the prefix; the paging itself is
  // unit-tested with a fake client (test/unit/discovery/queueListing.test.ts).
  it('moto answers ListQueues with every queue under the prefix, MaxResults ignored, no NextToken', async () => {
    seed = testSeeder();
    for (const name of ['gap-a', 'gap-b', 'gap-c', 'other']) await seed.queue(name);
    const out = await seed.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'gap-', MaxResults: 1 }));
    expect(out.QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual(['gap-a', 'gap-b', 'gap-c']);
    expect(out.NextToken).toBeUndefined();
  });
});
