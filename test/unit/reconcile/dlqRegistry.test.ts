import { describe, expect, it } from 'vitest';
import { DlqRegistry } from '../../../src/reconcile/dlqRegistry.js';
import type { RuleVerdict } from '../../../src/reconcile/rules/verdict.js';
import { arnOf, inventory, managedDlq, policy, queue, redriving } from '../fixtures.js';

const retention = policy({ name: 'retention', rules: { 'sqs-dlq-retention': { minSeconds: 86_400 } } });
const alarm = policy({ name: 'alarm', rules: { 'sqs-dlq-alarm': {} } });
const dlqOnly = policy({ name: 'dlq', rules: { 'sqs-dead-letter-queue': { create: {} } } });

describe('DlqRegistry', () => {
  it('gathers a shared DLQ once, with every source and governing policy', () => {
    const dlq = queue('shared-dlq');
    const a = redriving('a', 'shared-dlq');
    const b = redriving('b', 'shared-dlq');
    const inv = inventory({ tagged: [a, b], others: [dlq] });
    const registry = new DlqRegistry();
    registry.governDlqsOf(a, [retention], undefined, inv);
    registry.governDlqsOf(b, [alarm, retention], undefined, inv);
    expect([...registry.entries()]).toEqual([
      {
        arn: dlq.arn,
        name: 'shared-dlq',
        facts: dlq,
        policies: [retention, alarm],
        sources: [a.arn, b.arn],
      },
    ]);
  });

  it('governs the DLQ the plan creates (no facts yet), and a queue that is itself a DLQ', () => {
    const lonely = queue('lonely');
    const created: RuleVerdict = {
      status: 'drift',
      observed: null,
      desired: null,
      message: '',
      actions: [
        {
          kind: 'CreateQueue',
          queueArn: arnOf('lonely-dlq'),
          queueName: 'lonely-dlq',
          attributes: {},
          tags: {},
        },
      ],
    };
    const isDlq = queue('is-a-dlq');
    const inv = inventory({ tagged: [lonely, isDlq], deadLetterSources: { 'is-a-dlq': ['elsewhere'] } });
    const registry = new DlqRegistry();
    registry.governDlqsOf(lonely, [retention], created, inv);
    registry.governDlqsOf(isDlq, [retention], undefined, inv);
    expect([...registry.entries()]).toEqual([
      { arn: arnOf('lonely-dlq'), name: 'lonely-dlq', policies: [retention], sources: [lonely.arn] },
      { arn: isDlq.arn, name: 'is-a-dlq', facts: isDlq, policies: [retention], sources: [] },
    ]);
  });

  it("adopts edaguard's own DLQ under the queue's DLQ name when the dead-letter rule may create one", () => {
    const source = queue('orders');
    const ours = managedDlq('orders-dlq', 'orders');
    const inv = inventory({ tagged: [source], others: [ours] });
    const both = policy({
      name: 'both',
      rules: { 'sqs-dead-letter-queue': { create: {} }, 'sqs-dlq-retention': { minSeconds: 86_400 } },
    });
    const registry = new DlqRegistry();
    registry.governDlqsOf(source, [both], undefined, inv);
    expect([...registry.entries()].map((e) => e.arn)).toEqual([ours.arn]);
  });

  it('gathers nothing for policies without a DLQ rule', () => {
    const source = redriving('orders', 'orders-dlq');
    const inv = inventory({ tagged: [source], others: [queue('orders-dlq')] });
    const registry = new DlqRegistry();
    registry.governDlqsOf(source, [dlqOnly], undefined, inv);
    expect([...registry.entries()]).toEqual([]);
  });
});
