/**
 * What changed since the last report, so that Slack hears about drift once and not every cycle.
 * Pure: the previous state comes in, the new state goes out; the caller keeps it.
 */
import { createHash } from 'node:crypto';
import type { ResultStatus } from '../apply/apply.js';
import type { Target } from '../discovery/inventory.js';
import type { DriftReport, DriftResult } from '../report/driftReport.js';

/** Statuses that still need attention; a result in one of them is "open" until it leaves them. */
export const ATTENTION_STATUSES: readonly ResultStatus[] = ['failed', 'ticket', 'drift', 'deferred'];

const needsAttention = (r: DriftResult) => ATTENTION_STATUSES.includes(r.status);

/** The last report's open items, as `resource\trule\tstatus` keys, and their digest. */
export interface ReportState {
  readonly digest: string;
  readonly keys: readonly string[];
  /** Codes of the report's notices (change cap hit, stale policies…). */
  readonly notices?: readonly string[];
}

export interface ResolvedItem {
  readonly resource: string;
  readonly rule: string;
  readonly previousStatus: string;
  /** The status now (pass, fixed, skipped), or undefined when it is no longer in the report. */
  readonly status?: ResultStatus;
}

export interface ReportChanges {
  /** Open items whose (resource, rule) was not open in the last report. */
  readonly opened: readonly DriftResult[];
  /** Open items whose status changed (drift → failed, failed → ticket…). */
  readonly statusChanged: readonly DriftResult[];
  /** Items open in the last report that are no longer open (turned pass/fixed/skipped, or gone). */
  readonly resolved: readonly ResolvedItem[];
  /** Written and read back this cycle: always news. */
  readonly fixed: readonly DriftResult[];
  /** Notices about the whole cycle that the last report did not have. */
  readonly newNotices: readonly NonNullable<DriftReport['notices']>[number][];
  /** Whether any of the above is non-empty: whether to post. */
  readonly changed: boolean;
}

const SEP = '\t';
const pairKey = (resource: string, rule: string) => `${resource}${SEP}${rule}`;

export function targetKey(target: Target): string {
  return `${target.partition}:${target.accountId}:${target.region}`;
}

export function reportState(report: DriftReport): ReportState {
  const keys = [
    ...new Set(
      report.results.filter(needsAttention).map((r) => `${pairKey(r.resource, r.rule)}${SEP}${r.status}`),
    ),
  ].sort();
  const notices = [...new Set((report.notices ?? []).map((n) => n.code))].sort();
  const digest = createHash('sha256')
    .update([...keys, ...notices.map((n) => `notice${SEP}${n}`)].join('\n'))
    .digest('hex')
    .slice(0, 32);
  return { digest, keys, notices };
}

function parseKey(key: string): { resource: string; rule: string; status: string } | undefined {
  const [resource, rule, status] = key.split(SEP);
  return resource && rule && status ? { resource, rule, status } : undefined;
}

/** No previous state (first report ever) is compared as an empty one. */
export function diffReports(previous: ReportState | undefined, report: DriftReport): ReportChanges {
  const before = new Map<string, string>();
  for (const key of previous?.keys ?? []) {
    const k = parseKey(key);
    if (k) before.set(pairKey(k.resource, k.rule), k.status);
  }
  const open = report.results.filter(needsAttention);
  const openNow = new Set(open.map((r) => pairKey(r.resource, r.rule)));
  const statusNow = new Map(report.results.map((r) => [pairKey(r.resource, r.rule), r.status]));

  const opened = open.filter((r) => !before.has(pairKey(r.resource, r.rule)));
  const statusChanged = open.filter((r) => {
    const was = before.get(pairKey(r.resource, r.rule));
    return was !== undefined && was !== r.status;
  });
  const resolved: ResolvedItem[] = [];
  for (const [pair, previousStatus] of before) {
    if (openNow.has(pair)) continue;
    const [resource = '', rule = ''] = pair.split(SEP);
    const status = statusNow.get(pair);
    resolved.push({ resource, rule, previousStatus, ...(status !== undefined ? { status } : {}) });
  }
  const fixed = report.results.filter((r) => r.status === 'fixed');
  const noticedBefore = new Set(previous?.notices ?? []);
  const newNotices = (report.notices ?? []).filter((n) => !noticedBefore.has(n.code));
  const changed =
    opened.length + statusChanged.length + resolved.length + fixed.length + newNotices.length > 0;
  return { opened, statusChanged, resolved, fixed, newNotices, changed };
}
