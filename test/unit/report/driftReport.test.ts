import { describe, expect, it } from 'vitest';
import type { FindingResult, ResultStatus } from '../../../src/apply/apply.js';
import type { CallRecord } from '../../../src/aws/callCounter.js';
import { EXIT } from '../../../src/cli/io.js';
import type { Finding } from '../../../src/reconcile/model.js';
import {
  buildDriftReport,
  type DriftResult,
  exitCodeFor,
  type FailOn,
  type RemainingCounts,
  remainingOf,
  reportExitCode,
  summarize,
} from '../../../src/report/driftReport.js';
import { arnOf, TARGET } from '../fixtures.js';

const result = (resource: string, status: ResultStatus, rule = 'sqs-dlq-retention'): DriftResult => ({
  resource: arnOf(resource),
  resourceType: 'sqs:queue',
  policy: 'orders',
  rule,
  status,
  observed: null,
  desired: null,
  message: '',
});

const ZERO = {
  resources: 0,
  compliant: 0,
  drifted: 0,
  fixed: 0,
  failed: 0,
  deferred: 0,
  tickets: 0,
  waived: 0,
};

describe('summarize', () => {
  it('an empty report', () => {
    expect(summarize([])).toEqual(ZERO);
  });

  it.each<{ statuses: ResultStatus[]; counted: keyof typeof ZERO }>([
    { statuses: ['pass'], counted: 'compliant' },
    { statuses: ['skipped'], counted: 'compliant' },
    { statuses: ['pass', 'skipped'], counted: 'compliant' },
    { statuses: ['fixed'], counted: 'fixed' },
    { statuses: ['pass', 'fixed'], counted: 'fixed' },
    { statuses: ['fixed', 'skipped'], counted: 'fixed' },
    { statuses: ['deferred', 'fixed'], counted: 'deferred' },
    { statuses: ['drift'], counted: 'drifted' },
    { statuses: ['pass', 'drift'], counted: 'drifted' },
    { statuses: ['deferred', 'drift'], counted: 'drifted' },
    { statuses: ['drift', 'fixed', 'pass'], counted: 'drifted' },
    { statuses: ['failed'], counted: 'failed' },
    { statuses: ['drift', 'failed'], counted: 'failed' },
    { statuses: ['fixed', 'failed', 'deferred', 'pass'], counted: 'failed' },
    { statuses: ['ticket'], counted: 'tickets' },
    { statuses: ['drift', 'ticket', 'fixed'], counted: 'tickets' },
    { statuses: ['ticket', 'failed'], counted: 'failed' },
  ])('one resource with $statuses counts once, as $counted', ({ statuses, counted }) => {
    const results = statuses.map((s, i) => result('q', s, `rule-${i}`));
    expect(summarize(results)).toEqual({ ...ZERO, resources: 1, [counted]: 1 });
    expect(summarize([...results].reverse())).toEqual({ ...ZERO, resources: 1, [counted]: 1 });
  });

  it('counts every resource once, by its worst status', () => {
    const results = [
      result('a', 'pass'),
      result('b', 'pass'),
      result('b', 'drift', 'other'),
      result('c', 'fixed'),
      result('c', 'pass', 'other'),
      result('d', 'failed'),
      result('d', 'fixed', 'other'),
      result('e', 'deferred'),
      result('f', 'skipped'),
      result('g', 'skipped'),
      result('g', 'pass', 'other'),
      result('h', 'ticket'),
      result('h', 'drift', 'other'),
      result('i', 'waived'),
      result('i', 'fixed', 'other'),
      result('j', 'waived'),
      result('j', 'drift', 'other'),
    ];
    expect(summarize(results)).toEqual({
      resources: 10,
      compliant: 3,
      drifted: 2,
      fixed: 1,
      failed: 1,
      deferred: 1,
      tickets: 1,
      waived: 1,
    });
  });
});

describe('buildDriftReport', () => {
  const finding = (overrides: Partial<Finding> = {}): Finding => ({
    resource: arnOf('orders'),
    resourceType: 'sqs:queue',
    policy: 'orders',
    rule: 'sqs-visibility-timeout',
    status: 'drift',
    observed: { visibilityTimeout: 30 },
    desired: { visibilityTimeout: 180 },
    message: 'planned message',
    enforcement: 'enforce',
    actions: [
      {
        kind: 'SetQueueAttributes',
        queueArn: arnOf('orders'),
        queueUrl: 'https://example/orders',
        attributes: { VisibilityTimeout: '180' },
      },
    ],
    ...overrides,
  });
  const calls: CallRecord[] = [
    { service: 'SQS', operation: 'SetQueueAttributes', outcome: 'success', count: 1 },
  ];
  const build = (results: FindingResult[], dryRun = false) =>
    buildDriftReport({
      target: TARGET,
      startedAt: new Date('2025-03-01T10:00:00Z'),
      finishedAt: new Date('2025-03-01T10:00:02.500Z'),
      dryRun,
      results,
      awsCalls: calls,
    });

  it('has the documented shape; each result keeps the finding’s facts and the outcome’s status and message', () => {
    const report = build([
      { finding: finding(), status: 'fixed', message: 'set VisibilityTimeout=180' },
      {
        finding: finding({
          resource: arnOf('orders-dlq'),
          rule: 'sqs-dlq-retention',
          status: 'pass',
          actions: [],
        }),
        status: 'pass',
        message: 'keeps messages',
      },
    ]);
    expect(report).toStrictEqual({
      apiVersion: 'edaguard.dev/v1alpha1',
      kind: 'DriftReport',
      target: TARGET,
      startedAt: '2025-03-01T10:00:00.000Z',
      finishedAt: '2025-03-01T10:00:02.500Z',
      dryRun: false,
      summary: {
        resources: 2,
        compliant: 1,
        drifted: 0,
        fixed: 1,
        failed: 0,
        deferred: 0,
        tickets: 0,
        waived: 0,
      },
      results: [
        {
          resource: arnOf('orders'),
          resourceType: 'sqs:queue',
          policy: 'orders',
          rule: 'sqs-visibility-timeout',
          status: 'fixed',
          observed: { visibilityTimeout: 30 },
          desired: { visibilityTimeout: 180 },
          message: 'set VisibilityTimeout=180',
          writes: ['SetQueueAttributes orders {"VisibilityTimeout":"180"}'],
        },
        {
          resource: arnOf('orders-dlq'),
          resourceType: 'sqs:queue',
          policy: 'orders',
          rule: 'sqs-dlq-retention',
          status: 'pass',
          observed: { visibilityTimeout: 30 },
          desired: { visibilityTimeout: 180 },
          message: 'keeps messages',
        },
      ],
      awsCalls: calls,
    });
    expect(JSON.parse(JSON.stringify(report))).toStrictEqual(report);
  });

  it('keeps dryRun', () => {
    expect(build([], true).dryRun).toBe(true);
  });

  it.each<{ statuses: ResultStatus[]; code: 0 | 1 | 3 }>([
    { statuses: [], code: 0 },
    { statuses: ['pass', 'skipped'], code: 0 },
    { statuses: ['fixed', 'pass'], code: 0 },
    { statuses: ['drift'], code: 1 },
    { statuses: ['failed', 'fixed'], code: 1 },
    { statuses: ['deferred'], code: 1 },
    { statuses: ['pass', 'pass', 'drift'], code: 1 },
    { statuses: ['ticket'], code: 3 },
    { statuses: ['fixed', 'ticket', 'pass'], code: 3 },
    { statuses: ['ticket', 'failed'], code: 1 },
  ])('reportExitCode with $statuses → $code', ({ statuses, code }) => {
    const report = build(
      statuses.map((status, i) => ({ finding: finding({ resource: arnOf(`q${i}`) }), status, message: '' })),
    );
    expect(reportExitCode(report)).toBe(code);
  });

  it('a drift beside a ticket on the same resource still exits 1 (counted per finding, not per resource)', () => {
    const report = build([
      { finding: finding({ rule: 'sqs-dlq-retention' }), status: 'ticket', message: '' },
      { finding: finding({ rule: 'sqs-visibility-timeout' }), status: 'drift', message: '' },
    ]);
    expect(report.summary).toMatchObject({ tickets: 1, drifted: 0 });
    expect(reportExitCode(report)).toBe(1);
    expect(reportExitCode(report, 'never')).toBe(0);
  });

  it('several reports: the worst code, 1 over 3 over 0', () => {
    const of = (status: ResultStatus) => build([{ finding: finding(), status, message: '' }]);
    expect(reportExitCode([of('pass'), of('ticket')])).toBe(3);
    expect(reportExitCode([of('ticket'), of('drift'), of('pass')])).toBe(1);
    expect(reportExitCode([of('fixed'), of('pass')])).toBe(0);
    expect(reportExitCode([of('ticket'), of('pass')], 'drift')).toBe(0);
  });
});

describe('exitCodeFor', () => {
  const none: RemainingCounts = { drifted: 0, failed: 0, deferred: 0, tickets: 0 };
  it.each<{ remaining: Partial<RemainingCounts>; failOn: FailOn; code: 0 | 1 | 3 }>([
    { remaining: {}, failOn: 'ticket', code: 0 },
    { remaining: {}, failOn: 'drift', code: 0 },
    { remaining: {}, failOn: 'never', code: 0 },
    { remaining: { tickets: 2 }, failOn: 'ticket', code: 3 },
    { remaining: { tickets: 2 }, failOn: 'drift', code: 0 },
    { remaining: { tickets: 2 }, failOn: 'never', code: 0 },
    { remaining: { drifted: 1 }, failOn: 'ticket', code: 1 },
    { remaining: { drifted: 1 }, failOn: 'drift', code: 1 },
    { remaining: { drifted: 1 }, failOn: 'never', code: 0 },
    { remaining: { failed: 1, tickets: 1 }, failOn: 'ticket', code: 1 },
    { remaining: { failed: 1, tickets: 1 }, failOn: 'drift', code: 1 },
    { remaining: { deferred: 1, tickets: 3 }, failOn: 'ticket', code: 1 },
    { remaining: { deferred: 1 }, failOn: 'never', code: 0 },
  ])('$remaining with --fail-on $failOn → $code', ({ remaining, failOn, code }) => {
    expect(exitCodeFor({ ...none, ...remaining }, failOn)).toBe(code);
  });

  it('defaults to --fail-on ticket; the codes are the documented ones (EXIT)', () => {
    expect(exitCodeFor({ ...none, tickets: 1 })).toBe(EXIT.ticketsOnly);
    expect(exitCodeFor({ ...none, drifted: 1 })).toBe(EXIT.driftRemains);
    expect(exitCodeFor(none)).toBe(EXIT.ok);
  });

  it('counts plan statuses too: error is a failure, busy a deferral', () => {
    expect(
      remainingOf(['pass', 'skipped', 'fixed', 'drift', 'ticket', 'busy', 'error', 'failed', 'deferred']),
    ).toEqual({ drifted: 1, failed: 2, deferred: 2, tickets: 1 });
  });

  it('a waived finding remains nothing: exit 0 when the rest is compliant or fixed', () => {
    expect(remainingOf(['pass', 'waived', 'fixed', 'waived'])).toEqual({
      drifted: 0,
      failed: 0,
      deferred: 0,
      tickets: 0,
    });
    expect(exitCodeFor(remainingOf(['waived', 'fixed']))).toBe(EXIT.ok);
    expect(exitCodeFor(remainingOf(['waived', 'drift']))).toBe(EXIT.driftRemains);
  });
});
