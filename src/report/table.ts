import Table from 'cli-table3';
import { describeAction } from '../apply/handlers/index.js';
import { countWrites } from '../aws/callCounter.js';
import type { Plan } from '../reconcile/model.js';
import type { DriftReport } from './driftReport.js';

// No colour codes: output goes to CI logs and files as often as to terminals.
const PLAIN = { head: [], border: [] };
const shortName = (arn: string) => arn.split(':').slice(5).join(':') || arn;
const show = (value: unknown) => (value === null || value === undefined ? '-' : JSON.stringify(value));

/** `edaguard plan`: one row per finding that is not compliant, with the writes it would make. */
export function renderPlanTable(plan: Plan): string {
  const rows = plan.findings.filter(
    (f) => f.status === 'drift' || f.status === 'ticket' || f.status === 'error',
  );
  const table = new Table({
    head: ['resource', 'rule', 'observed', 'desired', 'would write'],
    wordWrap: true,
    colWidths: [24, 24, 30, 30, 44],
    style: PLAIN,
  });
  for (const f of rows) {
    const writes = f.actions.length === 0 ? `none: ${f.message}` : f.actions.map(describeAction).join('\n');
    const mode = f.actions.length > 0 && f.enforcement === 'audit' ? ' (audit: report only)' : '';
    table.push([shortName(f.resource), f.rule, show(f.observed), show(f.desired), `${writes}${mode}`]);
  }
  const compliant = plan.findings.filter((f) => f.status === 'pass' || f.status === 'skipped').length;
  const writes = rows.reduce((n, f) => n + (f.enforcement === 'enforce' ? f.actions.length : 0), 0);
  const header = `Plan for ${plan.target.accountId}/${plan.target.region}: ${rows.length} finding(s) to act on, ${compliant} compliant finding(s), ${writes} write(s).`;
  return rows.length === 0
    ? `${header}\nNo changes. The account matches its policies.`
    : `${header}\n${table.toString()}`;
}

/** `edaguard reconcile`: the summary line and one row per result that is not plain compliant. */
export function renderReportTable(report: DriftReport): string {
  const s = report.summary;
  const writes = countWrites(report.awsCalls);
  const lines = [
    `${report.dryRun ? 'DRY-RUN ' : ''}Reconciled ${report.target.accountId}/${report.target.region}: ${s.resources} resource(s): ${s.compliant} compliant, ${s.fixed} fixed, ${s.drifted} drifted, ${s.failed} failed, ${s.deferred} deferred, ${s.tickets} need a ticket; ${writes} write call(s).`,
  ];
  for (const notice of report.notices ?? []) lines.push(`NOTICE (${notice.code}): ${notice.message}`);
  const rows = report.results.filter((r) => r.status !== 'pass' && r.status !== 'skipped');
  if (rows.length > 0) {
    const table = new Table({
      head: ['status', 'resource', 'rule', 'message'],
      wordWrap: true,
      colWidths: [10, 26, 24, 70],
      style: PLAIN,
    });
    for (const r of rows) table.push([r.status, shortName(r.resource), r.rule, r.message]);
    lines.push(table.toString());
  }
  return lines.join('\n');
}
