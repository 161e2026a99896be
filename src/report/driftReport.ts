import type { FindingResult, ResultStatus } from '../apply/apply.js';
import { describeAction } from '../apply/handlers/index.js';
import type { CallRecord } from '../aws/callCounter.js';
import type { DlqSourceChoice } from '../discovery/dlqSourceStrategy.js';
import type { Target } from '../discovery/inventory.js';
import { API_VERSION } from '../policy/schema.js';
import type { Finding, FindingWaiver } from '../reconcile/model.js';
import type { FailOn } from './failOn.js';
import type { PolicySelection } from './selection.js';

export interface DriftResult {
  resource: string;
  resourceType: string;
  policy: string;
  rule: string;
  status: ResultStatus;
  observed: unknown;
  desired: unknown;
  message: string;
  /** The name a person knows the resource by, where its ARN does not say it (a mapping: `<function> ← <source>`). */
  label?: string;
  /** Present when the policy only reports (audit): the writes are what enforce would do. */
  enforcement?: 'audit';
  /** The writes that fix it (absent: none): planned (plan, dry-run, drift), made (fixed), or tried. */
  writes?: string[];
  /** The waiver (spec.exceptions) that holds it (status `waived`), or that expired (`expired: true`). */
  waiver?: FindingWaiver;
}

export interface DriftSummary {
  resources: number;
  compliant: number;
  drifted: number;
  fixed: number;
  failed: number;
  deferred: number;
  /** Resources with a finding no automatic fix can resolve safely (needs a person). */
  tickets: number;
  /** Resources whose only non-compliance a policy's exception accepts until a date. */
  waived: number;
}

/**
 * Something about the cycle as a whole that the results alone do not say: why it held back its
 * writes (change cap), that it ran on the last valid policies, that it was stopped early.
 */
export interface ReportNotice {
  code:
    | 'change-cap-exceeded'
    | 'policies-invalid'
    | 'cycle-timeout'
    | 'cycle-interrupted'
    // plan: a policy that selects nothing, a rule that applies to none of what its policy selects
    | 'policy-selects-nothing'
    | 'rule-applies-to-nothing';
  message: string;
  details?: unknown;
}

export interface DriftReport {
  apiVersion: typeof API_VERSION;
  kind: 'DriftReport';
  target: Target;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  summary: DriftSummary;
  results: DriftResult[];
  /** AWS calls this cycle made, per service, operation and outcome. */
  awsCalls: CallRecord[];
  /** Present only when something about the whole cycle needs saying. */
  notices?: ReportNotice[];
  /** How discovery read what the results rest on; present only when it had a choice to make. */
  discovery?: DiscoverySummary;
  /** `plan --show-selection`: per policy what it selects, what it leaves out and why. */
  selection?: PolicySelection[];
}

export interface DiscoverySummary {
  /** Which way the cycle learnt whether queues lacking a DLQ are DLQs themselves, and why. */
  dlqSources?: DlqSourceChoice;
}

/** A resource counts once, under the worst status of its results. */
const SEVERITY: ResultStatus[] = [
  'failed',
  'ticket',
  'drift',
  'deferred',
  'waived',
  'fixed',
  'pass',
  'skipped',
];

export function summarize(results: readonly DriftResult[]): DriftSummary {
  const worst = new Map<string, ResultStatus>();
  for (const r of results) {
    const current = worst.get(r.resource);
    if (!current || SEVERITY.indexOf(r.status) < SEVERITY.indexOf(current)) worst.set(r.resource, r.status);
  }
  const summary: DriftSummary = {
    resources: worst.size,
    compliant: 0,
    drifted: 0,
    fixed: 0,
    failed: 0,
    deferred: 0,
    tickets: 0,
    waived: 0,
  };
  for (const status of worst.values()) {
    if (status === 'pass' || status === 'skipped') summary.compliant += 1;
    else if (status === 'drift') summary.drifted += 1;
    else if (status === 'ticket') summary.tickets += 1;
    else summary[status] += 1;
  }
  return summary;
}

/** A finding's result as reports carry it: the finding's facts, its label and writes, the outcome. */
export function driftResultOf(finding: Finding, status: ResultStatus, message: string): DriftResult {
  return {
    resource: finding.resource,
    resourceType: finding.resourceType,
    policy: finding.policy,
    rule: finding.rule,
    status,
    observed: finding.observed,
    desired: finding.desired,
    message,
    ...(finding.label ? { label: finding.label } : {}),
    ...(finding.enforcement === 'audit' ? { enforcement: 'audit' as const } : {}),
    ...(finding.actions.length > 0 ? { writes: finding.actions.map(describeAction) } : {}),
    ...(finding.waiver ? { waiver: finding.waiver } : {}),
  };
}

export function buildDriftReport(input: {
  target: Target;
  startedAt: Date;
  finishedAt: Date;
  dryRun: boolean;
  results: readonly FindingResult[];
  awsCalls: CallRecord[];
  notices?: readonly ReportNotice[];
  discovery?: DiscoverySummary;
}): DriftReport {
  const results = input.results.map(({ finding, status, message }) =>
    driftResultOf(finding, status, message),
  );
  return {
    apiVersion: API_VERSION,
    kind: 'DriftReport',
    target: input.target,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    dryRun: input.dryRun,
    summary: summarize(results),
    results,
    awsCalls: input.awsCalls,
    ...(input.notices && input.notices.length > 0 ? { notices: [...input.notices] } : {}),
    ...(input.discovery ? { discovery: input.discovery } : {}),
  };
}

/** The report with more notices (the run loop adds the ones the cycle itself cannot know). */
export function withNotices(report: DriftReport, notices: readonly ReportNotice[]): DriftReport {
  if (notices.length === 0) return report;
  return { ...report, notices: [...(report.notices ?? []), ...notices] };
}

// `--fail-on`'s values live in a module of their own: the CLI's option definitions load nothing else.
export { FAIL_ON, type FailOn } from './failOn.js';

/** What remains after a cycle or a plan, in findings; enough to choose the exit code. */
export type RemainingCounts = Pick<DriftSummary, 'drifted' | 'failed' | 'deferred' | 'tickets'>;

/**
 * Exit code contract (README "Exit codes"): 1 when drift, failures or deferrals remain; 3 when
 * only tickets remain (a person must act, nothing is failing); 0 otherwise (every selected
 * resource compliant, fixed or waived). `failOn` `drift`
 * turns tickets-only into 0, `never` makes every outcome 0 (bad input, 2, is the CLI's).
 */
export function exitCodeFor(summary: RemainingCounts, failOn: FailOn = 'ticket'): 0 | 1 | 3 {
  if (failOn === 'never') return 0;
  if (summary.drifted + summary.failed + summary.deferred > 0) return 1;
  return summary.tickets > 0 && failOn === 'ticket' ? 3 : 0;
}

const REMAINING: Partial<Record<string, keyof RemainingCounts>> = {
  drift: 'drifted',
  failed: 'failed',
  error: 'failed',
  deferred: 'deferred',
  busy: 'deferred',
  ticket: 'tickets',
};

/**
 * Counts per finding, not per resource: a resource with a ticket and a drift counts once in the
 * summary (as a ticket) but its drift still fails the run. Takes result and plan statuses alike.
 */
export function remainingOf(statuses: Iterable<string>): RemainingCounts {
  const counts: RemainingCounts = { drifted: 0, failed: 0, deferred: 0, tickets: 0 };
  for (const status of statuses) {
    const key = REMAINING[status];
    if (key) counts[key] += 1;
  }
  return counts;
}

/** The exit code of one or several reports: the worst of them (1 > 3 > 0). */
export function reportExitCode(reports: DriftReport | readonly DriftReport[], failOn: FailOn = 'ticket') {
  const all: readonly DriftReport[] = 'results' in reports ? [reports] : reports;
  return exitCodeFor(remainingOf(all.flatMap((r) => r.results.map((x) => x.status))), failOn);
}
