import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  eventRuleDlqArnsToRead,
  eventRuleDlqNamesToLookUp,
  listTaggedRules,
  toEventTargetFacts,
} from '../../../src/discovery/eventRules.js';
import type { EventRuleFacts, QueueFacts, ReadError } from '../../../src/discovery/inventory.js';
import { planReads } from '../../../src/discovery/readPlan.js';
import { createReadRunner } from '../../../src/discovery/readRequeue.js';
import { policy, policySet } from '../fixtures.js';

const target = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' };
const Q = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const R = (name: string) => `arn:aws:events:us-east-1:123456789012:rule/${name}`;
const rule = (
  name: string,
  dlqs: (string | undefined)[],
  over: Partial<EventRuleFacts> = {},
): EventRuleFacts => ({
  arn: R(name),
  name,
  eventBusName: 'default',
  tags: { team: 'orders' },
  targets: dlqs.map((d, i) =>
    toEventTargetFacts({ Id: `t${i}`, Arn: Q('c'), ...(d ? { DeadLetterConfig: { Arn: d } } : {}) }),
  ),
  ...over,
});
const queue = (name: string, fifo = false) => ({ arn: Q(name), name, fifo }) as QueueFacts;
const create = policy({
  name: 'p',
  match: { team: 'orders' },
  rules: { 'eventbridge-target-dlq': { create: {} } },
});

describe('EventBridge rule reads', () => {
  it('fills AWS retry defaults for absent fields and keeps the target whole', () => {
    const raw = { Id: 'a', Arn: Q('c'), InputPath: '$.detail', RetryPolicy: { MaximumRetryAttempts: 3 } };
    expect(toEventTargetFacts(raw)).toEqual({
      id: 'a',
      arn: Q('c'),
      maximumRetryAttempts: 3,
      maximumEventAgeInSeconds: 86_400,
      raw,
    });
    expect(toEventTargetFacts({ Id: 'b', Arn: Q('c'), DeadLetterConfig: { Arn: Q('d') } })).toMatchObject({
      deadLetterArn: Q('d'),
      maximumRetryAttempts: 185,
    });
  });

  it('needs rules only when a policy selecting events:rule has one of their rules', () => {
    expect(planReads(policySet(create)).needsEventRules).toBe(true);
    const queuesOnly = policy({ name: 'q', match: { team: 'orders' }, rules: { 'sqs-dlq-retention': {} } });
    expect(planReads(policySet(queuesOnly)).needsEventRules).toBe(false);
  });

  it('reads the DLQs targets name in this account and region, once', () => {
    const rules = new Map([
      [R('a'), rule('a', [Q('d1'), Q('d1'), undefined, 'arn:aws:sqs:eu-west-1:123456789012:x'])],
      [R('b'), rule('b', [Q('known')])],
    ]);
    expect(eventRuleDlqArnsToRead(rules, new Map([[Q('known'), queue('known')]]), target)).toEqual([Q('d1')]);
  });

  it('looks up <rule>-dlq only for rules lacking a usable DLQ, not for AWS-managed ones', () => {
    const queues = new Map([
      [Q('ok'), queue('ok')],
      [Q('f.fifo'), queue('f.fifo', true)],
    ]);
    const rules = new Map([
      [R('fine'), rule('fine', [Q('ok')])],
      [R('none'), rule('none', [undefined])],
      [R('fifo'), rule('fifo', [Q('f.fifo')])],
      [R('gone'), rule('gone', [Q('missing')])],
      [R('managed'), rule('managed', [undefined], { managedBy: 'schemas.amazonaws.com' })],
      [R('bad.name'), rule('bad.name', [undefined])],
      [R('other'), rule('other', [undefined], { tags: { team: 'billing' } })],
    ]);
    expect(eventRuleDlqNamesToLookUp(policySet(create).policies, rules, queues, target).sort()).toEqual([
      'fifo-dlq',
      'gone-dlq',
      'none-dlq',
    ]);
  });

  it('lists every bus and rule page by page; a failed tag read is that rule’s read error', async () => {
    const answers: Record<string, (input: Record<string, string | undefined>) => unknown> = {
      ListEventBusesCommand: (i) =>
        i.NextToken
          ? { EventBuses: [{ Name: 'custom' }] }
          : { EventBuses: [{ Name: 'default' }], NextToken: 'b2' },
      ListRulesCommand: (i) => {
        if (i.EventBusName === 'custom') return { Rules: [{ Name: 'c', Arn: R('custom/c') }] };
        return i.NextToken
          ? { Rules: [{ Name: 'b', Arn: R('b'), ManagedBy: 'schemas.amazonaws.com' }] }
          : { Rules: [{ Name: 'a', Arn: R('a') }], NextToken: 'r2' };
      },
      ListTagsForResourceCommand: (i) => {
        if (i.ResourceARN === R('a'))
          throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
        return { Tags: [{ Key: 'team', Value: 'orders' }] };
      },
    };
    const eventbridge = {
      send: async (command: { constructor: { name: string }; input: Record<string, string | undefined> }) =>
        answers[command.constructor.name]?.(command.input),
    } as unknown as EventBridgeClient;
    const readErrors: ReadError[] = [];
    const listed = await listTaggedRules(
      eventbridge,
      createReadRunner({ concurrency: 2, extraRounds: 0 }),
      readErrors,
    );
    expect(listed).toEqual([
      {
        arn: R('b'),
        name: 'b',
        eventBusName: 'default',
        managedBy: 'schemas.amazonaws.com',
        tags: { team: 'orders' },
      },
      { arn: R('custom/c'), name: 'c', eventBusName: 'custom', tags: { team: 'orders' } },
    ]);
    expect(readErrors).toMatchObject([
      { resource: R('a'), operation: 'ListTagsForResource', code: 'AccessDeniedException' },
    ]);
  });
});
