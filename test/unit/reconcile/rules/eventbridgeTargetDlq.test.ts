import { describe, expect, it } from 'vitest';
import type { EventRuleFacts, EventTargetFacts } from '../../../../src/discovery/inventory.js';
import type { Action } from '../../../../src/reconcile/model.js';
import {
  type EventbridgeDlqSettings,
  type EventDlqFacts,
  planEventbridgeTargetDlq,
} from '../../../../src/reconcile/rules/eventbridgeTargetDlq.js';

const target = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' };
const Q = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/orders';

/** A target as discovery builds it: raw is what ListTargetsByRule answered. */
const tgt = (id: string, raw: Record<string, unknown> = {}): EventTargetFacts => {
  const full: Record<string, unknown> & { Arn: string } = { Id: id, Arn: Q(`${id}-consumer`), ...raw };
  const dlq = (full.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
  const retry = full.RetryPolicy as
    | { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number }
    | undefined;
  return {
    id,
    arn: full.Arn,
    ...(dlq ? { deadLetterArn: dlq } : {}),
    maximumRetryAttempts: retry?.MaximumRetryAttempts ?? 185,
    maximumEventAgeInSeconds: retry?.MaximumEventAgeInSeconds ?? 86_400,
    raw: full,
  };
};
const rule = (targets: EventTargetFacts[], over: Partial<EventRuleFacts> = {}): EventRuleFacts => ({
  arn: RULE_ARN,
  name: 'orders',
  eventBusName: 'default',
  tags: { team: 'orders' },
  targets,
  ...over,
});
const facts = (over: Partial<EventDlqFacts> = {}): EventDlqFacts => ({
  target,
  queues: new Map([
    [Q('std'), { fifo: false }],
    [Q('ordered.fifo'), { fifo: true }],
  ]),
  candidate: { name: 'orders-dlq', arn: Q('orders-dlq'), exists: false, managedByEdaguard: false },
  ...over,
});
const defaults: EventbridgeDlqSettings = { maxRetryAttempts: 185, maxEventAgeSeconds: 86_400 };
const withCreate: EventbridgeDlqSettings = { ...defaults, create: { nameSuffix: '-dlq' } };
const DLQ = { DeadLetterConfig: { Arn: Q('std') } };
const putTargetsOf = (actions: readonly Action[] | undefined) =>
  actions?.find((a): a is Extract<Action, { kind: 'PutTargets' }> => a.kind === 'PutTargets');

describe('eventbridge-target-dlq', () => {
  it.each([
    ['a rule AWS manages', rule([tgt('a')], { managedBy: 'schemas.amazonaws.com' }), 'skipped'],
    ['a rule with no target', rule([]), 'skipped'],
    ['targets with a DLQ and AWS default retries', rule([tgt('a', DLQ), tgt('b', DLQ)]), 'pass'],
    [
      'a DLQ and retries within the limits',
      rule([tgt('a', { ...DLQ, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 } })]),
      'pass',
    ],
  ] as const)('%s → %s', (_name, r, status) => {
    expect(planEventbridgeTargetDlq(r, withCreate, facts()).status).toBe(status);
  });

  it.each([
    ['no DeadLetterConfig', undefined, 'has no DeadLetterConfig'],
    ['a missing queue', Q('gone'), 'does not exist'],
    ['another account', 'arn:aws:sqs:us-east-1:999999999999:x', 'outside this account and region'],
    ['another region', 'arn:aws:sqs:eu-west-1:123456789012:x', 'outside this account and region'],
    ['a FIFO queue', Q('ordered.fifo'), 'EventBridge DLQs must be standard queues'],
  ] as const)('without create, %s: drift reported, no write', (_name, dlq, text) => {
    const v = planEventbridgeTargetDlq(
      rule([tgt('a', dlq ? { DeadLetterConfig: { Arn: dlq } } : {})]),
      defaults,
      facts(),
    );
    expect(v.status).toBe('drift');
    expect(v.message).toContain(text);
    expect(v.message).toContain('add rules.eventbridge-target-dlq.create');
    expect(v.actions ?? []).toEqual([]);
  });

  it('only a missing DLQ is drift under the defaults: AWS default retries pass', () => {
    const v = planEventbridgeTargetDlq(rule([tgt('a', DLQ)]), defaults, facts());
    expect(v.status).toBe('pass');
  });

  it('without create, lowers the limits of a target that has a DLQ', () => {
    const v = planEventbridgeTargetDlq(rule([tgt('a', DLQ)]), { ...defaults, maxRetryAttempts: 10 }, facts());
    expect(v.status).toBe('drift');
    const put = putTargetsOf(v.actions);
    expect(v.actions).toHaveLength(1);
    expect(put?.targets).toEqual([
      { ...tgt('a', DLQ).raw, RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 } },
    ]);
    expect(put?.planned).toEqual([tgt('a', DLQ).raw]);
  });

  it('without create, never caps a target with nowhere for failures to go: a ticket', () => {
    const v = planEventbridgeTargetDlq(rule([tgt('a')]), { ...defaults, maxEventAgeSeconds: 3600 }, facts());
    expect(v.status).toBe('ticket');
    expect(v.message).toContain('not lowered until they have a DLQ');
    expect(v.actions ?? []).toEqual([]);
  });

  it('without create, caps the target with a DLQ and holds back the one without', () => {
    const v = planEventbridgeTargetDlq(
      rule([tgt('a', DLQ), tgt('b')]),
      { ...defaults, maxRetryAttempts: 5 },
      facts(),
    );
    expect(v.status).toBe('drift');
    expect(putTargetsOf(v.actions)?.targets.map((t) => t.Id)).toEqual(['a']);
    expect(v.message).toContain('retry limits of b are not lowered until they have a DLQ');
  });

  it('with create: CreateQueue <rule>-dlq (standard, tagged dlq-for the rule), then one PutTargets', () => {
    const transformer = { InputPathsMap: { id: '$.id' }, InputTemplate: '{"id": <id>}' };
    const a = tgt('a', { InputTransformer: transformer, RoleArn: 'arn:aws:iam::123456789012:role/r' });
    const b = tgt('b', { ...DLQ, RetryPolicy: { MaximumRetryAttempts: 100, MaximumEventAgeInSeconds: 600 } });
    const v = planEventbridgeTargetDlq(rule([a, b]), { ...withCreate, maxRetryAttempts: 10 }, facts());
    expect(v.status).toBe('drift');
    expect(v.actions?.[0]).toEqual({
      kind: 'CreateQueue',
      queueArn: Q('orders-dlq'),
      queueName: 'orders-dlq',
      attributes: { MessageRetentionPeriod: '1209600' },
      tags: { 'edaguard.dev/managed-by': 'edaguard', 'edaguard.dev/dlq-for': RULE_ARN },
    });
    expect(v.actions?.[1]).toEqual({
      kind: 'PutTargets',
      ruleArn: RULE_ARN,
      ruleName: 'orders',
      eventBusName: 'default',
      targets: [
        {
          ...a.raw,
          DeadLetterConfig: { Arn: Q('orders-dlq') },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 },
        },
        { ...b.raw, RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 600 } },
      ],
      planned: [a.raw, b.raw],
    });
  });

  it('with create, attaches <rule>-dlq without creating it when it exists (ours)', () => {
    const v = planEventbridgeTargetDlq(
      rule([tgt('a')]),
      withCreate,
      facts({
        candidate: { name: 'orders-dlq', arn: Q('orders-dlq'), exists: true, managedByEdaguard: true },
      }),
    );
    expect(v.actions?.map((a) => a.kind)).toEqual(['PutTargets']);
    expect(putTargetsOf(v.actions)?.targets[0]?.DeadLetterConfig).toEqual({ Arn: Q('orders-dlq') });
  });

  it('with create, a queue of that name edaguard did not create: a ticket', () => {
    const v = planEventbridgeTargetDlq(
      rule([tgt('a')]),
      withCreate,
      facts({
        candidate: { name: 'orders-dlq', arn: Q('orders-dlq'), exists: true, managedByEdaguard: false },
      }),
    );
    expect(v.status).toBe('ticket');
    expect(v.actions ?? []).toEqual([]);
  });

  it('with create, a rule name that makes no valid queue name: a ticket', () => {
    const v = planEventbridgeTargetDlq(rule([tgt('a')], { name: 'orders.v2' }), withCreate, facts());
    expect(v.status).toBe('ticket');
    expect(v.message).toContain('not a valid queue name');
  });

  it('with create, the name not checked by discovery: drift, no write', () => {
    const v = planEventbridgeTargetDlq(rule([tgt('a')]), withCreate, facts({ candidate: undefined }));
    expect(v.status).toBe('drift');
    expect(v.actions ?? []).toEqual([]);
  });
});
