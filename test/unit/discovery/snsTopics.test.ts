import { describe, expect, it } from 'vitest';
import type { QueueFacts, TopicFacts } from '../../../src/discovery/inventory.js';
import { planReads, topicDlqArnsToRead, topicDlqNamesToLookUp } from '../../../src/discovery/readPlan.js';
import { redriveTargetOf } from '../../../src/discovery/snsTopics.js';
import { policy, policySet } from '../fixtures.js';

const target = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' };
const Q = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const topic = (name: string, dlqs: (string | undefined | null)[], fifo = false): TopicFacts => ({
  arn: `arn:aws:sns:us-east-1:123456789012:${name}`,
  name,
  fifo,
  tags: { team: 'orders' },
  subscriptions: dlqs.map((d, i) => ({
    arn: `${name}:${i}`,
    protocol: 'sqs',
    pendingConfirmation: false,
    deadLetterTargetArn: d,
  })),
});
const queue = (name: string, fifo = false) => ({ arn: Q(name), name, fifo }) as QueueFacts;

describe('SNS topic reads', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['not json', null],
    ['{}', null],
    [JSON.stringify({ deadLetterTargetArn: Q('d') }), Q('d')],
  ])('RedrivePolicy %j → %j', (raw, want) => {
    expect(redriveTargetOf(raw)).toBe(want);
  });

  it('reads topics only when a policy has sns-subscription-dlq, querying the tagging API with `sns`', () => {
    const plan = planReads(
      policySet(policy({ name: 'p', match: { team: 'orders' }, rules: { 'sns-subscription-dlq': {} } })),
    );
    expect(plan.needsTopics).toBe(true);
    expect(plan.selectorQueries).toEqual([{ resourceTypes: ['sns'], tags: { team: 'orders' } }]);
    expect(planReads(policySet()).needsTopics).toBe(false);
  });

  it('reads the DLQs subscriptions name in this account and region that are not read yet', () => {
    const topics = new Map([
      ['a', topic('a', [Q('known'), Q('new'), 'arn:aws:sqs:eu-west-1:123456789012:x', undefined, null])],
    ]);
    expect(topicDlqArnsToRead(topics, new Map([[Q('known'), queue('known')]]), target)).toEqual([Q('new')]);
  });

  it('looks up <topic><suffix> only for topics with a subscription lacking a usable DLQ, under create', () => {
    const withCreate = policySet(
      policy({ name: 'p', match: { team: 'orders' }, rules: { 'sns-subscription-dlq': { create: {} } } }),
    );
    const topics = new Map([
      ['ok', topic('ok', [Q('std')])],
      ['none', topic('none', [undefined])],
      ['fifo.fifo', topic('fifo.fifo', [Q('std')], true)],
    ]);
    const queues = new Map([[Q('std'), queue('std')]]);
    expect(topicDlqNamesToLookUp(withCreate.policies, topics, queues)).toEqual(['none-dlq', 'fifo-dlq.fifo']);
    const reportOnly = policySet(
      policy({ name: 'p', match: { team: 'orders' }, rules: { 'sns-subscription-dlq': {} } }),
    );
    expect(topicDlqNamesToLookUp(reportOnly.policies, topics, queues)).toEqual([]);
  });
});
