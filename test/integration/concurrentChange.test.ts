/**
 * Someone else changes a resource between edaguard's discovery and its writes: a person in the
 * console, a deploy pipeline. edaguard must not overwrite their edit, must not touch attributes it
 * does not own, must not recreate what they deleted, and must not fail the cycle.
 */
import {
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { DeleteQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, type FindingResult } from '../../src/apply/apply.js';
import { discoverAndPlan } from '../../src/cycle.js';
import { loadPolicyDir } from '../../src/policy/loader.js';
import {
  reconcileOnce,
  recordingLogger,
  testClients,
  testSeeder,
  testSettings,
  useCleanEmulator,
} from '../support/harness.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

/** Discovers and plans, lets `meanwhile` change the account, then applies the stale plan. */
async function applyAfter(meanwhile: () => Promise<void>) {
  const aws = testClients();
  const log = recordingLogger();
  try {
    const policies = await loadPolicyDir(SANDBOX_POLICY_DIR);
    const { inventory, plan } = await discoverAndPlan(policies, aws, {
      settings: testSettings(),
      logger: log.logger,
    });
    await meanwhile();
    const before = aws.counter.snapshot();
    const results = await applyPlan(plan, aws, {
      dryRun: false,
      maxChanges: 200,
      concurrency: 2,
      verifyAttempts: 3,
      verifyDelayMs: 50,
      endpoint: testSettings().endpoint,
      logger: log.logger,
      inventory,
    });
    const writesTo = (operation: string) =>
      aws.counter
        .snapshot()
        .filter((c) => c.operation === operation)
        .reduce((n, c) => n + c.count, 0) -
      before.filter((c) => c.operation === operation).reduce((n, c) => n + c.count, 0);
    return { results, log, writesTo };
  } finally {
    aws.destroy();
  }
}

const resultFor = (results: readonly FindingResult[], queueOrUuid: string, rule: string) =>
  results.find((r) => r.finding.resource.endsWith(`:${queueOrUuid}`) && r.finding.rule === rule);

const queueUrl = async (name: string) =>
  (await seed.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;

describe('a resource changed by someone else between discovery and apply', () => {
  it('an edited visibility timeout is not overwritten, and the redrive fix leaves it alone', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const orders = await queueUrl('orders');
    const { results, log } = await applyAfter(() =>
      seed.sqs
        .send(new SetQueueAttributesCommand({ QueueUrl: orders, Attributes: { VisibilityTimeout: '45' } }))
        .then(() => undefined),
    );
    const visibility = resultFor(results, 'orders', 'sqs-visibility-timeout');
    expect(visibility?.status).toBe('deferred');
    expect(visibility?.message).toMatch(/changed after discovery \(VisibilityTimeout\); not overwritten/);
    // The DLQ fix on the same queue went ahead: it writes RedrivePolicy only.
    expect(resultFor(results, 'orders', 'sqs-dead-letter-queue')?.status).toBe('fixed');
    const after = await seed.attributes(orders, ['VisibilityTimeout', 'RedrivePolicy']);
    expect(after.VisibilityTimeout).toBe('45');
    expect(JSON.parse(after.RedrivePolicy as string).deadLetterTargetArn).toMatch(/:orders-dlq$/);
    const line = log
      .lines()
      .find((l) => l.rule === 'sqs-visibility-timeout' && l.resource === visibility?.finding.resource);
    expect(line).toMatchObject({
      decision: 'precondition-failed',
      code: 'CHANGED_SINCE_DISCOVERY',
      changed: ['VisibilityTimeout'],
    });
    expect(results.filter((r) => r.status === 'failed')).toEqual([]);

    // The next cycle plans from what is there now (45 s is still too short for a 60 s function) and fixes it.
    const next = await reconcileOnce(await loadPolicyDir(SANDBOX_POLICY_DIR));
    expect(
      next.report.results.find((r) => r.rule === 'sqs-visibility-timeout' && r.resource.endsWith(':orders'))
        ?.status,
    ).toBe('fixed');
    expect((await reconcileOnce(await loadPolicyDir(SANDBOX_POLICY_DIR))).writes).toBe(0);
  });

  it('a redrive policy removed meanwhile is not rewritten from the stale plan', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const shipping = await queueUrl('shipping');
    const { results, writesTo } = await applyAfter(() =>
      seed.sqs
        .send(new SetQueueAttributesCommand({ QueueUrl: shipping, Attributes: { RedrivePolicy: '' } }))
        .then(() => undefined),
    );
    const dlq = resultFor(results, 'shipping', 'sqs-dead-letter-queue');
    expect(dlq?.status).toBe('deferred');
    expect(dlq?.message).toMatch(/queue shipping changed after discovery \(RedrivePolicy\)/);
    expect((await seed.attributes(shipping, ['RedrivePolicy'])).RedrivePolicy ?? '').toBe('');
    // The other findings of the cycle were still fixed.
    expect(resultFor(results, 'invoices-dlq', 'sqs-dlq-retention')?.status).toBe('fixed');
    expect(writesTo('SetQueueAttributes')).toBeGreaterThan(0);
  });

  it('a queue deleted meanwhile is reported, never recreated, and gets no DLQ', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const orders = await queueUrl('orders');
    const { results, writesTo } = await applyAfter(() =>
      seed.sqs.send(new DeleteQueueCommand({ QueueUrl: orders })).then(() => undefined),
    );
    for (const rule of ['sqs-dead-letter-queue', 'sqs-visibility-timeout']) {
      const r = resultFor(results, 'orders', rule);
      expect(r?.status, rule).toBe('deferred');
      expect(r?.message, rule).toMatch(
        /queue orders was deleted after discovery; edaguard does not recreate it/,
      );
    }
    expect(results.filter((r) => r.status === 'failed')).toEqual([]);
    // No DLQ for a queue that is gone: the preconditions run before a finding's first write.
    const created = await seed.sqs
      .send(new GetQueueUrlCommand({ QueueName: 'orders-dlq' }))
      .then(() => true)
      .catch(() => false);
    expect(created).toBe(false);
    expect(resultFor(results, 'payments.fifo', 'sqs-dead-letter-queue')?.status).toBe('fixed');
    expect(writesTo('CreateQueue')).toBeGreaterThan(0);

    // Later cycles do not bring it back either.
    await reconcileOnce(await loadPolicyDir(SANDBOX_POLICY_DIR));
    const recreated = await seed.sqs
      .send(new GetQueueUrlCommand({ QueueName: 'orders' }))
      .then(() => true)
      .catch(() => false);
    expect(recreated).toBe(false);
  });

  it('a stream mapping edited meanwhile keeps the other party’s values', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const mappings =
      (await seed.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    const clickstream = mappings.find((m) => m.EventSourceArn?.includes(':stream/clickstream'));
    const uuid = clickstream?.UUID as string;
    const { results } = await applyAfter(() =>
      seed.lambda
        .send(new UpdateEventSourceMappingCommand({ UUID: uuid, MaximumRetryAttempts: 7 }))
        .then(() => undefined),
    );
    const stream = results.find(
      (r) => r.finding.rule === 'esm-stream-failure-handling' && r.finding.resource.endsWith(uuid),
    );
    expect(stream?.status).toBe('deferred');
    expect(stream?.message).toMatch(
      /event source mapping .* changed after discovery \(.*MaximumRetryAttempts.*\)/,
    );
    const now = await seed.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    expect(now.MaximumRetryAttempts).toBe(7);
    expect(now.BisectBatchOnFunctionError ?? false).toBe(false);
  });
});
