import type { Finding, Plan } from './model.js';

/**
 * The cap on the share of resources one cycle may change (Cloud Custodian's
 * `max-resources-percent`). A policy or selector mistake that suddenly makes most of an account
 * "drifted" stops here, before any write, instead of rewriting the account: the apply schedule
 * (src/apply/schedule.ts) holds every write back, and the audit log says CHANGE_CAP_EXCEEDED.
 */
export interface ChangeCapCheck {
  /** Distinct resources the plan covers (every resource with a finding). */
  readonly resources: number;
  /** Distinct resources with at least one write planned under `enforce`. */
  readonly changing: number;
  /** `changing` as a percentage of `resources` (0 when there are none). */
  readonly percent: number;
  readonly maxPercent: number;
  readonly exceeded: boolean;
  /** One sentence that says what was found and what it means; empty when not exceeded. */
  readonly message: string;
}

/** A finding that would write if the cycle is not in dry-run. Audit findings never write. */
export function wouldWrite(finding: Finding): boolean {
  return finding.status === 'drift' && finding.enforcement === 'enforce' && finding.actions.length > 0;
}

/**
 * Pure: counts the distinct resources with planned writes against the distinct resources in the
 * plan. Exceeded when changing / resources > maxPercent / 100. `maxPercent` 100 never trips;
 * 0 allows no change at all (a freeze).
 */
export function checkChangeCap(plan: Plan, maxPercent: number): ChangeCapCheck {
  const resources = new Set<string>();
  const changing = new Set<string>();
  for (const finding of plan.findings) {
    resources.add(finding.resource);
    if (wouldWrite(finding)) changing.add(finding.resource);
  }
  const percent = resources.size === 0 ? 0 : (changing.size / resources.size) * 100;
  // Integers on both sides: changing * 100 > maxPercent * resources avoids rounding surprises.
  const exceeded = changing.size * 100 > maxPercent * resources.size;
  const shown = Math.round(percent * 10) / 10;
  return {
    resources: resources.size,
    changing: changing.size,
    percent,
    maxPercent,
    exceeded,
    message: exceeded
      ? `change cap exceeded: ${changing.size} of ${resources.size} resources (${shown}%) would change, ` +
        `above the cap of ${maxPercent}% (--max-change-percent); nothing is written this cycle. ` +
        'Check the policies and selectors, then raise the cap for one cycle if the change is intended.'
      : '',
  };
}
