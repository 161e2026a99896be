import { describe, expect, it } from 'vitest';
import { CallCounter } from '../../../src/aws/callCounter.js';
import type { DriftReport } from '../../../src/report/driftReport.js';
import { Metrics } from '../../../src/runtime/metrics.js';
import { metric } from '../../support/promText.js';

const result = (rule: string, status: DriftReport['results'][number]['status']) => ({
  resource: `arn:aws:sqs:us-east-1:123456789012:${rule}-${status}-${Math.random()}`,
  resourceType: 'sqs:queue',
  policy: 'p',
  rule,
  status,
  observed: null,
  desired: null,
  message: '',
});

const HOME = { account: '123456789012', region: 'us-east-1' };

function report(
  results: DriftReport['results'],
  notices?: DriftReport['notices'],
  target = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' },
): DriftReport {
  return {
    apiVersion: 'edaguard.dev/v1alpha1',
    kind: 'DriftReport',
    target,
    startedAt: '',
    finishedAt: '',
    dryRun: false,
    summary: {
      resources: 0,
      compliant: 0,
      drifted: 0,
      fixed: 0,
      failed: 0,
      deferred: 0,
      tickets: 0,
      waived: 0,
    },
    results,
    awsCalls: [],
    ...(notices ? { notices } : {}),
  };
}

describe('Metrics', () => {
  it('each registry is its own: two controllers in one process do not share counters', async () => {
    const a = new Metrics({ defaultMetrics: false });
    const b = new Metrics({ defaultMetrics: false });
    a.recordCycle('success', 1, new Date(0), HOME);
    expect(metric((await a.render()).body, 'edaguard_cycles_total', { outcome: 'success' })).toBe(1);
    expect(metric((await b.render()).body, 'edaguard_cycles_total', { outcome: 'success' })).toBeUndefined();
  });

  it('findings by rule and status are those of the last cycle, not a sum', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.recordReport(
      report([
        result('sqs-dead-letter-queue', 'fixed'),
        result('sqs-dead-letter-queue', 'fixed'),
        result('sqs-dlq-retention', 'drift'),
      ]),
    );
    m.recordReport(report([result('sqs-dead-letter-queue', 'pass'), result('sqs-dlq-retention', 'drift')]));
    const text = (await m.render()).body;
    expect(metric(text, 'edaguard_findings', { rule: 'sqs-dead-letter-queue', status: 'pass' })).toBe(1);
    expect(
      metric(text, 'edaguard_findings', { rule: 'sqs-dead-letter-queue', status: 'fixed' }),
    ).toBeUndefined();
    expect(metric(text, 'edaguard_findings', { rule: 'sqs-dlq-retention', status: 'drift' })).toBe(1);
  });

  it('AWS calls by service, operation and outcome come from CallCounter.onCall; writes only from cycle clients', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const cycle = new CallCounter();
    const state = new CallCounter();
    m.observeCalls(cycle, { writesOf: () => HOME });
    m.observeCalls(state, {});
    cycle.record('SQS', 'GetQueueAttributes', 'success');
    cycle.record('SQS', 'CreateQueue', 'success');
    cycle.record('SQS', 'SetQueueAttributes', 'throttled');
    state.record('DynamoDB', 'UpdateItem', 'success');
    const text = (await m.render()).body;
    expect(
      metric(text, 'edaguard_aws_calls_total', {
        service: 'SQS',
        operation: 'GetQueueAttributes',
        outcome: 'success',
      }),
    ).toBe(1);
    expect(
      metric(text, 'edaguard_aws_calls_total', {
        service: 'DynamoDB',
        operation: 'UpdateItem',
        outcome: 'success',
      }),
    ).toBe(1);
    expect(metric(text, 'edaguard_writes_total', { action: 'CreateQueue', outcome: 'success' })).toBe(1);
    expect(
      metric(text, 'edaguard_writes_total', { action: 'SetQueueAttributes', outcome: 'throttled' }),
    ).toBe(1);
    // The lease's UpdateItem is not a reconcile write.
    expect(
      metric(text, 'edaguard_writes_total', { action: 'UpdateItem', outcome: 'success' }),
    ).toBeUndefined();
    expect(
      metric(text, 'edaguard_writes_total', { action: 'GetQueueAttributes', outcome: 'success' }),
    ).toBeUndefined();
  });

  it('cycle duration, last success, leader and change-cap metrics', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.recordCycle('success', 0.3, new Date('2030-01-01T00:00:00Z'), HOME);
    m.recordCycle('failed', 2, new Date('2030-01-01T00:05:00Z'), HOME);
    m.setLeader(true);
    m.recordReport(report([], [{ code: 'change-cap-exceeded', message: 'x' }]));
    const text = (await m.render()).body;
    expect(metric(text, 'edaguard_cycle_duration_seconds_count', { outcome: 'success' })).toBe(1);
    expect(metric(text, 'edaguard_cycle_duration_seconds_bucket', { outcome: 'success', le: '0.5' })).toBe(1);
    expect(metric(text, 'edaguard_cycle_duration_seconds_bucket', { outcome: 'failed', le: '1' })).toBe(0);
    // The failed cycle does not move the last success.
    expect(metric(text, 'edaguard_last_successful_cycle_timestamp_seconds')).toBe(1893456000);
    expect(metric(text, 'edaguard_leader')).toBe(1);
    expect(metric(text, 'edaguard_leader_transitions_total', { to: 'leader' })).toBe(1);
    expect(metric(text, 'edaguard_change_cap_exceeded_total')).toBe(1);
    expect(metric(text, 'edaguard_build_info', { version: '0.1.0' })).toBe(1);
    expect((await m.render()).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('per-target figures carry account and region: one target’s report leaves the other’s findings; writes and cycles by target; targets held', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const other = { partition: 'aws', accountId: '222222222222', region: 'eu-west-1' };
    m.recordReport(report([result('sqs-dead-letter-queue', 'fixed')]));
    m.recordReport(report([result('sqs-dead-letter-queue', 'drift')], undefined, other));
    m.recordReport(report([result('sqs-dead-letter-queue', 'pass')], undefined, other));
    const a = new CallCounter();
    m.observeCalls(a, { writesOf: () => ({ account: '222222222222', region: 'eu-west-1' }) });
    a.record('SQS', 'CreateQueue', 'success');
    m.recordCycle('success', 1, new Date(0), { account: '222222222222', region: 'eu-west-1' });
    m.setTargetsHeld([{ accountId: '222222222222', region: 'eu-west-1' }]);
    const text = (await m.render()).body;
    const home = { account: '123456789012', region: 'us-east-1' };
    const away = { account: '222222222222', region: 'eu-west-1' };
    expect(metric(text, 'edaguard_findings', { ...home, status: 'fixed' })).toBe(1);
    expect(metric(text, 'edaguard_findings', { ...away, status: 'pass' })).toBe(1);
    expect(metric(text, 'edaguard_findings', { ...away, status: 'drift' })).toBeUndefined();
    expect(metric(text, 'edaguard_writes_total', { ...away, action: 'CreateQueue' })).toBe(1);
    expect(metric(text, 'edaguard_cycles_total', { ...away, outcome: 'success' })).toBe(1);
    expect(metric(text, 'edaguard_targets_held', away)).toBe(1);
    expect(metric(text, 'edaguard_targets_held', home)).toBeUndefined();
  });

  it('process metrics are there by default', async () => {
    const text = (await new Metrics().render()).body;
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
