/** The dates of waivers (spec.exceptions): how far off an expiry is, and what `validate` accepts. */
import type { PolicyIssue } from '../errors.js';
import type { PolicySet } from './model.js';

/** `maxWaiverDays`' default: a waiver may run at most this many days from the day it is validated. */
export const DEFAULT_MAX_WAIVER_DAYS = 90;

const DAY_MS = 86_400_000;

/** Days from `now`'s UTC day to the YYYY-MM-DD `date` (0: today, negative: past). */
export function daysUntil(date: string, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((Date.parse(`${date}T00:00:00Z`) - today) / DAY_MS);
}

/**
 * What `validate` checks of the waivers on the day it runs (`now`, injected): an expiry in the
 * past, or more than `maxWaiverDays` ahead, is an error at the `expires` field. Not checked when
 * the controller loads its policies: a waiver that has expired makes its finding come back.
 */
export function waiverDateIssues(set: PolicySet, now: Date, maxWaiverDays: number): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (const policy of set.policies) {
    (policy.exceptions ?? []).forEach((exception, i) => {
      const days = daysUntil(exception.expires, now);
      const message =
        days < 0
          ? `expires ${exception.expires} is in the past: the waiver has expired; remove it, or renew it with a new date and reason`
          : days > maxWaiverDays
            ? `expires ${exception.expires} is ${days} days ahead; a waiver may run at most ${maxWaiverDays} days (maxWaiverDays)`
            : undefined;
      if (message) issues.push({ ...exception.expiresAt, path: `spec.exceptions.${i}.expires`, message });
    });
  }
  return issues;
}
