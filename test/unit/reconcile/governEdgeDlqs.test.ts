import { describe, expect, it } from 'vitest';
import type { Inventory, TopicFacts } from '../../../src/discovery/inventory.js';
import { parsePolicySources } from '../../../src/policy/loader.js';
import { plan } from '../../../src/reconcile/plan.js';
import { arnOf, inventory, queue } from '../fixtures.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders-events';
const DLQ = arnOf('orders-events-dlq');

const policies = (match: string, rules: string) =>
  parsePolicySources([
    {
      file: 'p.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: p }
spec:
  enforcement: enforce
  match: { ${match} tags: { team: orders } }
  rules:
${rules}
`,
    },
  ]);

/** A tagged topic with one SQS subscription, redriving to `dlq` when given. */
function withTopic(dlq: string | undefined, base: Inventory): Inventory {
  const topic: TopicFacts = {
    arn: TOPIC,
    name: 'orders-events',
    fifo: false,
    tags: { team: 'orders' },
    subscriptions: [
      { arn: `${TOPIC}:sub`, protocol: 'sqs', pendingConfirmation: false, deadLetterTargetArn: dlq },
    ],
  };
  return {
    ...base,
    tagged: [...base.tagged, { arn: TOPIC, type: 'sns:topic', tags: topic.tags }],
    topics: new Map([[TOPIC, topic]]),
    alarms: new Map(),
  };
}

const alarmFindings = (p: ReturnType<typeof plan>) =>
  p.findings
    .filter((f) => f.rule === 'sqs-dlq-alarm')
    .map((f) => [f.resource, f.status, f.actions.map((a) => a.kind)]);

describe('the DLQ rules on the DLQs of every edge', () => {
  it('a policy that names sns:topic alarms on the queue its subscriptions redrive to', () => {
    const inv = withTopic(DLQ, inventory({ others: [queue('orders-events-dlq')] }));
    const p = plan(policies('resourceTypes: [sns:topic],', '    sqs-dlq-alarm: {}'), inv);
    expect(alarmFindings(p)).toEqual([[DLQ, 'drift', ['PutMetricAlarm']]]);
  });

  it('a policy with the default resource types judges the DLQs of queues only', () => {
    const inv = withTopic(DLQ, inventory({ others: [queue('orders-events-dlq')] }));
    expect(alarmFindings(plan(policies('', '    sqs-dlq-alarm: {}'), inv))).toEqual([]);
  });

  it('a DLQ this plan creates for a subscription is watched in the same cycle', () => {
    const base = inventory({
      candidates: [{ name: 'orders-events-dlq', arn: DLQ, exists: false, managedByEdaguard: false }],
    });
    const rules = '    sns-subscription-dlq: { create: {} }\n    sqs-dlq-alarm: {}';
    const p = plan(policies('resourceTypes: [sns:topic],', rules), withTopic(undefined, base));
    expect(p.findings.find((f) => f.rule === 'sns-subscription-dlq')?.actions.map((a) => a.kind)).toEqual([
      'CreateQueue',
      'SetSubscriptionAttributes',
    ]);
    expect(alarmFindings(p)).toEqual([[DLQ, 'drift', ['PutMetricAlarm']]]);
  });
});
