/** The pieces of the table renderers: width, wrapping, resource labels, field changes, plan as report. */
import { describe, expect, it } from 'vitest';
import { plan } from '../../../src/reconcile/plan.js';
import { columnWidths, outputWidth, wrapText } from '../../../src/report/columns.js';
import { summarize } from '../../../src/report/driftReport.js';
import { fieldChanges, formatChange } from '../../../src/report/fieldChanges.js';
import { combinePlans, renderMultiPlanTable } from '../../../src/report/multiTarget.js';
import { planReport } from '../../../src/report/planReport.js';
import { eventSourceName, resourceLabel } from '../../../src/report/resourceLabel.js';
import { policy, policySet } from '../fixtures.js';
import {
  kafkaClusterArn,
  lambdaFunction,
  lambdaInventory,
  mapping,
  tableStreamArn,
} from '../lambdaFixtures.js';
import { PLAN, reconcileReport } from './renderFixtures.js';

describe('output width', () => {
  it('the terminal’s columns, else COLUMNS, else 100; never below 40', () => {
    expect(outputWidth(132, { COLUMNS: '90' })).toBe(132);
    expect(outputWidth(undefined, { COLUMNS: '90' })).toBe(90);
    expect(outputWidth(undefined, { COLUMNS: 'wide' })).toBe(100);
    expect(outputWidth(undefined, {})).toBe(100);
    expect(outputWidth(10, {})).toBe(40);
  });

  it('wrapping keeps every character and no line exceeds the width', () => {
    const text = `why: ${'x'.repeat(45)} then some words → and an arrow`;
    const lines = wrapText(text, 20);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(20);
    expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
  });

  it('fixed columns take their widest cell; too little room left for details is undefined (stack)', () => {
    const columns = [
      { header: 'A', fixed: true },
      { header: 'DETAILS', fixed: false },
    ];
    expect(columnWidths(columns, [['a-long-name', 'short']], 80)).toEqual([11, 7]);
    expect(columnWidths(columns, [['a-long-name', 'y'.repeat(200)]], 80)).toEqual([11, 67]);
    expect(columnWidths(columns, [['n'.repeat(60), 'details']], 80)).toBeUndefined();
  });
});

describe('resource labels', () => {
  const label = (resourceType: string, resource: string, extra: { label?: string } = {}) =>
    resourceLabel({ resourceType, resource, ...extra });
  it('a name a person knows, whole', () => {
    expect(
      label('sqs:queue', 'arn:aws:sqs:us-east-1:1:billing-customer-invoices-dead-letter-queue-prod'),
    ).toBe('billing-customer-invoices-dead-letter-queue-prod');
    expect(label('sns:topic', 'arn:aws:sns:us-east-1:1:orders-events')).toBe('orders-events');
    expect(label('lambda:function', 'arn:aws:lambda:us-east-1:1:function:orders-worker')).toBe(
      'function:orders-worker',
    );
    expect(label('events:rule', 'arn:aws:events:us-east-1:1:rule/orders-created')).toBe(
      'rule:default/orders-created',
    );
    expect(label('events:rule', 'arn:aws:events:us-east-1:1:rule/billing-bus/invoice-paid')).toBe(
      'rule:billing-bus/invoice-paid',
    );
    expect(label('pipes:pipe', 'arn:aws:pipes:us-east-1:1:pipe/orders-projector')).toBe(
      'pipe:orders-projector',
    );
    expect(label('dynamodb:table', 'arn:aws:dynamodb:us-east-1:1:table/idempotency')).toBe(
      'table:idempotency',
    );
    expect(label('kinesis:stream', 'arn:aws:kinesis:us-east-1:1:stream/orders')).toBe('stream:orders');
    expect(label('target', '111111111111/us-east-1')).toBe('111111111111/us-east-1');
    expect(
      label('lambda:event-source-mapping', 'arn:aws:lambda:us-east-1:1:event-source-mapping:uuid', {
        label: 'orders-worker ← orders',
      }),
    ).toBe('orders-worker ← orders');
  });
});

describe('mapping labels from the planner', () => {
  it('each mapping finding is labelled `<function> ← <source name>`: a stream by name, a DynamoDB stream by its table', () => {
    const inventory = lambdaInventory({
      functions: [lambdaFunction('orders-fn', { tags: { team: 'orders' } })],
      mappings: [
        mapping('uuid-kinesis', { sourceKind: 'kinesis' }),
        mapping('uuid-ddb', { sourceKind: 'dynamodb' }),
      ],
    });
    const policies = policySet(
      policy({
        name: 'lambdas',
        enforcement: 'enforce',
        match: { team: 'orders' },
        rules: { 'esm-stream-failure-handling': { maxRetryAttempts: 5, maxRecordAgeSeconds: 3_600 } },
      }),
    );
    const labels = plan(policies, inventory)
      .findings.filter((f) => f.resourceType === 'lambda:event-source-mapping')
      .map((f) => f.label);
    expect(labels.sort()).toEqual(['orders-fn ← src-uuid-ddb', 'orders-fn ← src-uuid-kinesis']);
    expect(eventSourceName(tableStreamArn('orders'))).toBe('orders');
    expect(eventSourceName(kafkaClusterArn('events'))).toBe('events');
    expect(eventSourceName('arn:aws:sqs:us-east-1:1:invoices')).toBe('invoices');
  });
});

describe('field changes', () => {
  it('only fields that differ, nested objects as dotted paths, ARNs by name', () => {
    const observed = {
      RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:r:1:a-dlq', maxReceiveCount: 50 },
      x: 1,
    };
    const desired = {
      RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:r:1:a-dlq', maxReceiveCount: 3 },
      x: 1,
    };
    expect(fieldChanges(observed, desired).map(formatChange)).toEqual([
      'RedrivePolicy.maxReceiveCount 50 → 3',
    ]);
    expect(fieldChanges(null, { deadLetterTargetArn: 'arn:aws:sqs:r:1:a-dlq' }).map(formatChange)).toEqual([
      'deadLetterTargetArn - → a-dlq',
    ]);
    expect(fieldChanges({ fifo: false }, null)).toEqual([]);
    // A field the policy leaves out of desired is not a change.
    expect(fieldChanges({ a: 1, b: 2 }, { b: 3 }).map(formatChange)).toEqual(['b 2 → 3']);
    expect(fieldChanges({ types: [] }, { types: ['ReportBatchItemFailures'] }).map(formatChange)).toEqual([
      'types [] → ["ReportBatchItemFailures"]',
    ]);
  });
});

describe('plan as a DriftReport', () => {
  it('dryRun true, resources counted as reconcile --dry-run counts them, planned writes per result', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const report = planReport(PLAN, { startedAt: at, finishedAt: at });
    expect(report).toMatchObject({ apiVersion: 'edaguard.dev/v1alpha1', kind: 'DriftReport', dryRun: true });
    expect(report.summary).toEqual(reconcileReport(true).summary);
    expect(report.summary).toEqual(summarize(report.results));
    const redrive = report.results.find((r) => r.rule === 'sqs-dead-letter-queue');
    expect(redrive?.writes).toEqual([
      expect.stringMatching(/^SetQueueAttributes billing-customer-invoices-ingest/),
    ]);
    expect(report.results.find((r) => r.rule === 'read-error')?.status).toBe('failed');
    expect(report.results.filter((r) => r.label).map((r) => r.label)).toHaveLength(3);
  });

  it('over several targets: one DriftReport, results with their target; the table fits the width', () => {
    const ref = { accountId: '123456789012', region: 'us-east-1' };
    const combined = combinePlans([{ ref, value: PLAN }]);
    expect(combined).toMatchObject({ kind: 'DriftReport', dryRun: true });
    expect(combined.summary.resources).toBe(8);
    expect(combined.results.every((r) => r.target === '123456789012/us-east-1')).toBe(true);
    const text = renderMultiPlanTable([{ ref, value: PLAN }], { width: 80 });
    expect(text).toMatch(/^== 123456789012\/us-east-1 ==\nPlan for/);
    expect(Math.max(...text.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
  });
});
