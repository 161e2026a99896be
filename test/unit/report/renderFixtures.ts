/**
 * A realistic plan and report for the table renderers: long queue names, three mappings of one
 * function, a ticket, an unreadable topic, and (in the report) a fixed row and a failed one.
 */
import type { ResultStatus } from '../../../src/apply/apply.js';
import type { Action, Finding, Plan } from '../../../src/reconcile/model.js';
import { buildDriftReport, type DriftReport } from '../../../src/report/driftReport.js';
import { arnOf, TARGET, urlOf } from '../fixtures.js';

export const INVOICES_DLQ = 'billing-customer-invoices-dead-letter-queue-prod';
export const INVOICES = 'billing-customer-invoices-ingest-queue-prod';
export const PAYMENTS = 'billing-payments-settlement-queue.fifo';
export const FUNCTION = 'billing-invoice-processor';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION}`;
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:billing-invoice-notifications';
const mappingArn = (n: number) =>
  `arn:aws:lambda:us-east-1:123456789012:event-source-mapping:0000000${n}-aaaa-bbbb-cccc-dddddddddddd`;

/** Mapping sources: one queue, two streams. */
export const MAPPING_LABELS = [
  `${FUNCTION} ← ${INVOICES}`,
  `${FUNCTION} ← billing-invoice-events-stream`,
  `${FUNCTION} ← billing-ledger-changes-stream`,
];

const base = { policy: 'billing', enforcement: 'enforce' as const, actions: [] as Action[] };

const setRedrive: Action = {
  kind: 'SetQueueAttributes',
  queueArn: arnOf(INVOICES),
  queueUrl: urlOf(INVOICES),
  attributes: {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(INVOICES_DLQ), maxReceiveCount: 3 }),
  },
};

const createDlq: Action = {
  kind: 'CreateQueue',
  queueArn: arnOf(INVOICES_DLQ),
  queueName: INVOICES_DLQ,
  attributes: { MessageRetentionPeriod: '1209600' },
  tags: { 'edaguard.dev/managed-by': 'edaguard' },
};

const mappingFinding = (n: number, status: Finding['status']): Finding => ({
  ...base,
  resource: mappingArn(n),
  resourceType: 'lambda:event-source-mapping',
  label: MAPPING_LABELS[n - 1] as string,
  rule: 'esm-stream-failure-handling',
  status,
  observed: { bisectBatchOnFunctionError: false, maximumRetryAttempts: -1 },
  desired: { bisectBatchOnFunctionError: true, maximumRetryAttempts: 3 },
  message: 'retries a poisoned batch until it expires: stalls the shard',
  actions:
    status === 'drift'
      ? [
          {
            kind: 'UpdateEventSourceMapping',
            mappingUuid: `0000000${n}-aaaa-bbbb-cccc-dddddddddddd`,
            mappingArn: mappingArn(n),
            changes: { BisectBatchOnFunctionError: true, MaximumRetryAttempts: 3 },
          },
        ]
      : [],
});

export const FINDINGS: Finding[] = [
  {
    ...base,
    resource: arnOf(INVOICES),
    resourceType: 'sqs:queue',
    rule: 'sqs-dead-letter-queue',
    status: 'drift',
    observed: { RedrivePolicy: { deadLetterTargetArn: arnOf(INVOICES_DLQ), maxReceiveCount: 50 } },
    desired: { RedrivePolicy: { deadLetterTargetArn: arnOf(INVOICES_DLQ), maxReceiveCount: 3 } },
    message: 'maxReceiveCount 50 is outside [3, 5]; set to 3',
    actions: [setRedrive],
  },
  {
    ...base,
    resource: arnOf(INVOICES_DLQ),
    resourceType: 'sqs:queue',
    rule: 'sqs-visibility-timeout',
    status: 'drift',
    observed: { VisibilityTimeout: 30 },
    desired: { VisibilityTimeout: 360 },
    message: '30 s < 360 s (6 × the 60 s timeout of billing-invoice-processor): messages reappear',
    actions: [
      {
        kind: 'SetQueueAttributes',
        queueArn: arnOf(INVOICES_DLQ),
        queueUrl: urlOf(INVOICES_DLQ),
        attributes: { VisibilityTimeout: '360' },
      },
    ],
  },
  {
    ...base,
    resource: arnOf(PAYMENTS),
    resourceType: 'sqs:queue',
    rule: 'sqs-fifo-ordering',
    status: 'ticket',
    observed: { fifo: false },
    desired: { fifo: true },
    message:
      'a standard queue cannot become FIFO: create billing-payments-settlement-queue.fifo and move producers and consumers to it',
  },
  mappingFinding(1, 'drift'),
  mappingFinding(2, 'drift'),
  mappingFinding(3, 'ticket'),
  {
    ...base,
    resource: TOPIC_ARN,
    resourceType: 'sns:topic',
    rule: 'read-error',
    status: 'error',
    observed: { operation: 'ListSubscriptionsByTopic', code: 'AccessDenied' },
    desired: null,
    message: 'could not read: AccessDenied: sns:ListSubscriptionsByTopic is not allowed',
  },
  {
    ...base,
    resource: FUNCTION_ARN,
    resourceType: 'lambda:function',
    rule: 'lambda-async-invoke-config',
    status: 'pass',
    observed: null,
    desired: null,
    message: 'not invoked asynchronously',
  },
];

export const PLAN: Plan = { target: TARGET, findings: FINDINGS };

/** Every identifier a row names: none may be cut. */
export const LABELS = [INVOICES, INVOICES_DLQ, PAYMENTS, ...MAPPING_LABELS, 'billing-invoice-notifications'];

/** A reconcile: the missing DLQ created (fixed), one mapping's write failed, the rest as planned. */
export function reconcileReport(dryRun: boolean): DriftReport {
  const fixedDlq: Finding = {
    ...base,
    resource: arnOf(INVOICES),
    resourceType: 'sqs:queue',
    rule: 'sqs-dead-letter-queue',
    status: 'drift',
    observed: null,
    desired: { deadLetterTargetArn: arnOf(INVOICES_DLQ), maxReceiveCount: 3 },
    message: `no DLQ; create ${INVOICES_DLQ} and attach it`,
    actions: [createDlq, setRedrive],
  };
  const statusOf = (f: Finding): ResultStatus =>
    f.status === 'error' ? 'failed' : f.status === 'busy' ? 'deferred' : f.status;
  const results = [fixedDlq, ...FINDINGS.slice(1)].map((finding, i) => {
    if (dryRun) return { finding, status: statusOf(finding), message: finding.message };
    if (i === 0) return { finding, status: 'fixed' as const, message: finding.message };
    if (finding.resource === mappingArn(2))
      return {
        finding,
        status: 'failed' as const,
        message: 'UpdateEventSourceMapping failed: ThrottlingException',
      };
    return {
      finding,
      status: finding.status === 'drift' ? ('fixed' as const) : statusOf(finding),
      message: finding.message,
    };
  });
  const at = new Date('2026-01-01T00:00:00Z');
  return buildDriftReport({
    target: TARGET,
    startedAt: at,
    finishedAt: at,
    dryRun,
    results,
    awsCalls: dryRun ? [] : [{ service: 'SQS', operation: 'CreateQueue', outcome: 'success', count: 1 }],
  });
}
