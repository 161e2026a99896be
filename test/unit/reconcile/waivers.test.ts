/** Waivers (spec.exceptions): the pure logic, on a day passed in (an injected clock). */
import { describe, expect, it } from 'vitest';
import { parsePolicySources } from '../../../src/policy/loader.js';
import type { Policy } from '../../../src/policy/model.js';
import { daysUntil, waiverDateIssues } from '../../../src/policy/waiverDates.js';
import type { Finding } from '../../../src/reconcile/model.js';
import { plan } from '../../../src/reconcile/plan.js';
import { applyWaivers, resourceNames } from '../../../src/reconcile/waivers.js';
import { exitCodeFor, remainingOf } from '../../../src/report/driftReport.js';
import { planReport } from '../../../src/report/planReport.js';
import { renderPlanTable } from '../../../src/report/table.js';
import { arnOf, inventory, policySet, queue } from '../fixtures.js';

const NOW = new Date('2026-03-10T15:00:00Z');

/** A policy of the sqs rules with these exceptions (YAML flow text), through the real loader. */
function policyWith(exceptions: string, name = 'orders'): Policy {
  const text = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: ${name} }
spec:
  enforcement: enforce
  match: { tags: { team: orders } }
  rules:
    sqs-dead-letter-queue: { maxReceiveCount: { min: 3, max: 5, default: 4 }, create: {} }
    sqs-visibility-timeout: { lambdaTimeoutMultiple: 6 }
  exceptions:
${exceptions}`;
  const [only] = parsePolicySources([{ file: `${name}.yaml`, text }]).policies;
  if (!only) throw new Error('no policy');
  return only;
}

const waiver = (resources: string, expires: string, rules = '[sqs-dead-letter-queue]', extra = '') =>
  `    - { resources: ${resources}, rules: ${rules}, reason: legacy consumer, expires: ${expires}${extra} }`;

const drift = (name: string, overrides: Partial<Finding> = {}): Finding => ({
  resource: arnOf(name),
  resourceType: 'sqs:queue',
  policy: 'orders',
  rule: 'sqs-dead-letter-queue',
  status: 'drift',
  observed: null,
  desired: { maxReceiveCount: 4 },
  message: 'it has no DLQ',
  enforcement: 'enforce',
  actions: [
    { kind: 'SetQueueAttributes', queueArn: arnOf(name), queueUrl: 'u', attributes: { RedrivePolicy: '{}' } },
  ],
  ...overrides,
});

describe('daysUntil', () => {
  it('counts whole UTC days from the day of `now`', () => {
    expect(daysUntil('2026-03-10', NOW)).toBe(0);
    expect(daysUntil('2026-03-17', NOW)).toBe(7);
    expect(daysUntil('2026-03-09', NOW)).toBe(-1);
    expect(daysUntil('2026-03-10', new Date('2026-03-10T23:59:59Z'))).toBe(0);
  });
});

describe('applyWaivers', () => {
  it('waives a matching drift while the waiver holds: no writes, status waived, the waiver named', () => {
    const p = policyWith(waiver('[orders]', '2026-04-30', '[sqs-dead-letter-queue]', ', ticket: OPS-12'));
    const [f] = applyWaivers([drift('orders')], [p], NOW);
    expect(f).toMatchObject({
      status: 'waived',
      actions: [],
      waiver: { policy: 'orders', expires: '2026-04-30', reason: 'legacy consumer', ticket: 'OPS-12' },
      message: 'waived until 2026-04-30 by policy orders (legacy consumer; OPS-12): it has no DLQ',
    });
  });

  it('holds through its expiry day, and is expired the day after', () => {
    const p = policyWith(waiver('[orders]', '2026-03-10'));
    expect(applyWaivers([drift('orders')], [p], NOW)[0]?.status).toBe('waived');
    const [back] = applyWaivers([drift('orders')], [p], new Date('2026-03-11T00:00:00Z'));
    expect(back).toMatchObject({
      status: 'drift',
      message: 'waiver expired on 2026-03-10 (legacy consumer): it has no DLQ',
      waiver: { expires: '2026-03-10', expired: true },
    });
    expect(back?.actions).toHaveLength(1);
  });

  it('matches names, ARNs and globs of either; not other queues or other rules', () => {
    const byName = policyWith(waiver('[orders]', '2026-04-01'));
    const byArn = policyWith(waiver(`["${arnOf('orders')}"]`, '2026-04-01'));
    const byGlob = policyWith(waiver('["legacy-*"]', '2026-04-01'));
    const byArnGlob = policyWith(waiver('["arn:aws:sqs:*:legacy-?"]', '2026-04-01'));
    const status = (p: Policy, f: Finding) => applyWaivers([f], [p], NOW)[0]?.status;
    expect(status(byName, drift('orders'))).toBe('waived');
    expect(status(byName, drift('orders-v2'))).toBe('drift');
    expect(status(byArn, drift('orders'))).toBe('waived');
    expect(status(byGlob, drift('legacy-billing'))).toBe('waived');
    expect(status(byGlob, drift('billing-legacy'))).toBe('drift');
    expect(status(byArnGlob, drift('legacy-a'))).toBe('waived');
    expect(status(byArnGlob, drift('legacy-ab'))).toBe('drift');
    expect(status(byName, drift('orders', { rule: 'sqs-visibility-timeout' }))).toBe('drift');
  });

  it('names a resource by ARN, name, the ARN after the account, and label', () => {
    expect(resourceNames({ resource: 'arn:aws:events:us-east-1:123456789012:rule/bus/orders-rule' })).toEqual(
      ['arn:aws:events:us-east-1:123456789012:rule/bus/orders-rule', 'orders-rule', 'rule/bus/orders-rule'],
    );
    expect(
      resourceNames({
        resource: 'arn:aws:lambda:us-east-1:123456789012:event-source-mapping:abc',
        label: 'orders-fn ← orders',
      }),
    ).toContain('orders-fn ← orders');
  });

  it('waives tickets too, never what complies, and only under the policies that govern the finding', () => {
    const p = policyWith(waiver('[orders]', '2026-04-01'));
    const other = policyWith(waiver('[orders]', '2026-04-01'), 'billing');
    expect(applyWaivers([drift('orders', { status: 'ticket', actions: [] })], [p], NOW)[0]?.status).toBe(
      'waived',
    );
    const pass = drift('orders', { status: 'pass', actions: [] });
    expect(applyWaivers([pass], [p], NOW)[0]).toBe(pass);
    expect(applyWaivers([drift('orders')], [other], NOW)[0]?.status).toBe('drift');
    expect(applyWaivers([drift('orders', { policy: 'billing,orders' })], [p], NOW)[0]?.status).toBe('waived');
  });

  it('takes the waiver that holds longest; an expired one does not undo an active one', () => {
    const p = policyWith(
      [
        waiver('[orders]', '2026-03-01'),
        waiver('["ord*"]', '2026-05-01'),
        waiver('[orders]', '2026-04-01'),
      ].join('\n'),
    );
    expect(applyWaivers([drift('orders')], [p], NOW)[0]?.waiver?.expires).toBe('2026-05-01');
  });
});

describe('plan with waivers', () => {
  it('a waived queue plans no write; the other drifted queue keeps its fix', () => {
    const p = policyWith(waiver('[legacy]', '2026-04-01', '[sqs-dead-letter-queue, sqs-visibility-timeout]'));
    const tags = { team: 'orders' };
    const inv = inventory({ tagged: [queue('legacy', { tags }), queue('orders', { tags })] });
    const findings = plan(policySet(p), inv, { now: NOW }).findings;
    const legacy = findings.filter((f) => f.resource === arnOf('legacy'));
    // The DLQ rule drifts and is waived; the visibility timeout has no consumer to judge by.
    expect(legacy.map((f) => `${f.rule} ${f.status}`)).toEqual([
      'sqs-dead-letter-queue waived',
      'sqs-visibility-timeout skipped',
    ]);
    expect(legacy.flatMap((f) => f.actions)).toEqual([]);
    const orders = findings.find((f) => f.resource === arnOf('orders') && f.rule === 'sqs-dead-letter-queue');
    expect(orders?.status).toBe('drift');
    expect(orders?.actions.length).toBeGreaterThan(0);
    // Shown and counted: the plan's table and JSON say waived; it fails nothing.
    const planned = plan(policySet(p), inventory({ tagged: [queue('legacy', { tags })] }), { now: NOW });
    const table = renderPlanTable(planned, { width: 160 });
    expect(table).toMatch(/1 resource\(s\): 0 compliant, .*0 drifted, .*, 1 waived; 0 write\(s\) planned/);
    expect(table).toMatch(
      /legacy +sqs-dead-letter-queue +waived +.*why: waived until 2026-04-01 by policy orders/s,
    );
    const json = planReport(planned, { startedAt: NOW, finishedAt: NOW });
    expect(json.summary.waived).toBe(1);
    expect(json.results.find((r) => r.status === 'waived')?.waiver?.expires).toBe('2026-04-01');
    expect(exitCodeFor(remainingOf(planned.findings.map((f) => f.status)))).toBe(0);
    // Without a day, the plan is what the rules demand.
    expect(plan(policySet(p), inv).findings.some((f) => f.status === 'waived')).toBe(false);
  });
});

describe('waiverDateIssues (validate)', () => {
  it('rejects an expiry in the past or more than maxWaiverDays ahead, at the expires field', () => {
    const p = policyWith(
      [
        waiver('[a]', '2026-03-09'),
        waiver('[b]', '2026-03-10'),
        waiver('[c]', '2026-06-08'),
        waiver('[d]', '2026-06-09'),
      ].join('\n'),
    );
    const issues = waiverDateIssues(policySet(p), NOW, 90);
    expect(issues).toEqual([
      {
        file: 'orders.yaml',
        line: 11,
        column: expect.any(Number),
        path: 'spec.exceptions.0.expires',
        message:
          'expires 2026-03-09 is in the past: the waiver has expired; remove it, or renew it with a new date and reason',
      },
      {
        file: 'orders.yaml',
        line: 14,
        column: expect.any(Number),
        path: 'spec.exceptions.3.expires',
        message: 'expires 2026-06-09 is 91 days ahead; a waiver may run at most 90 days (maxWaiverDays)',
      },
    ]);
    expect(waiverDateIssues(policySet(p), NOW, 91).map((i) => i.path)).toEqual(['spec.exceptions.0.expires']);
  });
});
