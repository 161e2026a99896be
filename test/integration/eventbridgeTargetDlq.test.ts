/**
 * `eventbridge-target-dlq` end to end against moto through the real SDK: a tagged rule's targets
 * get `<rule>-dlq` (created tagged managed-by edaguard) and a capped RetryPolicy, sent back whole.
 */
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueUrlCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrecondition } from '../../src/apply/handlers/index.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Inventory } from '../../src/discovery/inventory.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import type { Action } from '../../src/reconcile/model.js';
import { reconcileOnce, testClients, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

const SQS = 'arn:aws:sqs:us-east-1:123456789012';

const policy = (rule: string) =>
  parsePolicySources([
    {
      file: 'policy.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: enforce
  match: { resourceTypes: [events:rule], tags: { team: orders } }
  rules:
    eventbridge-target-dlq: ${rule}
`,
    },
  ]);

let aws: AwsClients | undefined;
afterEach(() => aws?.destroy());

const TRANSFORMER = {
  InputPathsMap: { id: '$.detail.id', kind: '$.detail-type' },
  InputTemplate: '{"id": <id>, "kind": "<kind>", "note": "tab\\there"}',
};

/** A rule (tagged when `team` is given) on `bus`, with its targets: SQS queues created for them. */
async function ruleWithTargets(
  name: string,
  targets: Array<Omit<Target, 'Arn'>>,
  team?: string,
  bus?: string,
) {
  aws ??= testClients();
  const rule = await aws.eventbridge.send(
    new PutRuleCommand({
      Name: name,
      EventPattern: JSON.stringify({ source: ['orders'] }),
      ...(bus ? { EventBusName: bus } : {}),
      ...(team ? { Tags: [{ Key: 'team', Value: team }] } : {}),
    }),
  );
  for (const t of targets) await aws.sqs.send(new CreateQueueCommand({ QueueName: `${name}-${t.Id}` }));
  await aws.eventbridge.send(
    new PutTargetsCommand({
      Rule: name,
      ...(bus ? { EventBusName: bus } : {}),
      Targets: targets.map((t) => ({ ...t, Arn: `${SQS}:${name}-${t.Id}` })),
    }),
  );
  return rule.RuleArn as string;
}

async function targetsOf(rule: string, bus?: string): Promise<Target[]> {
  const out = await aws?.eventbridge.send(
    new ListTargetsByRuleCommand({ Rule: rule, ...(bus ? { EventBusName: bus } : {}) }),
  );
  return out?.Targets ?? [];
}

async function queueTags(name: string) {
  const url = (await aws?.sqs.send(new GetQueueUrlCommand({ QueueName: name })))?.QueueUrl;
  return (await aws?.sqs.send(new ListQueueTagsCommand({ QueueUrl: url })))?.Tags;
}

describe('eventbridge-target-dlq against the emulator', () => {
  it('creates <rule>-dlq, sends each target back whole with it and a capped RetryPolicy, then converges', async () => {
    const ordersArn = await ruleWithTargets(
      'orders',
      [
        { Id: 'consumer', InputTransformer: TRANSFORMER },
        { Id: 'audit', RetryPolicy: { MaximumRetryAttempts: 50, MaximumEventAgeInSeconds: 3600 } },
      ],
      'orders',
    );
    await ruleWithTargets('billing', [{ Id: 'consumer' }]);
    await aws?.eventbridge.send(new CreateEventBusCommand({ Name: 'payments' }));
    const settleArn = await ruleWithTargets(
      'settle',
      [{ Id: 'consumer', Input: '{"a":1}' }],
      'orders',
      'payments',
    );

    const first = await reconcileOnce(policy('{ maxRetryAttempts: 10, create: {} }'));
    const results = first.report.results.filter((r) => r.rule === 'eventbridge-target-dlq');
    expect(results.map((r) => [r.resource, r.status])).toEqual([
      [ordersArn, 'fixed'],
      [settleArn, 'fixed'],
    ]);
    // Per rule: CreateQueue, then one PutTargets.
    expect(first.writes).toBe(4);

    const orders = await targetsOf('orders');
    const consumer = orders.find((t) => t.Id === 'consumer');
    const audit = orders.find((t) => t.Id === 'audit');
    expect(consumer?.DeadLetterConfig).toEqual({ Arn: `${SQS}:orders-dlq` });
    expect(consumer?.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 });
    expect(consumer?.InputTransformer?.InputTemplate).toBe(TRANSFORMER.InputTemplate);
    expect(consumer?.InputTransformer).toEqual(TRANSFORMER);
    expect(audit?.DeadLetterConfig).toEqual({ Arn: `${SQS}:orders-dlq` });
    expect(audit?.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 });
    expect(await queueTags('orders-dlq')).toEqual({
      'edaguard.dev/managed-by': 'edaguard',
      'edaguard.dev/dlq-for': ordersArn,
    });

    // A rule on a custom bus works too.
    const [settle] = await targetsOf('settle', 'payments');
    expect(settle?.DeadLetterConfig).toEqual({ Arn: `${SQS}:settle-dlq` });
    expect(settle?.Input).toBe('{"a":1}');
    expect((await queueTags('settle-dlq'))?.['edaguard.dev/dlq-for']).toBe(settleArn);

    // The untagged rule is untouched.
    const [billing] = await targetsOf('billing');
    expect(billing?.DeadLetterConfig).toBeUndefined();
    expect(billing?.RetryPolicy).toBeUndefined();

    const again = await reconcileOnce(policy('{ maxRetryAttempts: 10, create: {} }'));
    expect(again.writes).toBe(0);
    expect(
      again.report.results.filter((r) => r.rule === 'eventbridge-target-dlq').map((r) => r.status),
    ).toEqual(['pass', 'pass']);
  });

  it('without create, reports the target without a DLQ and writes nothing', async () => {
    await ruleWithTargets('orders', [{ Id: 'consumer', InputTransformer: TRANSFORMER }], 'orders');
    const run = await reconcileOnce(policy('{}'));
    const result = run.report.results.find((r) => r.rule === 'eventbridge-target-dlq');
    expect(result?.status).toBe('drift');
    expect(result?.message).toContain('target consumer has no DeadLetterConfig');
    expect(result?.message).toContain('add rules.eventbridge-target-dlq.create');
    expect(run.writes).toBe(0);
    const [consumer] = await targetsOf('orders');
    expect(consumer?.DeadLetterConfig).toBeUndefined();
  });
});

describe('a rule AWS manages', () => {
  it('is skipped and never written: the archive rule CreateArchive makes (ManagedBy set)', async () => {
    aws ??= testClients();
    await aws.eventbridge.send(
      new CreateArchiveCommand({
        ArchiveName: 'all',
        EventSourceArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
      }),
    );
    const everyRule = parsePolicySources([
      {
        file: 'policy.yaml',
        text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: all }
spec:
  enforcement: enforce
  match: { resourceTypes: [events:rule] }
  rules:
    eventbridge-target-dlq: { create: {} }
`,
      },
    ]);
    const run = await reconcileOnce(everyRule);
    const result = run.report.results.find((r) => r.rule === 'eventbridge-target-dlq');
    expect(result?.resource).toContain(':rule/Events-Archive-all');
    expect(result?.status).toBe('skipped');
    expect(result?.message).toContain('AWS manages its targets');
    expect(run.writes).toBe(0);
  });
});

describe('PutTargets precondition against the emulator', () => {
  const setUp = async () => {
    const ruleArn = await ruleWithTargets('orders', [{ Id: 'consumer', Input: '{"a":1}' }], 'orders');
    const [planned] = await targetsOf('orders');
    const desired = { ...planned, DeadLetterConfig: { Arn: `${SQS}:orders-dlq` } };
    const action: Action = {
      kind: 'PutTargets',
      ruleArn,
      ruleName: 'orders',
      eventBusName: 'default',
      targets: [desired],
      planned: [planned as unknown as Record<string, unknown>],
    };
    const put = (target: Target) =>
      aws?.eventbridge.send(new PutTargetsCommand({ Rule: 'orders', Targets: [target] }));
    return { action, ctx: { aws: aws as AwsClients, inventory: {} as Inventory }, put, desired, planned };
  };

  it('proceeds when unchanged since discovery, and is `unchanged` when already as desired', async () => {
    const { action, ctx, put, desired } = await setUp();
    expect(await checkPrecondition(action, ctx)).toBe('proceed');
    await put(desired as Target);
    expect(await checkPrecondition(action, ctx)).toBe('unchanged');
  });

  it('refuses to overwrite a target someone edited after discovery', async () => {
    const { action, ctx, put, planned } = await setUp();
    await put({ ...(planned as Target), Input: '{"a":2}' });
    await expect(checkPrecondition(action, ctx)).rejects.toMatchObject({ code: 'CHANGED_SINCE_DISCOVERY' });
  });
});
