import type { Policy } from './model.js';
import { TAGS } from './reservedTags.js';
import { type ResourceType, RULE_RESOURCE_TYPES, type RuleId } from './ruleSettings.js';

export type Tags = Readonly<Record<string, string>>;

/** `edaguard.dev/ignore=true` on a resource excludes it from every policy. */
export function isIgnored(tags: Tags): boolean {
  return tags[TAGS.ignore]?.toLowerCase() === 'true';
}

export function policySelects(policy: Policy, type: ResourceType, tags: Tags): boolean {
  if (isIgnored(tags)) return false;
  if (!policy.resourceTypes.includes(type)) return false;
  for (const [key, value] of Object.entries(policy.matchTags)) if (tags[key] !== value) return false;
  for (const [key, value] of Object.entries(policy.excludeTags)) if (tags[key] === value) return false;
  return true;
}

/** Whether `policy` has `rule` and the rule applies to resources of `type`. */
export function policyGoverns(policy: Policy, rule: RuleId, type: ResourceType): boolean {
  return policy.rules[rule] !== undefined && RULE_RESOURCE_TYPES[rule].includes(type);
}

/** False when the policy's own exclude cancels its match, so it can select nothing. */
function canSelectAnything(policy: Policy): boolean {
  return !Object.entries(policy.excludeTags).some(([k, v]) => policy.matchTags[k] === v);
}

/**
 * True when every resource `inner` selects is certainly selected by `outer` too, from the
 * selectors alone (whatever tags the resource has besides).
 */
export function selectorCovers(outer: Policy, inner: Policy): boolean {
  if (!canSelectAnything(inner)) return false;
  if (!inner.resourceTypes.every((t) => outer.resourceTypes.includes(t))) return false;
  for (const [key, value] of Object.entries(outer.matchTags))
    if (inner.matchTags[key] !== value) return false;
  for (const [key, value] of Object.entries(outer.excludeTags)) {
    const innerExcludesToo = inner.excludeTags[key] === value;
    const innerRequiresOtherValue = inner.matchTags[key] !== undefined && inner.matchTags[key] !== value;
    if (!innerExcludesToo && !innerRequiresOtherValue) return false;
  }
  return true;
}
