/**
 * `plan` as a DriftReport (`dryRun: true`): the same document, summary and rows as
 * `reconcile --dry-run`, so a script reads one shape and a person sees one presentation.
 */
import type { ResultStatus } from '../apply/apply.js';
import type { CallRecord } from '../aws/callCounter.js';
import { API_VERSION } from '../policy/schema.js';
import type { FindingStatus, Plan } from '../reconcile/model.js';
import { type DriftReport, driftResultOf, summarize } from './driftReport.js';

/** A planned finding's status as a dry-run result: busy is deferred, unreadable is failed. */
const RESULT_OF: Readonly<Record<FindingStatus, ResultStatus>> = {
  pass: 'pass',
  skipped: 'skipped',
  drift: 'drift',
  ticket: 'ticket',
  busy: 'deferred',
  error: 'failed',
};

export function planReport(
  plan: Plan,
  times: { startedAt: Date; finishedAt: Date },
  awsCalls: CallRecord[] = [],
): DriftReport {
  const results = plan.findings.map((f) => driftResultOf(f, RESULT_OF[f.status], f.message));
  return {
    apiVersion: API_VERSION,
    kind: 'DriftReport',
    target: plan.target,
    startedAt: times.startedAt.toISOString(),
    finishedAt: times.finishedAt.toISOString(),
    dryRun: true,
    summary: summarize(results),
    results,
    awsCalls,
  };
}
