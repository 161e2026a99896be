/**
 * Property: applying a plan's writes and planning again gives an empty plan (the controller
 * converges in one cycle and is then idempotent), for arbitrary queue facts and policies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueueConsumer, QueueFacts, QueueNameCandidate } from '../../../src/discovery/inventory.js';
import { toQueueFacts } from '../../../src/discovery/sqs.js';
import { dlqNameFor } from '../../../src/policy/dlqName.js';
import { SQS_LIMITS, TAGS } from '../../../src/policy/schema.js';
import { type Action, type Finding, plannedActions } from '../../../src/reconcile/model.js';
import { plan } from '../../../src/reconcile/plan.js';
import { requiredVisibilityTimeout } from '../../../src/reconcile/rules/sqsVisibilityTimeout.js';
import {
  arnOf,
  consumer,
  inventory,
  managedDlq,
  type PolicySpec,
  policy,
  policySet,
  queue,
  unmanagedCandidate,
  urlOf,
} from '../fixtures.js';

/** Everything the simulated account holds; `inventory(world)` is what discovery would read. */
interface World {
  tagged: QueueFacts[];
  others: QueueFacts[];
  missing: string[];
  candidates: QueueNameCandidate[];
  consumers: Record<string, QueueConsumer[]>;
  dlqSuffixes: string[];
}

/** A queue's attributes as GetQueueAttributes returns them (strings). */
function attributesOf(q: QueueFacts): Record<string, string> {
  return {
    VisibilityTimeout: String(q.visibilityTimeout),
    MessageRetentionPeriod: String(q.messageRetentionPeriod),
    ...(q.fifo ? { FifoQueue: 'true' } : {}),
    ...(q.redrivePolicy ? { RedrivePolicy: JSON.stringify(q.redrivePolicy) } : {}),
    ...(q.kmsMasterKeyId
      ? {
          KmsMasterKeyId: q.kmsMasterKeyId,
          KmsDataKeyReusePeriodSeconds: String(q.kmsDataKeyReusePeriodSeconds ?? 300),
        }
      : {}),
    SqsManagedSseEnabled: String(q.sqsManagedSseEnabled),
    ApproximateNumberOfMessages: String(q.approximateNumberOfMessages),
  };
}

const OWNED_ATTRIBUTES = ['VisibilityTimeout', 'MessageRetentionPeriod', 'RedrivePolicy'];

/** SQS's own validation of the values edaguard writes. */
function checkValue(name: string, value: string, exists: (arn: string) => boolean): void {
  if (name === 'VisibilityTimeout') {
    expect(Number(value)).toBeGreaterThanOrEqual(0);
    expect(Number(value)).toBeLessThanOrEqual(SQS_LIMITS.maxVisibilityTimeoutSeconds);
  }
  if (name === 'MessageRetentionPeriod') {
    expect(Number(value)).toBeGreaterThanOrEqual(SQS_LIMITS.minRetentionSeconds);
    expect(Number(value)).toBeLessThanOrEqual(SQS_LIMITS.maxRetentionSeconds);
  }
  if (name === 'RedrivePolicy') {
    const parsed = JSON.parse(value) as { deadLetterTargetArn: string; maxReceiveCount: number };
    expect(Number.isInteger(parsed.maxReceiveCount)).toBe(true);
    expect(parsed.maxReceiveCount).toBeGreaterThanOrEqual(1);
    expect(parsed.maxReceiveCount).toBeLessThanOrEqual(SQS_LIMITS.maxReceiveCount);
    expect(exists(parsed.deadLetterTargetArn), `DLQ ${parsed.deadLetterTargetArn} must exist first`).toBe(
      true,
    );
  }
}

/** Runs the writes in order against the simulated account, as SQS would (or fails the test). */
function applyActions(world: World, actions: readonly Action[]): World {
  const tagged = new Map(world.tagged.map((q) => [q.arn, q]));
  const others = new Map(world.others.map((q) => [q.arn, q]));
  const exists = (arn: string) =>
    tagged.has(arn) || others.has(arn) || world.candidates.some((c) => c.arn === arn && c.exists);
  const created: string[] = [];
  for (const action of actions) {
    if (action.kind === 'CreateQueue') {
      expect(exists(action.queueArn), `CreateQueue ${action.queueName} over an existing queue`).toBe(false);
      expect(action.queueArn).toBe(arnOf(action.queueName));
      for (const [name, value] of Object.entries(action.attributes)) checkValue(name, value, exists);
      others.set(
        action.queueArn,
        toQueueFacts(action.queueArn, urlOf(action.queueName), { ...action.attributes }, { ...action.tags }),
      );
      created.push(action.queueArn);
      continue;
    }
    // The SQS rules plan only queue writes.
    expect(action.kind).toBe('SetQueueAttributes');
    if (action.kind !== 'SetQueueAttributes') continue;
    const map = tagged.has(action.queueArn) ? tagged : others;
    const current = map.get(action.queueArn);
    expect(current, `SetQueueAttributes on unknown queue ${action.queueArn}`).toBeDefined();
    if (!current) continue;
    expect(action.queueUrl).toBe(current.url);
    for (const [name, value] of Object.entries(action.attributes)) {
      expect(OWNED_ATTRIBUTES).toContain(name);
      checkValue(name, value, exists);
    }
    const attributes = { ...attributesOf(current), ...action.attributes };
    map.set(action.queueArn, toQueueFacts(current.arn, current.url, attributes, { ...current.tags }));
  }
  return {
    ...world,
    tagged: [...tagged.values()],
    others: [...others.values()],
    missing: world.missing.filter((arn) => !created.includes(arn)),
  };
}

// ---- arbitraries ----

const retentionArb = fc.integer({ min: SQS_LIMITS.minRetentionSeconds, max: SQS_LIMITS.maxRetentionSeconds });

const policyArb = fc.record({
  enforcement: fc.constantFrom('enforce' as const, 'audit' as const),
  range: fc
    .tuple(
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 1000 }),
    )
    .map((xs) => xs.sort((a, b) => a - b)),
  create: fc.option(
    fc.record({
      nameSuffix: fc.constantFrom('-dlq', '_dlq', '-failed'),
      retentionSeconds: fc.option(retentionArb, { nil: undefined }),
    }),
    { nil: undefined },
  ),
  minSeconds: fc.option(retentionArb, { nil: undefined }),
  multiple: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
});
type PolicyInput = typeof policyArb extends fc.Arbitrary<infer T> ? T : never;

// Counts start at 1: SQS holds no smaller one, and discovery reports one as an unexpected answer.
const redriveArb = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({
    kind: fc.constant('existing' as const),
    dlq: fc.integer({ min: 0, max: 1 }),
    maxReceiveCount: fc.integer({ min: 1, max: 1000 }),
  }),
  fc.record({ kind: fc.constant('missing' as const), maxReceiveCount: fc.integer({ min: 1, max: 1000 }) }),
  fc.record({
    kind: fc.constant('sibling' as const),
    index: fc.nat(),
    maxReceiveCount: fc.integer({ min: 1, max: 1000 }),
  }),
);

const queueArb = fc.record({
  fifo: fc.boolean(),
  visibilityTimeout: fc.integer({ min: 0, max: SQS_LIMITS.maxVisibilityTimeoutSeconds }),
  retention: retentionArb,
  encryption: fc.constantFrom('none', 'kms', 'sse'),
  redrive: redriveArb,
  /** What already exists under the name edaguard would give this queue's DLQ. */
  nameTaken: fc.constantFrom('no', 'unmanaged', 'managed'),
  takenRetention: retentionArb,
  consumers: fc.array(
    fc.record({
      // Up to 10000 s (above Lambda's 900) to reach required visibility timeouts above 43200 s.
      timeout: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
      window: fc.integer({ min: 0, max: 300 }),
    }),
    { maxLength: 3 },
  ),
});
type QueueInput = typeof queueArb extends fc.Arbitrary<infer T> ? T : never;

const dlqArb = fc.record({ retention: retentionArb, ignored: fc.boolean() });

const TEAM = { team: 'orders' };

function policyOf(p: PolicyInput): PolicySpec {
  // Observed, not asserted here: create.retentionSeconds below the retention rule's minSeconds is a
  // policy at odds with itself (the created DLQ is raised on the next cycle): keep them consistent.
  const create = p.create && {
    nameSuffix: p.create.nameSuffix,
    ...(p.create.retentionSeconds === undefined
      ? {}
      : { retentionSeconds: Math.max(p.create.retentionSeconds, p.minSeconds ?? 0) }),
  };
  const [min, dflt, max] = p.range;
  return {
    name: 'generated',
    enforcement: p.enforcement,
    match: TEAM,
    rules: {
      'sqs-dead-letter-queue': {
        maxReceiveCount: { min, max, default: dflt },
        ...(create ? { create } : {}),
      },
      ...(p.minSeconds === undefined ? {} : { 'sqs-dlq-retention': { minSeconds: p.minSeconds } }),
      ...(p.multiple === undefined
        ? {}
        : { 'sqs-visibility-timeout': { lambdaTimeoutMultiple: p.multiple } }),
    },
  };
}

function worldOf(
  p: PolicyInput,
  inputs: QueueInput[],
  dlqs: Array<{ retention: number; ignored: boolean }>,
): World {
  const suffix = p.create?.nameSuffix ?? '-dlq';
  const names = inputs.map((q, i) => (q.fifo ? `q${i}.fifo` : `q${i}`));
  const others: QueueFacts[] = dlqs.map((d, i) =>
    queue(`ext-${i}`, {
      messageRetentionPeriod: d.retention,
      tags: d.ignored ? { [TAGS.ignore]: 'true' } : {},
    }),
  );
  const missing: string[] = [];
  const candidates: QueueNameCandidate[] = [];
  const consumers: Record<string, QueueConsumer[]> = {};
  const tagged = inputs.map((q, i) => {
    const name = names[i] as string;
    const r = q.redrive;
    let target: string | undefined;
    if (r.kind === 'existing') target = `ext-${r.dlq}`;
    if (r.kind === 'missing') {
      target = `gone-${i}`;
      missing.push(arnOf(target));
    }
    if (r.kind === 'sibling' && inputs.length > 1) {
      const j = (i + 1 + (r.index % (inputs.length - 1))) % inputs.length;
      target = names[j];
    }
    const dlqName = dlqNameFor(name, q.fifo, suffix);
    if (q.nameTaken === 'unmanaged') candidates.push(unmanagedCandidate(dlqName));
    if (q.nameTaken === 'managed') {
      // An adoptable DLQ of ours with any retention: adoption and retention fix land in one plan.
      others.push(managedDlq(dlqName, name, { messageRetentionPeriod: q.takenRetention, fifo: q.fifo }));
    }
    consumers[name] = q.consumers.map((c, k) => consumer(c.timeout, c.window, `fn-${i}-${k}`));
    return queue(name, {
      tags: TEAM,
      fifo: q.fifo,
      visibilityTimeout: q.visibilityTimeout,
      messageRetentionPeriod: q.retention,
      ...(q.encryption === 'kms' ? { kmsMasterKeyId: 'alias/app', kmsDataKeyReusePeriodSeconds: 600 } : {}),
      ...(q.encryption === 'sse' ? { sqsManagedSseEnabled: true } : {}),
      ...(target && 'maxReceiveCount' in r
        ? { redrivePolicy: { deadLetterTargetArn: arnOf(target), maxReceiveCount: r.maxReceiveCount } }
        : {}),
    });
  });
  return { tagged, others, missing, candidates, consumers, dlqSuffixes: [suffix] };
}

const key = (f: Finding) => `${f.resource} ${f.rule}`;

describe('plan converges in one cycle', () => {
  it('applying the planned writes and planning again gives no writes', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.array(queueArb, { minLength: 1, maxLength: 3 }),
        fc.tuple(dlqArb, dlqArb),
        (p, queues, dlqs) => {
          const policies = policySet(policy(policyOf(p)));
          const world = worldOf(p, queues, dlqs);
          const first = plan(policies, inventory(world));
          const next = applyActions(world, plannedActions(first));
          const second = plan(policies, inventory(next));

          expect(plannedActions(second)).toEqual([]);
          // Every finding that had writes is now compliant.
          const after = new Map(second.findings.map((f) => [key(f), f]));
          for (const f of first.findings.filter((x) => x.status === 'drift' && x.actions.length > 0)) {
            expect(after.get(key(f))?.status, key(f)).toBe('pass');
          }
          // What cannot be fixed is never attempted: a visibility timeout above the SQS maximum.
          if (p.multiple !== undefined) {
            for (const q of world.tagged) {
              const required = requiredVisibilityTimeout(world.consumers[q.name] ?? [], p.multiple);
              const finding = first.findings.find(
                (f) => f.resource === q.arn && f.rule === 'sqs-visibility-timeout',
              );
              if (required > SQS_LIMITS.maxVisibilityTimeoutSeconds && q.visibilityTimeout < required) {
                expect(finding?.status).toBe('ticket');
                expect(finding?.actions).toEqual([]);
              }
            }
          }
          // And applying the (empty) second plan changes nothing: a fixed point.
          expect(plan(policies, inventory(applyActions(next, plannedActions(second))))).toStrictEqual(second);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the simulation is faithful: a queue without a DLQ is created, attached and then passes', () => {
    const p: PolicyInput = {
      enforcement: 'enforce',
      range: [3, 4, 5],
      create: { nameSuffix: '-dlq', retentionSeconds: undefined },
      minSeconds: 86_400,
      multiple: 6,
    };
    const q: QueueInput = {
      fifo: true,
      visibilityTimeout: 30,
      retention: 345_600,
      encryption: 'kms',
      redrive: { kind: 'none' },
      nameTaken: 'no',
      takenRetention: 60,
      consumers: [{ timeout: 30, window: 0 }],
    };
    const policies = policySet(policy(policyOf(p)));
    const world = worldOf(
      p,
      [q],
      [
        { retention: 60, ignored: false },
        { retention: 60, ignored: false },
      ],
    );
    const first = plan(policies, inventory(world));
    expect(plannedActions(first).map((a) => a.kind)).toEqual([
      'CreateQueue',
      'SetQueueAttributes',
      'SetQueueAttributes',
    ]);
    const next = applyActions(world, plannedActions(first));
    const created = next.others.find((o) => o.name === 'q0-dlq.fifo');
    expect(created).toMatchObject({
      fifo: true,
      kmsMasterKeyId: 'alias/app',
      kmsDataKeyReusePeriodSeconds: 600,
      messageRetentionPeriod: 86_400,
    });
    expect(next.tagged[0]).toMatchObject({
      visibilityTimeout: 180,
      redrivePolicy: { deadLetterTargetArn: arnOf('q0-dlq.fifo'), maxReceiveCount: 4 },
    });
    const second = plan(policies, inventory(next));
    expect(second.findings.map((f) => `${f.resource.split(':').pop()} ${f.rule} ${f.status}`)).toEqual([
      'q0-dlq.fifo sqs-dlq-retention pass',
      'q0.fifo sqs-dead-letter-queue pass',
      'q0.fifo sqs-visibility-timeout pass',
    ]);
  });

  it('a policy whose create.retentionSeconds is below its own retention minimum is rejected at load', () => {
    // Otherwise every new DLQ would be created too short and raised a cycle later.
    expect(() =>
      policy({
        name: 'contradictory',
        match: TEAM,
        rules: {
          'sqs-dead-letter-queue': { create: { retentionSeconds: 3_600 } },
          'sqs-dlq-retention': { minSeconds: 86_400 },
        },
      }),
    ).toThrow(
      /spec\.rules\.sqs-dead-letter-queue\.create\.retentionSeconds: 3600 is below sqs-dlq-retention\.minSeconds \(86400\)/,
    );
  });
});
