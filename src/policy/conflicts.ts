import { isDeepStrictEqual } from 'node:util';
import type { PolicyIssue } from '../errors.js';
import type { Policy } from './model.js';
import { RULE_IDS, RULE_RESOURCE_TYPES } from './ruleSettings.js';
import { selectorCovers } from './selectors.js';

/**
 * Two policies that give different settings for one rule, where one policy's selector covers
 * the other's: every resource of the narrower one would be a conflict, so reject at load.
 * Overlaps that only some resources fall into are reported per resource at plan time.
 */
export function findCertainConflicts(policies: readonly Policy[]): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  for (let i = 0; i < policies.length; i++) {
    for (let j = i + 1; j < policies.length; j++) {
      const a = policies[i] as Policy;
      const b = policies[j] as Policy;
      if (!selectorCovers(a, b) && !selectorCovers(b, a)) continue;
      for (const rule of RULE_IDS) {
        const sa = a.rules[rule];
        const sb = b.rules[rule];
        if (sa === undefined || sb === undefined || isDeepStrictEqual(sa, sb)) continue;
        const shared = RULE_RESOURCE_TYPES[rule].filter(
          (t) => a.resourceTypes.includes(t) && b.resourceTypes.includes(t),
        );
        if (shared.length === 0) continue;
        const location = b.ruleLocations[rule] ?? b.source;
        issues.push({
          ...location,
          path: `spec.rules.${rule}`,
          message: `conflicts with policy "${a.name}" (${a.source.file}:${a.source.line}): both select the same resources and set ${rule} differently`,
        });
      }
    }
  }
  return issues;
}
