import { describe, expect, it } from 'vitest';
import { type Schedule, type ScheduleLimits, schedule } from '../../../src/apply/schedule.js';
import type { Action, Finding, Plan } from '../../../src/reconcile/model.js';
import { arnOf, TARGET, urlOf } from '../fixtures.js';

const set = (name: string): Action => ({
  kind: 'SetQueueAttributes',
  queueArn: arnOf(name),
  queueUrl: urlOf(name),
  attributes: { VisibilityTimeout: '60' },
});
const create = (name: string): Action => ({
  kind: 'CreateQueue',
  queueArn: arnOf(name),
  queueName: name,
  attributes: {},
  tags: {},
});

interface Spec {
  /** Writes, `audit`, or a status other than drift. */
  writes?: number;
  audit?: boolean;
  status?: Finding['status'];
  dependsOn?: string[];
}

/** A finding on queue `name` (rule sqs-dead-letter-queue: its key is `sqs-dead-letter-queue|<arn>`). */
function finding(name: string, spec: Spec = {}): Finding {
  const writes = spec.writes ?? 1;
  return {
    resource: arnOf(name),
    resourceType: 'sqs:queue',
    policy: 'p',
    rule: 'sqs-dead-letter-queue',
    status: spec.status ?? 'drift',
    observed: null,
    desired: null,
    message: `${name} drifted`,
    enforcement: spec.audit ? 'audit' : 'enforce',
    actions: writes === 2 ? [create(`${name}-dlq`), set(name)] : writes === 1 ? [set(name)] : [],
    ...(spec.dependsOn ? { dependsOn: spec.dependsOn.map((d) => `sqs-dead-letter-queue|${arnOf(d)}`) } : {}),
  };
}

const planOf = (...findings: Finding[]): Plan => ({ target: TARGET, findings });
const name = (f: Finding) => f.resource.split(':').pop();

/** The schedule as names: what runs (with what it waits for), what is deferred and why, what writes nothing. */
function summary(s: Schedule) {
  return {
    run: s.run.map((r) =>
      r.after.length ? `${name(r.finding)} after ${r.after.map((k) => k.split(':').pop())}` : name(r.finding),
    ),
    deferred: s.deferred.map(({ finding: f, reason }) =>
      reason.kind === 'waits-for'
        ? `${name(f)}: waits for ${reason.blocker.split(':').pop()}`
        : `${name(f)}: ${reason.kind}`,
    ),
    unwritten: s.unwritten.map(({ finding: f, reason }) => `${name(f)}: ${reason}`),
  };
}

const ENFORCE: ScheduleLimits = { dryRun: false, maxChanges: 100 };

describe('schedule(plan, limits)', () => {
  it.each<{ name: string; plan: Plan; limits: ScheduleLimits; want: ReturnType<typeof summary> }>([
    {
      name: 'an empty plan',
      plan: planOf(),
      limits: ENFORCE,
      want: { run: [], deferred: [], unwritten: [] },
    },
    {
      name: 'findings without writes are reported as found',
      plan: planOf(
        finding('a', { status: 'pass', writes: 0 }),
        finding('b', { writes: 0 }),
        finding('c', { status: 'ticket' }),
      ),
      limits: ENFORCE,
      want: { run: [], deferred: [], unwritten: ['a: no-write', 'b: no-write', 'c: no-write'] },
    },
    {
      name: 'enforce: every drift runs, in plan order',
      plan: planOf(finding('a'), finding('b', { writes: 2 })),
      limits: ENFORCE,
      want: { run: ['a', 'b'], deferred: [], unwritten: [] },
    },
    {
      name: 'dry-run writes nothing, budget and cap notwithstanding',
      plan: planOf(finding('a'), finding('b')),
      limits: { dryRun: true, maxChanges: 0, maxChangePercent: 0 },
      want: { run: [], deferred: [], unwritten: ['a: dry-run', 'b: dry-run'] },
    },
    {
      name: 'audit findings write nothing and take no budget',
      plan: planOf(finding('a', { audit: true }), finding('b')),
      limits: { dryRun: false, maxChanges: 1 },
      want: { run: ['b'], deferred: [], unwritten: ['a: audit'] },
    },
    {
      name: 'the budget is taken in plan order, whole findings at a time',
      plan: planOf(finding('a', { writes: 2 }), finding('b', { writes: 2 }), finding('c')),
      limits: { dryRun: false, maxChanges: 3 },
      want: { run: ['a', 'c'], deferred: ['b: budget'], unwritten: [] },
    },
    {
      name: 'the change cap holds every write back (within the budget; beyond it, the budget says why)',
      plan: planOf(finding('a'), finding('b'), finding('c', { status: 'pass', writes: 0 })),
      limits: { dryRun: false, maxChanges: 1, maxChangePercent: 50 },
      want: { run: [], deferred: ['a: change-cap', 'b: budget'], unwritten: ['c: no-write'] },
    },
    {
      name: 'at the cap, writes run',
      plan: planOf(finding('a'), finding('b', { status: 'pass', writes: 0 })),
      limits: { dryRun: false, maxChanges: 10, maxChangePercent: 50 },
      want: { run: ['a'], deferred: [], unwritten: ['b: no-write'] },
    },
    {
      name: 'a dependent runs after what it waits for, whatever the plan order',
      plan: planOf(finding('b', { dependsOn: ['a'] }), finding('a', { writes: 2 })),
      limits: ENFORCE,
      want: { run: ['a', 'b after a'], deferred: [], unwritten: [] },
    },
    {
      name: 'a dependent whose blocker does not run is deferred, and takes no budget',
      plan: planOf(
        finding('a', { writes: 2 }),
        finding('b', { dependsOn: ['a'] }),
        finding('c', { dependsOn: ['c0'] }),
      ),
      limits: { dryRun: false, maxChanges: 1 },
      want: { run: [], deferred: ['a: budget', 'b: waits for a', 'c: waits for c0'], unwritten: [] },
    },
    {
      name: 'dependents take the budget after every independent finding',
      plan: planOf(finding('a'), finding('b', { dependsOn: ['a'] }), finding('c')),
      limits: { dryRun: false, maxChanges: 2 },
      want: { run: ['a', 'c'], deferred: ['b: budget'], unwritten: [] },
    },
    {
      name: 'a dependent of a dependent waits a cycle (only independent findings unblock)',
      plan: planOf(finding('a'), finding('b', { dependsOn: ['a'] }), finding('c', { dependsOn: ['b'] })),
      limits: ENFORCE,
      want: { run: ['a', 'b after a'], deferred: ['c: waits for b'], unwritten: [] },
    },
    {
      name: 'in dry-run a dependent is reported as drift, not as waiting',
      plan: planOf(finding('b', { dependsOn: ['a'] })),
      limits: { dryRun: true, maxChanges: 100 },
      want: { run: [], deferred: [], unwritten: ['b: dry-run'] },
    },
  ])('$name', ({ plan, limits, want }) => {
    expect(summary(schedule(plan, limits))).toEqual(want);
  });

  it('the change cap reason carries the cap’s message', () => {
    const s = schedule(planOf(finding('a')), { dryRun: false, maxChanges: 5, maxChangePercent: 0 });
    expect(s.deferred[0]?.reason).toMatchObject({
      kind: 'change-cap',
      message: expect.stringMatching(/^change cap exceeded: 1 of 1/),
    });
  });

  it('is pure: the same plan and limits give the same schedule', () => {
    const plan = planOf(finding('a', { writes: 2 }), finding('b', { dependsOn: ['a'] }), finding('c'));
    const limits = { dryRun: false, maxChanges: 3 };
    expect(schedule(plan, limits)).toEqual(schedule(plan, limits));
  });
});
