import { describe, expect, it } from 'vitest';
import type { QueueFacts } from '../../../../src/discovery/inventory.js';
import { type RuleSettings, SqsDeadLetterQueueSettings } from '../../../../src/policy/ruleSettings.js';
import { TAGS } from '../../../../src/policy/schema.js';
import type { QueueAction } from '../../../../src/reconcile/model.js';
import {
  createdDlqRetention,
  dlqAttributesFor,
  planQueueDeadLetter,
  redrivePolicyJson,
} from '../../../../src/reconcile/rules/sqsDeadLetterQueue.js';
import { arnOf, inventory, managedDlq, queue, redriving, unmanagedCandidate, urlOf } from '../../fixtures.js';

type Settings = RuleSettings['sqs-dead-letter-queue'];
const settings = (input: Record<string, unknown>): Settings => SqsDeadLetterQueueSettings.parse(input);

/** Range [3, 5], default 4, creating `<name>-dlq`. */
const CREATING = settings({ maxReceiveCount: { min: 3, max: 5, default: 4 }, create: {} });
const REPORTING = settings({ maxReceiveCount: { min: 3, max: 5, default: 4 } });

const redrive = (dlq: string, count: number) =>
  JSON.stringify({ deadLetterTargetArn: arnOf(dlq), maxReceiveCount: count });

const setRedrive = (name: string, dlq: string, count: number) => ({
  kind: 'SetQueueAttributes' as const,
  queueArn: arnOf(name),
  queueUrl: urlOf(name),
  attributes: { RedrivePolicy: redrive(dlq, count) },
});

const managedTags = (source: string) => ({
  [TAGS.managedBy]: 'edaguard',
  [TAGS.dlqFor]: arnOf(source),
});

describe('redrivePolicyJson', () => {
  it('is the JSON SQS expects, with a numeric maxReceiveCount', () => {
    expect(JSON.parse(redrivePolicyJson('arn:aws:sqs:us-east-1:1:d', 4))).toStrictEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:d',
      maxReceiveCount: 4,
    });
  });
});

describe('createdDlqRetention', () => {
  it.each<{ retentionSeconds?: number; minSeconds?: number; expected: number }>([
    { retentionSeconds: 3_600, minSeconds: 7_200, expected: 3_600 },
    { retentionSeconds: 3_600, expected: 3_600 },
    { minSeconds: 7_200, expected: 7_200 },
    { expected: 1_209_600 },
  ])('create.retentionSeconds=$retentionSeconds, retention minSeconds=$minSeconds → $expected', (row) => {
    const s = settings({
      create: row.retentionSeconds === undefined ? {} : { retentionSeconds: row.retentionSeconds },
    });
    expect(createdDlqRetention(s, row.minSeconds)).toBe(row.expected);
  });

  it('without create settings it falls back the same way', () => {
    expect(createdDlqRetention(REPORTING, 120)).toBe(120);
    expect(createdDlqRetention(REPORTING, undefined)).toBe(1_209_600);
  });
});

describe('dlqAttributesFor', () => {
  it.each<{ name: string; source: Partial<QueueFacts>; expected: Record<string, string> }>([
    { name: 'a plain standard queue', source: {}, expected: { MessageRetentionPeriod: '600' } },
    {
      name: 'a FIFO queue',
      source: { fifo: true },
      expected: { MessageRetentionPeriod: '600', FifoQueue: 'true' },
    },
    {
      name: 'a KMS-encrypted queue',
      source: { kmsMasterKeyId: 'alias/orders', kmsDataKeyReusePeriodSeconds: 900 },
      expected: {
        MessageRetentionPeriod: '600',
        KmsMasterKeyId: 'alias/orders',
        KmsDataKeyReusePeriodSeconds: '900',
      },
    },
    {
      name: 'a KMS-encrypted queue without a known reuse period (SQS default 300)',
      source: { kmsMasterKeyId: 'alias/orders' },
      expected: {
        MessageRetentionPeriod: '600',
        KmsMasterKeyId: 'alias/orders',
        KmsDataKeyReusePeriodSeconds: '300',
      },
    },
    {
      name: 'a queue with SQS-managed SSE',
      source: { sqsManagedSseEnabled: true },
      expected: { MessageRetentionPeriod: '600', SqsManagedSseEnabled: 'true' },
    },
    {
      name: 'KMS wins over SQS-managed SSE (they are exclusive)',
      source: { kmsMasterKeyId: 'k', kmsDataKeyReusePeriodSeconds: 60, sqsManagedSseEnabled: true },
      expected: { MessageRetentionPeriod: '600', KmsMasterKeyId: 'k', KmsDataKeyReusePeriodSeconds: '60' },
    },
    {
      name: 'an encrypted FIFO queue',
      source: { fifo: true, sqsManagedSseEnabled: true },
      expected: { MessageRetentionPeriod: '600', FifoQueue: 'true', SqsManagedSseEnabled: 'true' },
    },
  ])('$name', ({ source, expected }) => {
    expect(dlqAttributesFor(queue('q', source), 600)).toStrictEqual(expected);
  });
});

describe('planQueueDeadLetter: creating a DLQ', () => {
  it('no redrive policy: CreateQueue <name>-dlq, then SetQueueAttributes RedrivePolicy', () => {
    const orders = queue('orders');
    const verdict = planQueueDeadLetter(orders, CREATING, inventory({ tagged: [orders] }), undefined);
    expect(verdict).toStrictEqual({
      status: 'drift',
      observed: null,
      desired: { deadLetterTargetArn: arnOf('orders-dlq'), maxReceiveCount: 4 },
      message: 'it has no DLQ; create orders-dlq and attach it',
      actions: [
        {
          kind: 'CreateQueue',
          queueArn: arnOf('orders-dlq'),
          queueName: 'orders-dlq',
          attributes: { MessageRetentionPeriod: '1209600' },
          tags: managedTags('orders'),
        },
        setRedrive('orders', 'orders-dlq', 4),
      ],
    });
  });

  it('uses the policy’s suffix', () => {
    const s = settings({ create: { nameSuffix: '_failures' } });
    const q = queue('billing');
    const verdict = planQueueDeadLetter(
      q,
      s,
      inventory({ tagged: [q], dlqSuffixes: ['_failures'] }),
      undefined,
    );
    expect(verdict.actions?.map((a) => a.kind === 'CreateQueue' && a.queueName)).toEqual([
      'billing_failures',
      false,
    ]);
    expect(verdict.actions?.[1]).toStrictEqual(setRedrive('billing', 'billing_failures', 5));
  });

  it('a FIFO queue gets <base><suffix>.fifo with FifoQueue=true', () => {
    const q = queue('orders.fifo', { fifo: true });
    const verdict = planQueueDeadLetter(q, CREATING, inventory({ tagged: [q] }), undefined);
    expect(verdict.actions).toStrictEqual([
      {
        kind: 'CreateQueue',
        queueArn: arnOf('orders-dlq.fifo'),
        queueName: 'orders-dlq.fifo',
        attributes: { MessageRetentionPeriod: '1209600', FifoQueue: 'true' },
        tags: managedTags('orders.fifo'),
      },
      setRedrive('orders.fifo', 'orders-dlq.fifo', 4),
    ]);
  });

  it.each<{ name: string; source: Partial<QueueFacts>; inherited: Record<string, string> }>([
    {
      name: 'a KMS key with its reuse period',
      source: {
        kmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
        kmsDataKeyReusePeriodSeconds: 120,
      },
      inherited: {
        KmsMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
        KmsDataKeyReusePeriodSeconds: '120',
      },
    },
    {
      name: 'SQS-managed SSE',
      source: { sqsManagedSseEnabled: true },
      inherited: { SqsManagedSseEnabled: 'true' },
    },
  ])('the created DLQ inherits $name', ({ source, inherited }) => {
    const q = queue('orders', source);
    const [create] = (planQueueDeadLetter(q, CREATING, inventory({ tagged: [q] }), undefined).actions ??
      []) as QueueAction[];
    expect(create).toMatchObject({
      kind: 'CreateQueue',
      attributes: { MessageRetentionPeriod: '1209600', ...inherited },
    });
    expect(Object.keys(create?.attributes ?? {}).sort()).toEqual(
      ['MessageRetentionPeriod', ...Object.keys(inherited)].sort(),
    );
  });

  it.each<{ retentionSeconds?: number; minSeconds?: number; expected: string }>([
    { retentionSeconds: 86_400, minSeconds: 172_800, expected: '86400' },
    { minSeconds: 172_800, expected: '172800' },
    { expected: '1209600' },
  ])(
    'created DLQ retention: create.retentionSeconds=$retentionSeconds, rule minSeconds=$minSeconds → $expected',
    ({ retentionSeconds, minSeconds, expected }) => {
      const s = settings({ create: retentionSeconds === undefined ? {} : { retentionSeconds } });
      const q = queue('orders');
      const [create] = (planQueueDeadLetter(q, s, inventory({ tagged: [q] }), minSeconds).actions ??
        []) as QueueAction[];
      expect(create?.attributes.MessageRetentionPeriod).toBe(expected);
    },
  );

  it('the DLQ ARN is built on the inventory’s target', () => {
    const q = queue('orders', { arn: 'arn:aws-cn:sqs:cn-north-1:111122223333:orders' });
    const inv = {
      ...inventory({ tagged: [q] }),
      target: { partition: 'aws-cn', accountId: '111122223333', region: 'cn-north-1' },
    };
    const verdict = planQueueDeadLetter(q, CREATING, inv, undefined);
    expect(verdict.desired).toEqual({
      deadLetterTargetArn: 'arn:aws-cn:sqs:cn-north-1:111122223333:orders-dlq',
      maxReceiveCount: 4,
    });
    expect(verdict.actions?.[0]).toMatchObject({
      queueArn: 'arn:aws-cn:sqs:cn-north-1:111122223333:orders-dlq',
      tags: { [TAGS.dlqFor]: 'arn:aws-cn:sqs:cn-north-1:111122223333:orders' },
    });
  });
});

describe('planQueueDeadLetter: an existing redrive policy', () => {
  const dlq = queue('orders-dlq');
  it.each([
    { count: 3, status: 'pass', why: 'at min' },
    { count: 4, status: 'pass', why: 'inside' },
    { count: 5, status: 'pass', why: 'at max' },
    { count: 2, status: 'drift', why: 'min - 1' },
    { count: 6, status: 'drift', why: 'max + 1' },
    { count: 0, status: 'drift', why: 'unparseable (0)' },
    { count: 1000, status: 'drift', why: 'SQS maximum' },
  ] as const)('maxReceiveCount $count ($why) in [3, 5] → $status', ({ count, status }) => {
    const q = redriving('orders', 'orders-dlq', count);
    const verdict = planQueueDeadLetter(q, CREATING, inventory({ tagged: [q], others: [dlq] }), undefined);
    const observed = { deadLetterTargetArn: arnOf('orders-dlq'), maxReceiveCount: count };
    if (status === 'pass') {
      expect(verdict).toStrictEqual({
        status: 'pass',
        observed,
        desired: observed,
        message: `redrives to ${arnOf('orders-dlq')}`,
      });
    } else {
      expect(verdict).toStrictEqual({
        status: 'drift',
        observed,
        desired: { deadLetterTargetArn: arnOf('orders-dlq'), maxReceiveCount: 4 },
        message: `maxReceiveCount ${count} is outside [3, 5]; set to 4`,
        actions: [setRedrive('orders', 'orders-dlq', 4)],
      });
    }
  });

  it('an out-of-range count is fixed in place even without create settings, keeping any DLQ name', () => {
    const q = redriving('orders', 'someone-elses-dlq', 50);
    const verdict = planQueueDeadLetter(q, REPORTING, inventory({ tagged: [q] }), undefined);
    expect(verdict.actions).toStrictEqual([setRedrive('orders', 'someone-elses-dlq', 4)]);
  });

  it('a DLQ that was not read but is not known to be missing counts as existing', () => {
    const q = redriving('orders', 'unread-dlq', 4);
    expect(planQueueDeadLetter(q, CREATING, inventory({ tagged: [q] }), undefined).status).toBe('pass');
  });

  it('the observed value is a copy, not the inventory’s object', () => {
    const q = redriving('orders', 'orders-dlq', 4);
    const verdict = planQueueDeadLetter(q, CREATING, inventory({ tagged: [q], others: [dlq] }), undefined);
    expect(verdict.observed).toEqual(q.redrivePolicy);
    expect(verdict.observed).not.toBe(q.redrivePolicy);
  });
});

describe('planQueueDeadLetter: a missing DLQ or a queue without one', () => {
  it('a redrive target that no longer exists: recreate <name>-dlq and re-point, with the default count', () => {
    const q = redriving('orders', 'deleted-dlq', 4);
    const verdict = planQueueDeadLetter(
      q,
      CREATING,
      inventory({ tagged: [q], missing: ['deleted-dlq'] }),
      undefined,
    );
    expect(verdict).toMatchObject({
      status: 'drift',
      observed: { deadLetterTargetArn: arnOf('deleted-dlq'), maxReceiveCount: 4 },
      desired: { deadLetterTargetArn: arnOf('orders-dlq'), maxReceiveCount: 4 },
      message: `its DLQ ${arnOf('deleted-dlq')} does not exist; create orders-dlq and attach it`,
    });
    expect(verdict.actions?.map((a) => a.kind)).toEqual(['CreateQueue', 'SetQueueAttributes']);
    expect(verdict.actions?.[1]).toStrictEqual(setRedrive('orders', 'orders-dlq', 4));
  });

  it('a missing DLQ that had edaguard’s own name is recreated under that name', () => {
    const q = redriving('orders', 'orders-dlq', 9);
    const verdict = planQueueDeadLetter(
      q,
      CREATING,
      inventory({ tagged: [q], missing: ['orders-dlq'] }),
      undefined,
    );
    expect(verdict.actions?.map((a) => [a.kind, (a as QueueAction).queueArn])).toEqual([
      ['CreateQueue', arnOf('orders-dlq')],
      ['SetQueueAttributes', arnOf('orders')],
    ]);
  });

  it.each([
    { name: 'no redrive policy', q: queue('orders'), missing: [], why: 'it has no DLQ' },
    {
      name: 'a missing redrive target',
      q: redriving('orders', 'gone', 4),
      missing: ['gone'],
      why: `its DLQ ${arnOf('gone')} does not exist`,
    },
  ])('without create settings, $name is drift with no action', ({ q, missing, why }) => {
    const verdict = planQueueDeadLetter(q, REPORTING, inventory({ tagged: [q], missing }), undefined);
    expect(verdict).toStrictEqual({
      status: 'drift',
      observed: q.redrivePolicy ? { ...q.redrivePolicy } : null,
      desired: { maxReceiveCount: 4 },
      message: `${why}; add rules.sqs-dead-letter-queue.create to let edaguard create one`,
    });
  });

  it('a queue of that name that edaguard did not create: a ticket, no action, and how to adopt it', () => {
    const q = queue('orders');
    const verdict = planQueueDeadLetter(
      q,
      CREATING,
      inventory({ tagged: [q], candidates: [unmanagedCandidate('orders-dlq')] }),
      undefined,
    );
    expect(verdict.status).toBe('ticket');
    expect(verdict.actions).toBeUndefined();
    expect(verdict.desired).toEqual({ deadLetterTargetArn: arnOf('orders-dlq'), maxReceiveCount: 4 });
    expect(verdict.message).toBe(
      'it has no DLQ; a queue named orders-dlq exists but edaguard did not create it: attach it yourself, or tag it edaguard.dev/managed-by=edaguard to let edaguard adopt it',
    );
  });

  it('a queue of that name that edaguard created: adopt it with only SetQueueAttributes', () => {
    const q = queue('orders');
    const ours = managedDlq('orders-dlq', 'orders');
    const verdict = planQueueDeadLetter(q, CREATING, inventory({ tagged: [q], others: [ours] }), undefined);
    expect(verdict).toStrictEqual({
      status: 'drift',
      observed: null,
      desired: { deadLetterTargetArn: arnOf('orders-dlq'), maxReceiveCount: 4 },
      message: 'it has no DLQ; adopt orders-dlq (ours) as its DLQ',
      actions: [setRedrive('orders', 'orders-dlq', 4)],
    });
  });

  it('when discovery could not check the name: drift, no action', () => {
    const q = queue('orders');
    const inv = { ...inventory({ tagged: [q] }), queueNameCandidates: new Map() };
    const verdict = planQueueDeadLetter(q, CREATING, inv, undefined);
    expect(verdict).toMatchObject({
      status: 'drift',
      message: 'it has no DLQ; could not check whether orders-dlq exists',
    });
    expect(verdict.actions).toBeUndefined();
  });

  it.each([
    { name: 'a'.repeat(76), fifo: false, valid: true, dlq: `${'a'.repeat(76)}-dlq` },
    { name: 'a'.repeat(77), fifo: false, valid: false, dlq: `${'a'.repeat(77)}-dlq` },
    { name: `${'f'.repeat(71)}.fifo`, fifo: true, valid: true, dlq: `${'f'.repeat(71)}-dlq.fifo` },
    { name: `${'f'.repeat(72)}.fifo`, fifo: true, valid: false, dlq: `${'f'.repeat(72)}-dlq.fifo` },
  ])('DLQ name of $dlq.length characters: valid=$valid', ({ name, fifo, valid, dlq }) => {
    const q = queue(name, { fifo });
    const verdict = planQueueDeadLetter(q, CREATING, inventory({ tagged: [q] }), undefined);
    // A name too long for SQS needs a person to choose a shorter suffix.
    expect(verdict.status).toBe(valid ? 'drift' : 'ticket');
    expect(verdict.desired).toEqual({ deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 4 });
    if (valid) {
      expect(verdict.actions?.[0]).toMatchObject({ kind: 'CreateQueue', queueName: dlq });
    } else {
      expect(verdict.actions).toBeUndefined();
      expect(verdict.message).toBe(
        `it has no DLQ; the DLQ name "${dlq}" is not a valid queue name (at most 80 characters): choose a shorter nameSuffix`,
      );
    }
  });
});

describe('planQueueDeadLetter: a queue that is itself a DLQ', () => {
  it.each([
    { name: 'without a redrive policy', q: queue('orders-dlq') },
    { name: 'with an out-of-range redrive policy', q: redriving('orders-dlq', 'other', 99) },
  ])('is skipped ($name)', ({ q }) => {
    const inv = inventory({ tagged: [q], deadLetterSources: { 'orders-dlq': ['orders', 'billing'] } });
    expect(planQueueDeadLetter(q, CREATING, inv, undefined)).toStrictEqual({
      status: 'skipped',
      observed: { deadLetterSourceOf: [arnOf('orders'), arnOf('billing')] },
      desired: null,
      message: `is the DLQ of ${arnOf('orders')}, ${arnOf('billing')}; a DLQ needs no DLQ`,
    });
  });

  it('an empty list of sources does not make it a DLQ', () => {
    const q = queue('orders');
    const inv = { ...inventory({ tagged: [q] }), deadLetterSources: new Map([[q.arn, []]]) };
    expect(planQueueDeadLetter(q, CREATING, inv, undefined).status).toBe('drift');
  });
});
