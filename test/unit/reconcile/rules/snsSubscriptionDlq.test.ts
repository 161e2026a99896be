import { describe, expect, it } from 'vitest';
import {
  type DlqFacts,
  planSnsSubscriptionDlq,
  type SubscriptionFacts,
  type TopicFacts,
} from '../../../../src/reconcile/rules/snsSubscriptionDlq.js';

const target = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' };
const Q = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const topic: TopicFacts = { arn: 'arn:aws:sns:us-east-1:123456789012:orders', name: 'orders', fifo: false };
const fifoTopic: TopicFacts = {
  arn: 'arn:aws:sns:us-east-1:123456789012:orders.fifo',
  name: 'orders.fifo',
  fifo: true,
};
const sub = (over: Partial<SubscriptionFacts> = {}): SubscriptionFacts => ({
  arn: `${topic.arn}:11111111-1111-1111-1111-111111111111`,
  protocol: 'sqs',
  pendingConfirmation: false,
  deadLetterTargetArn: undefined,
  ...over,
});
const free = (name: string) => ({ name, arn: Q(name), exists: false, managedByEdaguard: false });
const facts = (over: Partial<DlqFacts> = {}): DlqFacts => ({
  target,
  queues: new Map([
    [Q('orders-dlq'), { fifo: false }],
    [Q('std'), { fifo: false }],
  ]),
  candidate: free('orders-dlq'),
  ...over,
});
const create = { create: { nameSuffix: '-dlq' } };

describe('sns-subscription-dlq', () => {
  it.each([
    ['no subscriptions', [], 'skipped'],
    ['only pending confirmations', [sub({ pendingConfirmation: true })], 'skipped'],
    ['a DLQ that exists', [sub({ deadLetterTargetArn: Q('std') })], 'pass'],
    ['an http subscription with a DLQ', [sub({ protocol: 'https', deadLetterTargetArn: Q('std') })], 'pass'],
    [
      'pending one without DLQ is ignored',
      [sub({ deadLetterTargetArn: Q('std') }), sub({ arn: 'x', pendingConfirmation: true })],
      'pass',
    ],
  ] as const)('%s → %s', (_name, subs, status) => {
    expect(planSnsSubscriptionDlq(topic, subs, create, facts()).status).toBe(status);
  });

  it.each([
    ['no RedrivePolicy', undefined, 'has no RedrivePolicy'],
    ['an unusable RedrivePolicy', null, 'no deadLetterTargetArn'],
    ['a missing queue', Q('gone'), 'does not exist'],
    ['another account', 'arn:aws:sqs:us-east-1:999999999999:x', 'outside this account and region'],
    ['another region', 'arn:aws:sqs:eu-west-1:123456789012:x', 'outside this account and region'],
  ] as const)('drift: %s', (_name, dlq, text) => {
    const v = planSnsSubscriptionDlq(topic, [sub({ deadLetterTargetArn: dlq })], {}, facts());
    expect(v.status).toBe('drift');
    expect(v.message).toContain(text);
    expect(v.message).toContain('add rules.sns-subscription-dlq.create');
    expect(v.actions).toBeUndefined();
  });

  it('creates <topic>-dlq tagged like the other DLQs and attaches every subscription that lacks one', () => {
    const subs = [
      sub({ arn: 'a' }),
      sub({ arn: 'b', protocol: 'lambda', deadLetterTargetArn: Q('gone') }),
      sub({ arn: 'c', deadLetterTargetArn: Q('std') }),
    ];
    const v = planSnsSubscriptionDlq(
      topic,
      subs,
      create,
      facts({ queues: new Map([[Q('std'), { fifo: false }]]) }),
    );
    expect(v.status).toBe('drift');
    expect(v.actions?.[0]).toEqual({
      kind: 'CreateQueue',
      queueArn: Q('orders-dlq'),
      queueName: 'orders-dlq',
      attributes: { MessageRetentionPeriod: '1209600' },
      tags: { 'edaguard.dev/managed-by': 'edaguard', 'edaguard.dev/dlq-for': topic.arn },
    });
    const policy = JSON.stringify({ deadLetterTargetArn: Q('orders-dlq') });
    const redrive = (subscriptionArn: string) => ({
      kind: 'SetSubscriptionAttributes',
      subscriptionArn,
      topicArn: topic.arn,
      attributeName: 'RedrivePolicy',
      value: policy,
    });
    expect(v.actions?.slice(1)).toEqual([redrive('a'), redrive('b')]);
  });

  it('a FIFO topic gets a FIFO DLQ named like dlqNameFor, and a standard DLQ is drift', () => {
    const subs = [sub({ deadLetterTargetArn: Q('std') })];
    const v = planSnsSubscriptionDlq(fifoTopic, subs, create, facts({ candidate: free('orders-dlq.fifo') }));
    expect(v.message).toContain('a standard queue for a FIFO topic');
    const created = v.actions?.[0];
    expect(created?.kind === 'CreateQueue' && created.queueName).toBe('orders-dlq.fifo');
    expect(created?.kind === 'CreateQueue' && created.attributes.FifoQueue).toBe('true');
  });

  it('adopts its own queue of that name without creating it', () => {
    const candidate = { ...free('orders-dlq'), exists: true, managedByEdaguard: true };
    const v = planSnsSubscriptionDlq(topic, [sub()], create, facts({ candidate }));
    expect(v.actions?.map((a) => a.kind)).toEqual(['SetSubscriptionAttributes']);
  });

  it.each([
    [
      'a foreign queue holds the name',
      { ...free('orders-dlq'), exists: true },
      'ticket',
      'edaguard did not create it',
    ],
    ['the name was not checked', undefined, 'drift', 'could not check'],
  ] as const)('%s → %s', (_name, candidate, status, text) => {
    const v = planSnsSubscriptionDlq(topic, [sub()], create, facts({ candidate }));
    expect(v.status).toBe(status);
    expect(v.message).toContain(text);
    expect(v.actions).toBeUndefined();
  });

  it('a name too long is a ticket', () => {
    const long = { ...topic, name: 'x'.repeat(78) };
    const v = planSnsSubscriptionDlq(long, [sub()], create, facts());
    expect(v.status).toBe('ticket');
    expect(v.message).toContain('not a valid queue name');
  });
});
