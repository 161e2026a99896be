/**
 * The report of `plan` and `reconcile --once` over several targets: one JSON document whose
 * results each name their target, and tables grouped under a `== <account>/<region> ==` heading.
 */
import type { CallRecord } from '../aws/callCounter.js';
import { API_VERSION } from '../policy/schema.js';
import type { Plan } from '../reconcile/model.js';
import { type TargetRef, targetId, toTarget } from '../targets/targetRef.js';
import { wrapText } from './columns.js';
import {
  type DriftReport,
  type DriftResult,
  type DriftSummary,
  exitCodeFor,
  type FailOn,
  type ReportNotice,
  remainingOf,
  reportExitCode,
  summarize,
} from './driftReport.js';
import { type ExplainedPlan, planReport } from './planReport.js';
import type { PolicySelection } from './selection.js';
import { type RenderOptions, renderPlanTable, renderReportTable } from './table.js';

/** What reaching a target failed on: the AssumeRole, an endpoint, the first reads. */
export interface TargetFailure {
  operation: string;
  code: string;
  message: string;
}

/** `operation` comes from the error when it names one (TargetUnreachableError); else the failure is discovery's. */
export function targetFailureOf(error: unknown): TargetFailure {
  const e = error as { name?: string; Code?: string; message?: string; operation?: string; cause?: unknown };
  const inner = (e?.operation && e.cause ? e.cause : e) as { name?: string; Code?: string } | undefined;
  return {
    operation: e?.operation ?? 'discovery',
    code: inner?.Code ?? inner?.name ?? 'Error',
    message: e?.message ?? String(error),
  };
}

/** An unreachable target's report: one `read-error` result for the resource `<account>/<region>`. */
export function targetErrorReport(
  ref: TargetRef,
  failure: TargetFailure,
  at: Date,
  dryRun: boolean,
): DriftReport {
  const results: DriftResult[] = [
    {
      resource: targetId(ref),
      resourceType: 'target',
      policy: '',
      rule: 'read-error',
      status: 'failed',
      observed: { operation: failure.operation, code: failure.code },
      desired: null,
      message: `target ${targetId(ref)} unreachable: ${failure.operation} failed: ${failure.code}: ${failure.message}`,
    },
  ];
  return {
    apiVersion: API_VERSION,
    kind: 'DriftReport',
    target: toTarget(ref),
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    dryRun,
    summary: summarize(results),
    results,
    awsCalls: [],
  };
}

export interface TargetOutcome<T> {
  ref: TargetRef;
  /** Absent when the target could not be reached. */
  value?: T;
  failure?: TargetFailure;
}

export interface MultiTargetSummary {
  target: string;
  accountId: string;
  region: string;
  summary: DriftSummary;
  notices?: ReportNotice[];
  /** `plan --show-selection`: this target's selection. */
  selection?: PolicySelection[];
}

export interface MultiTargetReport extends Omit<DriftReport, 'target' | 'results' | 'notices' | 'selection'> {
  results: Array<DriftResult & { target: string }>;
  notices?: Array<ReportNotice & { target: string }>;
  targets: MultiTargetSummary[];
}

function sumCalls(all: readonly CallRecord[][]): CallRecord[] {
  const sums = new Map<string, CallRecord>();
  for (const r of all.flat()) {
    const key = `${r.service}.${r.operation}.${r.outcome}`;
    const held = sums.get(key);
    if (held) held.count += r.count;
    else sums.set(key, { ...r });
  }
  return [...sums.values()];
}

/** One document for every target's report (in target order); its summary counts every target's resources. */
export function combineReports(reports: readonly DriftReport[], dryRun: boolean): MultiTargetReport {
  const idOf = (r: DriftReport) => `${r.target.accountId}/${r.target.region}`;
  const results = reports.flatMap((r) => r.results.map((x) => ({ target: idOf(r), ...x })));
  const notices = reports.flatMap((r) => (r.notices ?? []).map((n) => ({ target: idOf(r), ...n })));
  const times = reports.flatMap((r) => [r.startedAt, r.finishedAt]).sort();
  const now = new Date().toISOString();
  return {
    apiVersion: API_VERSION,
    kind: 'DriftReport',
    startedAt: times[0] ?? now,
    finishedAt: times[times.length - 1] ?? now,
    dryRun,
    summary: summarize(results.map((r) => ({ ...r, resource: `${r.target}|${r.resource}` }))),
    results,
    awsCalls: sumCalls(reports.map((r) => r.awsCalls)),
    ...(notices.length > 0 ? { notices } : {}),
    targets: reports.map((r) => ({
      target: idOf(r),
      accountId: r.target.accountId,
      region: r.target.region,
      summary: r.summary,
      ...(r.notices ? { notices: r.notices } : {}),
      ...(r.selection ? { selection: r.selection } : {}),
    })),
  };
}

/** The worst exit code of the targets' (1 > 3 > 0; a failed target counts as a failed read: 1). */
export const multiExitCode = (reports: readonly DriftReport[], failOn: FailOn = 'ticket') =>
  reportExitCode(reports, failOn);

export const targetHeading = (ref: TargetRef) => `== ${targetId(ref)} ==`;

export function renderMultiReportTable(reports: readonly DriftReport[], options: RenderOptions): string {
  return reports.map((r) => `${targetHeading(r.target)}\n${renderReportTable(r, options)}`).join('\n\n');
}

/**
 * `plan --output json` over several targets: the same document as `reconcile --dry-run` (a
 * DriftReport, `dryRun: true`, results with their target and planned writes); an unreachable
 * target is a `read-error` result of resource `<account>/<region>`.
 */
export function combinePlans(
  outcomes: readonly TargetOutcome<ExplainedPlan>[],
  at = new Date(),
): MultiTargetReport {
  const times = { startedAt: at, finishedAt: at };
  const reports = outcomes.map((o) =>
    o.value
      ? planReport(o.value, times)
      : targetErrorReport(o.ref, o.failure ?? targetFailureOf('unknown'), at, true),
  );
  return combineReports(reports, true);
}

export function renderMultiPlanTable(
  outcomes: readonly TargetOutcome<ExplainedPlan>[],
  options: RenderOptions,
): string {
  return outcomes
    .map((o) => {
      const body = o.value
        ? renderPlanTable(o.value, options)
        : wrapText(
            `target unreachable: ${o.failure?.operation} failed: ${o.failure?.code}: ${o.failure?.message}`,
            options.width,
          ).join('\n');
      return `${targetHeading(o.ref)}\n${body}`;
    })
    .join('\n\n');
}

/** Plan exit code: the worst over every target (1 > 3 > 0); an unreachable target is an error (1). */
export const multiPlanExitCode = (outcomes: readonly TargetOutcome<Plan>[], failOn: FailOn = 'ticket') =>
  exitCodeFor(
    remainingOf(outcomes.flatMap((o) => (o.value ? o.value.findings.map((f) => f.status) : ['error']))),
    failOn,
  );
