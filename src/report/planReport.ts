/**
 * `plan` as a DriftReport (`dryRun: true`): the same document, summary and rows as
 * `reconcile --dry-run`, so a script reads one shape and a person sees one presentation.
 */
import type { ResultStatus } from '../apply/apply.js';
import type { CallRecord } from '../aws/callCounter.js';
import type { TaggedResource } from '../discovery/inventory.js';
import type { Policy } from '../policy/model.js';
import { API_VERSION } from '../policy/schema.js';
import type { FindingStatus, Plan } from '../reconcile/model.js';
import { type DriftReport, driftResultOf, type ReportNotice, summarize } from './driftReport.js';
import { explainSelection, type PolicySelection, selectionNotices } from './selection.js';

/** A planned finding's status as a dry-run result: busy is deferred, unreadable is failed. */
const RESULT_OF: Readonly<Record<FindingStatus, ResultStatus>> = {
  pass: 'pass',
  skipped: 'skipped',
  drift: 'drift',
  ticket: 'ticket',
  busy: 'deferred',
  error: 'failed',
  waived: 'waived',
};

/** What `plan` says besides the findings: its warnings, and with --show-selection the selection. */
export interface PlanExtras {
  readonly notices?: readonly ReportNotice[];
  readonly selection?: readonly PolicySelection[];
}

export type ExplainedPlan = Plan & PlanExtras;

export function planReport(
  plan: ExplainedPlan,
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
    ...(plan.notices && plan.notices.length > 0 ? { notices: [...plan.notices] } : {}),
    ...(plan.selection ? { selection: [...plan.selection] } : {}),
  };
}

/** A plan with its selection warnings and, when asked, its selection (pure). */
export function explainPlan(
  plan: Plan,
  policies: readonly Policy[],
  tagged: readonly TaggedResource[],
  showSelection: boolean,
): ExplainedPlan {
  const selection = explainSelection(policies, tagged);
  const notices = selectionNotices(policies, selection, plan.target);
  return {
    ...plan,
    ...(notices.length > 0 ? { notices } : {}),
    ...(showSelection ? { selection } : {}),
  };
}
