/** DriftReport builders for the notification tests: each row states only what matters to it. */
import type { ResultStatus } from '../../src/apply/apply.js';
import type { Target } from '../../src/discovery/inventory.js';
import { API_VERSION } from '../../src/policy/schema.js';
import { type DriftReport, type DriftResult, summarize } from '../../src/report/driftReport.js';

export const NOTIFY_TARGET: Target = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' };

export const queueArn = (name: string, target: Target = NOTIFY_TARGET) =>
  name.startsWith('arn:') ? name : `arn:${target.partition}:sqs:${target.region}:${target.accountId}:${name}`;

const MESSAGES: Partial<Record<ResultStatus, string>> = {
  pass: 'compliant',
  fixed: 'it has no DLQ; create it and attach it',
  drift: 'maxReceiveCount is 50; set it to 5',
  ticket: 'needs 50000 s, above the SQS maximum of 43200 s: shorten the function timeout',
  failed: 'SetQueueAttributes failed: InternalError: boom',
  deferred: 'deferred: change budget of 1 spent',
  skipped: 'the queue is a DLQ',
};

export function result(
  name: string,
  rule: string,
  status: ResultStatus,
  overrides: Partial<DriftResult> = {},
): DriftResult {
  return {
    resource: queueArn(name),
    resourceType: 'sqs:queue',
    policy: 'orders',
    rule,
    status,
    observed: status === 'pass' ? { value: 1 } : { value: 0 },
    desired: { value: 1 },
    message: MESSAGES[status] ?? status,
    ...overrides,
  };
}

/** An AccessDenied read error, as plan.ts turns a failed read into a finding. */
export function accessDenied(name: string): DriftResult {
  return result(name, 'read-error', 'failed', {
    observed: { operation: 'GetQueueAttributes', code: 'AccessDenied' },
    desired: null,
    message: 'GetQueueAttributes failed: AccessDenied: not authorized to perform sqs:GetQueueAttributes',
  });
}

export function report(
  results: DriftResult[],
  overrides: Partial<DriftReport> = {},
  finishedAt = '2027-01-04T03:00:00.000Z',
): DriftReport {
  return {
    apiVersion: API_VERSION,
    kind: 'DriftReport',
    target: NOTIFY_TARGET,
    startedAt: finishedAt,
    finishedAt,
    dryRun: false,
    summary: summarize(results),
    results,
    awsCalls: [],
    ...overrides,
  };
}
