/**
 * `plan` and `reconcile` as text: a summary line that counts resources the same way for both,
 * notices, then one row per finding to look at (findingRows.ts), within the output width.
 */
import { countWrites } from '../aws/callCounter.js';
import type { DriftReport, DriftSummary } from './driftReport.js';
import { type RenderOptions, renderResults, rowsToShow, wrapProse } from './findingRows.js';
import { type ExplainedPlan, planReport } from './planReport.js';
import { renderSelection } from './selectionTable.js';

export type { RenderOptions } from './findingRows.js';

/**
 * The same words in `plan`, `reconcile --dry-run` and `reconcile`: resources, each under its
 * worst status; waived resources (spec.exceptions) when there are any.
 */
export const summaryCounts = (s: DriftSummary) =>
  `${s.resources} resource(s): ${s.compliant} compliant, ${s.fixed} fixed, ${s.drifted} drifted, ${s.failed} failed, ${s.deferred} deferred, ${s.tickets} need a ticket${s.waived > 0 ? `, ${s.waived} waived` : ''}`;

/** Writes the enforce-mode drift rows would make (audit rows only report). */
const plannedWrites = (report: DriftReport) =>
  report.results.reduce(
    (n, r) => n + (r.status === 'drift' && r.enforcement !== 'audit' ? (r.writes?.length ?? 0) : 0),
    0,
  );

function body(report: DriftReport, header: string, options: RenderOptions): string {
  const lines = wrapProse(header, options.width);
  for (const notice of report.notices ?? [])
    lines.push(...wrapProse(`NOTICE (${notice.code}): ${notice.message}`, options.width));
  const rows = rowsToShow(report.results);
  if (rows.length > 0) lines.push(...renderResults(rows, options));
  return lines.join('\n');
}

/**
 * `edaguard plan`: the plan as a dry-run report, the writes it would make; with --show-selection
 * the selection after it. Its warnings (a policy or rule that selects nothing) go to stderr, so
 * the table only says that there are some.
 */
export function renderPlanTable(plan: ExplainedPlan, options: RenderOptions): string {
  const at = new Date(0);
  const { notices, selection, ...findings } = plan;
  const report = planReport(findings, { startedAt: at, finishedAt: at });
  const { accountId, region } = plan.target;
  const header = `Plan for ${accountId}/${region}: ${summaryCounts(report.summary)}; ${plannedWrites(report)} write(s) planned.`;
  const warnings = notices?.length ?? 0;
  const closing =
    warnings > 0
      ? `No changes to what the policies select, but ${warnings} warning(s) on stderr: a policy or rule selects nothing.`
      : 'No changes. The account matches its policies.';
  const text = body(report, header, options);
  const table =
    rowsToShow(report.results).length === 0
      ? `${text}\n${wrapProse(closing, options.width).join('\n')}`
      : text;
  return selection ? `${table}\n\n${renderSelection(selection, options)}` : table;
}

/** `edaguard reconcile`: the summary line and one row per result that is not plain compliant. */
export function renderReportTable(report: DriftReport, options: RenderOptions): string {
  const { accountId, region } = report.target;
  const header = `${report.dryRun ? 'DRY-RUN ' : ''}Reconciled ${accountId}/${region}: ${summaryCounts(report.summary)}; ${countWrites(report.awsCalls)} write call(s).`;
  return body(report, header, options);
}
