import { describe, expect, it } from 'vitest';
import { deepFreeze, type Inventory } from '../../../src/discovery/inventory.js';
import { TAGS } from '../../../src/policy/schema.js';
import type { Finding, QueueAction } from '../../../src/reconcile/model.js';
import { plannedActions } from '../../../src/reconcile/model.js';
import { plan, resolveRule } from '../../../src/reconcile/plan.js';
import {
  arnOf,
  consumer,
  inventory,
  managedDlq,
  type PolicySpec,
  policy,
  policySet,
  queue,
  redriving,
  TARGET,
} from '../fixtures.js';

const DLQ_RULE = { maxReceiveCount: { min: 3, max: 5, default: 4 }, create: {} };

/** The example policy's shape: team=orders, excluding stage=dev, every rule. */
const ordersSpec: PolicySpec = {
  name: 'orders',
  enforcement: 'enforce',
  match: { team: 'orders' },
  exclude: { stage: 'dev' },
  rules: {
    'sqs-dead-letter-queue': DLQ_RULE,
    'sqs-dlq-retention': { minSeconds: 86_400 },
    'sqs-visibility-timeout': { lambdaTimeoutMultiple: 6 },
  },
};
const ORDERS = policySet(policy(ordersSpec));
const TEAM = { team: 'orders' };

/** The findings as `resource-name rule status` lines, the shortest readable summary. */
const summary = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.resource.split(':').pop()} ${f.rule} ${f.status}`);

describe('plan: one compliant and one drifted queue', () => {
  it('gives one finding per (resource, rule), with the policy’s name and enforcement', () => {
    const good = redriving('good', 'good-dlq', 4, { tags: TEAM, visibilityTimeout: 180 });
    const bad = queue('bad', { tags: TEAM, visibilityTimeout: 30 });
    const inv = inventory({
      tagged: [good, bad],
      others: [queue('good-dlq', { messageRetentionPeriod: 86_400 })],
      consumers: { good: [consumer(30)], bad: [consumer(30)] },
    });
    const result = plan(ORDERS, inv);
    expect(result.target).toEqual(TARGET);
    expect(summary(result.findings)).toEqual([
      'bad sqs-dead-letter-queue drift',
      'bad sqs-visibility-timeout drift',
      'good sqs-dead-letter-queue pass',
      'good sqs-visibility-timeout pass',
      'good-dlq sqs-dlq-retention pass',
    ]);
    for (const f of result.findings) {
      expect(f).toMatchObject({ resourceType: 'sqs:queue', policy: 'orders', enforcement: 'enforce' });
    }
    expect(
      plannedActions(result).map((a) => `${a.kind} ${(a as QueueAction).queueArn.split(':').pop()}`),
    ).toEqual(['CreateQueue bad-dlq', 'SetQueueAttributes bad', 'SetQueueAttributes bad']);
  });

  it('a created DLQ keeps messages for the retention rule’s minSeconds', () => {
    const q = queue('orders', { tags: TEAM });
    const [create] = plannedActions(plan(ORDERS, inventory({ tagged: [q] })));
    expect(create).toMatchObject({ kind: 'CreateQueue', attributes: { MessageRetentionPeriod: '86400' } });
  });

  it('passing findings carry no actions, and plannedActions takes only drift findings’ actions', () => {
    const q = redriving('q', 'q-dlq', 4, { tags: TEAM, visibilityTimeout: 180 });
    const result = plan(
      ORDERS,
      inventory({
        tagged: [q],
        others: [queue('q-dlq', { messageRetentionPeriod: 86_400 })],
        consumers: { q: [consumer(30)] },
      }),
    );
    expect(result.findings.every((f) => f.status === 'pass' && f.actions.length === 0)).toBe(true);
    expect(plannedActions(result)).toEqual([]);
  });
});

describe('plan: scope', () => {
  it.each<{ name: string; tags: Record<string, string> }>([
    { name: 'another team', tags: { team: 'billing' } },
    { name: 'no tags', tags: {} },
    { name: 'excluded (stage=dev)', tags: { team: 'orders', stage: 'dev' } },
    { name: 'ignored', tags: { team: 'orders', [TAGS.ignore]: 'true' } },
    { name: 'ignored (upper case)', tags: { team: 'orders', [TAGS.ignore]: 'TRUE' } },
  ])('a queue that is $name gets no finding at all', ({ tags }) => {
    const q = redriving('q', 'q-dlq', 99, { tags, visibilityTimeout: 0 });
    const inv = inventory({
      tagged: [q],
      others: [queue('q-dlq', { messageRetentionPeriod: 60 })],
      consumers: { q: [consumer(30)] },
    });
    expect(plan(ORDERS, inv).findings).toEqual([]);
  });

  it('a queue that was read but not found by the tag queries gets no finding', () => {
    const q = queue('untagged', { tags: TEAM });
    expect(plan(ORDERS, inventory({ others: [q] })).findings).toEqual([]);
  });

  it('a tagged resource whose attributes could not be read gets only its read error', () => {
    const inv = inventory({
      taggedUnread: [{ arn: arnOf('locked'), type: 'sqs:queue', tags: TEAM }],
      readErrors: [
        {
          resource: arnOf('locked'),
          operation: 'GetQueueAttributes',
          code: 'AccessDenied',
          message: 'not allowed',
        },
      ],
    });
    expect(plan(ORDERS, inv).findings).toStrictEqual([
      {
        resource: arnOf('locked'),
        resourceType: 'sqs:queue',
        policy: '',
        rule: 'read-error',
        status: 'error',
        observed: { operation: 'GetQueueAttributes', code: 'AccessDenied' },
        desired: null,
        message: 'GetQueueAttributes failed: AccessDenied: not allowed',
        enforcement: 'audit',
        actions: [],
      },
    ]);
  });

  it('read errors are reported even when no policy selects anything', () => {
    const inv = inventory({
      readErrors: [
        { resource: arnOf('x'), operation: 'GetQueueUrl', code: 'Throttling', message: 'slow down' },
      ],
    });
    expect(summary(plan(policySet(), inv).findings)).toEqual(['x read-error error']);
  });

  it('consumers not read: no visibility finding; read but none for the queue: skipped', () => {
    const q = redriving('q', 'q-dlq', 4, { tags: TEAM });
    const dlq = queue('q-dlq', { messageRetentionPeriod: 86_400 });
    const rules = (findings: readonly Finding[]) => findings.map((f) => `${f.rule} ${f.status}`);
    expect(rules(plan(ORDERS, inventory({ tagged: [q], others: [dlq], consumers: null })).findings)).toEqual([
      'sqs-dead-letter-queue pass',
      'sqs-dlq-retention pass',
    ]);
    const read = plan(
      ORDERS,
      inventory({ tagged: [q], others: [dlq], consumers: { other: [consumer(30)] } }),
    );
    expect(rules(read.findings)).toEqual([
      'sqs-dead-letter-queue pass',
      'sqs-visibility-timeout skipped',
      'sqs-dlq-retention pass',
    ]);
  });

  it('a policy evaluates only the rules it has', () => {
    const onlyRetention = policySet(
      policy({ name: 'r', match: TEAM, rules: { 'sqs-dlq-retention': { minSeconds: 3_600 } } }),
    );
    const q = redriving('q', 'q-dlq', 999, { tags: TEAM, visibilityTimeout: 0 });
    const inv = inventory({
      tagged: [q],
      others: [queue('q-dlq', { messageRetentionPeriod: 60 })],
      consumers: { q: [consumer(900)] },
    });
    const result = plan(onlyRetention, inv);
    expect(summary(result.findings)).toEqual(['q-dlq sqs-dlq-retention drift']);
    expect(result.findings[0]).toMatchObject({ policy: 'r', enforcement: 'audit' });
  });
});

describe('plan: DLQ retention', () => {
  it('is evaluated on the DLQ of a selected queue, which itself is not selected', () => {
    const q = redriving('orders', 'orders-dlq', 4, { tags: TEAM });
    const dlq = queue('orders-dlq', { messageRetentionPeriod: 3_600 });
    const result = plan(ORDERS, inventory({ tagged: [q], others: [dlq], consumers: null }));
    const retention = result.findings.find((f) => f.rule === 'sqs-dlq-retention');
    expect(retention).toStrictEqual({
      resource: arnOf('orders-dlq'),
      resourceType: 'sqs:queue',
      policy: 'orders',
      rule: 'sqs-dlq-retention',
      status: 'drift',
      observed: { messageRetentionPeriod: 3_600 },
      desired: { messageRetentionPeriod: 86_400 },
      message: `DLQ of ${arnOf('orders')} keeps messages 3600 s, less than 86400 s`,
      enforcement: 'enforce',
      actions: [
        {
          kind: 'SetQueueAttributes',
          queueArn: arnOf('orders-dlq'),
          queueUrl: dlq.url,
          attributes: { MessageRetentionPeriod: '86400' },
        },
      ],
    });
  });

  it('one finding for a DLQ shared by several queues, naming every source', () => {
    const a = redriving('a', 'shared-dlq', 4, { tags: TEAM });
    const b = redriving('b', 'shared-dlq', 4, { tags: TEAM });
    const unselected = redriving('c', 'shared-dlq', 4, { tags: { team: 'billing' } });
    const dlq = queue('shared-dlq', { messageRetentionPeriod: 60 });
    const result = plan(ORDERS, inventory({ tagged: [a, b, unselected], others: [dlq], consumers: null }));
    const retention = result.findings.filter((f) => f.rule === 'sqs-dlq-retention');
    expect(retention).toHaveLength(1);
    expect(retention[0]?.message).toBe(
      `DLQ of ${arnOf('a')}, ${arnOf('b')}, ${arnOf('c')} keeps messages 60 s, less than 86400 s`,
    );
    expect(retention[0]?.actions).toHaveLength(1);
  });

  it('a selected queue that is a DLQ: the DLQ rule is skipped and its own retention is checked', () => {
    const dlq = queue('orders-dlq', { tags: TEAM, messageRetentionPeriod: 86_400 });
    const src = redriving('orders', 'orders-dlq', 4, { tags: TEAM });
    const result = plan(ORDERS, inventory({ tagged: [src, dlq], consumers: null }));
    expect(summary(result.findings)).toEqual([
      'orders sqs-dead-letter-queue pass',
      'orders-dlq sqs-dead-letter-queue skipped',
      'orders-dlq sqs-dlq-retention pass',
    ]);
  });

  it('a selected DLQ whose sources are not selected (known from ListDeadLetterSourceQueues) is checked', () => {
    const dlq = queue('lonely-dlq', { tags: TEAM, messageRetentionPeriod: 60 });
    const inv = inventory({
      tagged: [dlq],
      deadLetterSources: { 'lonely-dlq': ['elsewhere'] },
      consumers: null,
    });
    const result = plan(ORDERS, inv);
    expect(summary(result.findings)).toEqual([
      'lonely-dlq sqs-dead-letter-queue skipped',
      'lonely-dlq sqs-dlq-retention drift',
    ]);
    expect(result.findings[1]?.message).toBe(
      `DLQ of ${arnOf('elsewhere')} keeps messages 60 s, less than 86400 s`,
    );
  });

  it.each(['true', 'True'])('an ignored DLQ (ignore=%s) is skipped, whatever its retention', (value) => {
    const q = redriving('orders', 'orders-dlq', 4, { tags: TEAM });
    const dlq = queue('orders-dlq', { tags: { [TAGS.ignore]: value }, messageRetentionPeriod: 60 });
    const result = plan(ORDERS, inventory({ tagged: [q], others: [dlq], consumers: null }));
    expect(result.findings.find((f) => f.resource === dlq.arn)).toStrictEqual({
      resource: dlq.arn,
      resourceType: 'sqs:queue',
      policy: 'orders',
      rule: 'sqs-dlq-retention',
      status: 'skipped',
      observed: null,
      desired: null,
      message: 'DLQ is tagged edaguard.dev/ignore=true',
      enforcement: 'enforce',
      actions: [],
    });
    expect(plannedActions(result)).toEqual([]);
  });

  it('adopting edaguard’s own DLQ: the queue is re-pointed with one write', () => {
    const q = queue('orders', { tags: TEAM });
    const ours = managedDlq('orders-dlq', 'orders', { messageRetentionPeriod: 86_400 });
    const result = plan(ORDERS, inventory({ tagged: [q], others: [ours], consumers: null }));
    expect(plannedActions(result)).toEqual([
      {
        kind: 'SetQueueAttributes',
        queueArn: q.arn,
        queueUrl: q.url,
        attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ours.arn, maxReceiveCount: 4 }) },
      },
    ]);
  });

  it('adopting edaguard’s own DLQ with too short a retention fixes its retention in the same plan', () => {
    const q = queue('orders', { tags: TEAM });
    const ours = managedDlq('orders-dlq', 'orders', { messageRetentionPeriod: 60 });
    const result = plan(ORDERS, inventory({ tagged: [q], others: [ours], consumers: null }));
    expect(summary(result.findings)).toEqual([
      'orders sqs-dead-letter-queue drift',
      'orders-dlq sqs-dlq-retention drift',
    ]);
    expect(plannedActions(result).map((a) => (a as QueueAction).attributes)).toEqual([
      { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ours.arn, maxReceiveCount: 4 }) },
      { MessageRetentionPeriod: '86400' },
    ]);
  });

  it('a DLQ that was not read (missing) gets no retention finding, and the queue gets a new DLQ', () => {
    const q = redriving('orders', 'gone-dlq', 4, { tags: TEAM });
    const result = plan(ORDERS, inventory({ tagged: [q], missing: ['gone-dlq'], consumers: null }));
    expect(summary(result.findings)).toEqual(['orders sqs-dead-letter-queue drift']);
    expect(plannedActions(result).map((a) => a.kind)).toEqual(['CreateQueue', 'SetQueueAttributes']);
  });
});

describe('plan: several policies', () => {
  const byTeam = (rules: Record<string, unknown>, enforcement: 'enforce' | 'audit' = 'enforce') =>
    policy({ name: 'by-team', enforcement, match: { team: 'orders' }, rules });
  const byTier = (rules: Record<string, unknown>, enforcement: 'enforce' | 'audit' = 'enforce') =>
    policy({ name: 'by-tier', enforcement, match: { tier: 'critical' }, rules });
  const BOTH = { team: 'orders', tier: 'critical' };

  it('policies that disagree on a queue both select: one policy-conflict finding, no actions', () => {
    const set = policySet(
      byTeam({ 'sqs-dead-letter-queue': DLQ_RULE }),
      byTier({ 'sqs-dead-letter-queue': { ...DLQ_RULE, maxReceiveCount: { min: 1, max: 3, default: 2 } } }),
    );
    const q = queue('orders', { tags: BOTH });
    const result = plan(set, inventory({ tagged: [q] }));
    expect(result.findings).toStrictEqual([
      {
        resource: q.arn,
        resourceType: 'sqs:queue',
        policy: 'by-team,by-tier',
        rule: 'policy-conflict',
        status: 'drift',
        observed: {
          rule: 'sqs-dead-letter-queue',
          settings: {
            'by-team': { maxReceiveCount: { min: 3, max: 5, default: 4 }, create: { nameSuffix: '-dlq' } },
            'by-tier': { maxReceiveCount: { min: 1, max: 3, default: 2 }, create: { nameSuffix: '-dlq' } },
          },
        },
        desired: null,
        message:
          'policies "by-team", "by-tier" set sqs-dead-letter-queue differently here; nothing is written until they agree',
        enforcement: 'audit',
        actions: [],
      },
    ]);
    expect(plannedActions(result)).toEqual([]);
  });

  it('the same policies on queues carrying only one of the tags: each governed by its own', () => {
    const set = policySet(
      byTeam({ 'sqs-dead-letter-queue': DLQ_RULE }),
      byTier({ 'sqs-dead-letter-queue': { ...DLQ_RULE, maxReceiveCount: { min: 1, max: 3, default: 2 } } }),
    );
    const a = queue('a', { tags: { team: 'orders' } });
    const b = queue('b', { tags: { tier: 'critical' } });
    const result = plan(set, inventory({ tagged: [a, b] }));
    expect(
      result.findings.map((f) => [
        f.resource,
        f.rule,
        f.policy,
        (f.desired as { maxReceiveCount: number }).maxReceiveCount,
      ]),
    ).toEqual([
      [a.arn, 'sqs-dead-letter-queue', 'by-team', 4],
      [b.arn, 'sqs-dead-letter-queue', 'by-tier', 2],
    ]);
  });

  it('a visibility conflict is reported the same way, next to the rules they agree on', () => {
    const set = policySet(
      byTeam({ 'sqs-visibility-timeout': { lambdaTimeoutMultiple: 6 }, 'sqs-dead-letter-queue': DLQ_RULE }),
      byTier({ 'sqs-visibility-timeout': { lambdaTimeoutMultiple: 2 }, 'sqs-dead-letter-queue': DLQ_RULE }),
    );
    const q = redriving('orders', 'orders-dlq', 4, { tags: BOTH });
    const result = plan(
      set,
      inventory({ tagged: [q], others: [queue('orders-dlq')], consumers: { orders: [consumer(60)] } }),
    );
    expect(result.findings.map((f) => [f.rule, f.status, f.policy])).toEqual([
      ['policy-conflict', 'drift', 'by-team,by-tier'],
      ['sqs-dead-letter-queue', 'pass', 'by-team,by-tier'],
    ]);
    expect(result.findings[0]?.observed).toEqual({
      rule: 'sqs-visibility-timeout',
      settings: { 'by-team': { lambdaTimeoutMultiple: 6 }, 'by-tier': { lambdaTimeoutMultiple: 2 } },
    });
  });

  it('two queues selected by different policies sharing a DLQ: a retention conflict on the DLQ', () => {
    const set = policySet(
      byTeam({ 'sqs-dlq-retention': { minSeconds: 86_400 } }),
      byTier({ 'sqs-dlq-retention': { minSeconds: 3_600 } }),
    );
    const a = redriving('a', 'shared-dlq', 4, { tags: { team: 'orders' } });
    const b = redriving('b', 'shared-dlq', 4, { tags: { tier: 'critical' } });
    const dlq = queue('shared-dlq', { messageRetentionPeriod: 60 });
    const result = plan(set, inventory({ tagged: [a, b], others: [dlq] }));
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      resource: dlq.arn,
      rule: 'policy-conflict',
      policy: 'by-team,by-tier',
      observed: {
        rule: 'sqs-dlq-retention',
        settings: { 'by-team': { minSeconds: 86_400 }, 'by-tier': { minSeconds: 3_600 } },
      },
      actions: [],
    });
  });

  it.each([
    { team: 'enforce', tier: 'enforce', expected: 'enforce' },
    { team: 'enforce', tier: 'audit', expected: 'audit' },
    { team: 'audit', tier: 'enforce', expected: 'audit' },
    { team: 'audit', tier: 'audit', expected: 'audit' },
  ] as const)(
    'agreeing policies ($team + $tier) act together: enforcement $expected',
    ({ team, tier, expected }) => {
      const set = policySet(
        byTeam({ 'sqs-dead-letter-queue': DLQ_RULE }, team),
        byTier({ 'sqs-dead-letter-queue': DLQ_RULE }, tier),
      );
      const q = queue('orders', { tags: BOTH });
      const result = plan(set, inventory({ tagged: [q] }));
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]).toMatchObject({
        rule: 'sqs-dead-letter-queue',
        status: 'drift',
        policy: 'by-team,by-tier',
        enforcement: expected,
      });
      // The writes are planned either way; apply holds them back in audit mode.
      expect(result.findings[0]?.actions.map((a) => a.kind)).toEqual(['CreateQueue', 'SetQueueAttributes']);
    },
  );

  it('a policy without the rule does not make it a conflict', () => {
    const set = policySet(
      byTeam({ 'sqs-dead-letter-queue': DLQ_RULE }),
      byTier({ 'sqs-dlq-retention': {} }, 'audit'),
    );
    const q = queue('orders', { tags: BOTH });
    const [finding] = plan(set, inventory({ tagged: [q] })).findings;
    expect(finding).toMatchObject({
      rule: 'sqs-dead-letter-queue',
      policy: 'by-team',
      enforcement: 'enforce',
    });
  });
});

describe('resolveRule', () => {
  const p = (name: string, rules: Record<string, unknown>) => policy({ name, rules });
  it('none / governed / conflict', () => {
    const a = p('a', { 'sqs-dlq-retention': { minSeconds: 60 } });
    const b = p('b', { 'sqs-dlq-retention': { minSeconds: 60 } });
    const c = p('c', { 'sqs-dlq-retention': { minSeconds: 61 } });
    const other = p('other', { 'sqs-visibility-timeout': {} });
    expect(resolveRule([], 'sqs-dlq-retention')).toEqual({ kind: 'none' });
    expect(resolveRule([other], 'sqs-dlq-retention')).toEqual({ kind: 'none' });
    expect(resolveRule([a, other, b], 'sqs-dlq-retention')).toEqual({
      kind: 'governed',
      settings: { minSeconds: 60 },
      policies: [a, b],
    });
    expect(resolveRule([a, b, c], 'sqs-dlq-retention')).toEqual({ kind: 'conflict', policies: [a, b, c] });
  });
});

describe('plan: determinism and purity', () => {
  const build = (): Inventory => {
    const dlq = queue('z-dlq', { messageRetentionPeriod: 60 });
    return inventory({
      tagged: [
        queue('m', { tags: TEAM }),
        redriving('z', 'z-dlq', 99, { tags: TEAM, visibilityTimeout: 1 }),
        redriving('a', 'z-dlq', 4, { tags: TEAM }),
        queue('B.fifo', { tags: TEAM }),
      ],
      others: [dlq, managedDlq('m-dlq', 'm')],
      consumers: { z: [consumer(10)], a: [consumer(undefined)] },
      readErrors: [{ resource: arnOf('k'), operation: 'GetQueueAttributes', code: 'X', message: 'y' }],
    });
  };

  it('findings are sorted by resource, then rule', () => {
    const { findings } = plan(ORDERS, build());
    const keys = findings.map((f) => [f.resource, f.rule] as const);
    const sorted = [...keys].sort(([ra, xa], [rb, xb]) => ra.localeCompare(rb) || xa.localeCompare(xb));
    expect(keys).toEqual(sorted);
    expect(summary(findings)).toEqual([
      'a sqs-dead-letter-queue pass',
      'a sqs-visibility-timeout skipped',
      'B.fifo sqs-dead-letter-queue drift',
      'B.fifo sqs-visibility-timeout skipped',
      'k read-error error',
      'm sqs-dead-letter-queue drift',
      'm sqs-visibility-timeout skipped',
      'm-dlq sqs-dlq-retention pass',
      'z sqs-dead-letter-queue drift',
      'z sqs-visibility-timeout drift',
      'z-dlq sqs-dlq-retention drift',
    ]);
  });

  it('the same input twice gives deep-equal plans', () => {
    expect(plan(ORDERS, build())).toStrictEqual(plan(ORDERS, build()));
    const inv = build();
    expect(plan(ORDERS, inv)).toStrictEqual(plan(ORDERS, inv));
  });

  it('the order of the tagged resources does not change the findings’ order', () => {
    const inv = build();
    const reversed: Inventory = { ...inv, tagged: [...inv.tagged].reverse() };
    const key = (f: Finding) => `${f.resource} ${f.rule} ${f.status}`;
    expect(plan(ORDERS, reversed).findings.map(key)).toEqual(plan(ORDERS, inv).findings.map(key));
  });

  it('the order of the tagged resources does not change a shared DLQ’s finding', () => {
    const set = policySet(
      policy({ name: 'p1', match: { team: 'a' }, rules: { 'sqs-dlq-retention': { minSeconds: 3_600 } } }),
      policy({ name: 'p2', match: { tier: 'x' }, rules: { 'sqs-dlq-retention': { minSeconds: 3_600 } } }),
    );
    const a = redriving('a', 'shared-dlq', 4, { tags: { team: 'a' } });
    const b = redriving('b', 'shared-dlq', 4, { tags: { tier: 'x' } });
    const inv = inventory({ tagged: [a, b], others: [queue('shared-dlq')] });
    const reversed: Inventory = { ...inv, tagged: [...inv.tagged].reverse() };
    expect(plan(set, inv).findings[0]?.policy).toBe('p1,p2');
    expect(plan(set, reversed)).toStrictEqual(plan(set, inv));
  });

  it('does not mutate the inventory or the policies', () => {
    const inv = build();
    const before = structuredClone(inv);
    const policiesBefore = structuredClone(ORDERS);
    plan(ORDERS, inv);
    expect(inv).toStrictEqual(before);
    expect(ORDERS).toStrictEqual(policiesBefore);
  });

  it('works on a deep-frozen inventory, as discovery returns it', () => {
    const inv = deepFreeze(build());
    expect(() => plan(ORDERS, inv)).not.toThrow();
    expect(plan(ORDERS, inv)).toStrictEqual(plan(ORDERS, build()));
  });

  it('findings do not share mutable state with the inventory', () => {
    const inv = build();
    const result = plan(ORDERS, inv);
    const z = result.findings.find((f) => f.resource === arnOf('z') && f.rule === 'sqs-dead-letter-queue');
    (z?.observed as { maxReceiveCount: number }).maxReceiveCount = -1;
    expect(inv.queues.get(arnOf('z'))?.redrivePolicy?.maxReceiveCount).toBe(99);
  });
});
