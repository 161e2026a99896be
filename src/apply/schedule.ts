/**
 * Decides, before any write, what a cycle's apply runs now and what it holds back (Terraform's
 * plan-then-apply, applied to one cycle): dry-run, audit, the change budget, the change cap and
 * the order that `dependsOn` asks for. Pure: the same plan and limits give the same schedule.
 * What apply cannot know in advance (a write that fails, a cycle that is stopped) stays in apply.
 */
import { checkChangeCap } from '../reconcile/changeCap.js';
import { type Finding, findingKey, type Plan } from '../reconcile/model.js';

export interface ScheduleLimits {
  /** Nothing is written; drift is reported as it would be fixed. */
  readonly dryRun: boolean;
  /** Writes allowed this cycle; a finding's writes run all or not at all. */
  readonly maxChanges: number;
  /** The change cap (--max-change-percent): when the plan exceeds it, no write runs. */
  readonly maxChangePercent?: number;
}

/** Why a finding writes nothing, and is reported as the plan found it. */
export type UnwrittenReason = 'no-write' | 'dry-run' | 'audit';

export type DeferReason =
  | { readonly kind: 'budget'; readonly maxChanges: number }
  | { readonly kind: 'change-cap'; readonly message: string }
  /** A finding it depends on (by findingKey) does not run this cycle. */
  | { readonly kind: 'waits-for'; readonly blocker: string };

export interface ScheduledRun {
  readonly finding: Finding;
  /** Findings (by findingKey) that run earlier this cycle and must be fixed before this one runs. */
  readonly after: readonly string[];
}

export interface Schedule {
  /** In order: the findings without dependencies first (plan order), then those that wait. */
  readonly run: readonly ScheduledRun[];
  readonly deferred: ReadonlyArray<{ readonly finding: Finding; readonly reason: DeferReason }>;
  readonly unwritten: ReadonlyArray<{ readonly finding: Finding; readonly reason: UnwrittenReason }>;
}

type Decision =
  | { readonly to: 'run' }
  | { readonly to: 'deferred'; readonly reason: DeferReason }
  | { readonly to: 'unwritten'; readonly reason: UnwrittenReason };

export function schedule(plan: Plan, limits: ScheduleLimits): Schedule {
  const cap =
    limits.maxChangePercent === undefined ? undefined : checkChangeCap(plan, limits.maxChangePercent);
  let budget = limits.maxChanges;
  // Budget is taken in plan order, so which findings are deferred is deterministic.
  const decide = (finding: Finding): Decision => {
    if (finding.status !== 'drift' || finding.actions.length === 0)
      return { to: 'unwritten', reason: 'no-write' };
    if (limits.dryRun) return { to: 'unwritten', reason: 'dry-run' };
    if (finding.enforcement === 'audit') return { to: 'unwritten', reason: 'audit' };
    if (finding.actions.length > budget)
      return { to: 'deferred', reason: { kind: 'budget', maxChanges: limits.maxChanges } };
    budget -= finding.actions.length;
    if (cap?.exceeded) return { to: 'deferred', reason: { kind: 'change-cap', message: cap.message } };
    return { to: 'run' };
  };

  const out = {
    run: [] as ScheduledRun[],
    deferred: [] as Schedule['deferred'][number][],
    unwritten: [] as Schedule['unwritten'][number][],
  };
  const place = (finding: Finding, decision: Decision, after: readonly string[]) => {
    if (decision.to === 'run') out.run.push({ finding, after });
    else if (decision.to === 'deferred') out.deferred.push({ finding, reason: decision.reason });
    else out.unwritten.push({ finding, reason: decision.reason });
  };

  const independent = plan.findings.filter((f) => !f.dependsOn?.length);
  for (const finding of independent) place(finding, decide(finding), []);
  // A finding that waits for another's writes (a shared queue it creates) runs after it, and
  // only if it runs: one that does not run this cycle holds its dependents back.
  const running = new Set(out.run.map((r) => findingKey(r.finding)));
  for (const finding of plan.findings.filter((f) => f.dependsOn?.length)) {
    const after = finding.dependsOn ?? [];
    const blocker = after.find((key) => !running.has(key));
    const held = blocker !== undefined && !limits.dryRun && finding.enforcement !== 'audit';
    place(
      finding,
      held ? { to: 'deferred', reason: { kind: 'waits-for', blocker } } : decide(finding),
      after,
    );
  }
  return out;
}
