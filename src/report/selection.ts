/**
 * What each policy selects in the account, what it does not and why (`plan --show-selection`),
 * and the warnings `plan` prints when a policy selects nothing or a rule of it applies to none of
 * what it selects (a typo in a tag value must not pass silently). Pure: from the resources
 * discovery found (every resource some policy's match.tags and types name, and the streams,
 * rules and pipes it lists whole).
 */
import type { TaggedResource, Target } from '../discovery/inventory.js';
import type { Policy } from '../policy/model.js';
import { closest } from '../policy/plainMessages.js';
import { TAGS } from '../policy/reservedTags.js';
import { type ResourceType, RULE_IDS, RULE_RESOURCE_TYPES, type RuleId } from '../policy/ruleSettings.js';
import { isIgnored, policySelects } from '../policy/selectors.js';
import { resourceLabel } from './resourceLabel.js';

/** Why a resource a policy might have meant is not selected by it. */
export type ExclusionReason = 'ignore-tag' | 'exclude-tag' | 'match-tag' | 'resource-type';

export interface SelectedResource {
  resource: string;
  resourceType: ResourceType;
  /** The name a person knows it by (see resourceLabel). */
  label: string;
}

export interface ExcludedResource extends SelectedResource {
  reason: ExclusionReason;
  /** In words: the tag or type that decided it. */
  detail: string;
}

export interface PolicySelection {
  policy: string;
  /** Where the policy is: `file:line`. */
  source: string;
  resourceTypes: ResourceType[];
  selected: SelectedResource[];
  /**
   * Resources it leaves out although they carry its match.tags (wrong type, ignore tag, an
   * exclude.tags tag), and near misses: a resource of its types with a match.tags key at a value
   * a typo away, or a match.tags value under a key a typo away (in the policy or on the resource).
   */
  excluded: ExcludedResource[];
  /** Rules that apply to none of the selected resources (empty when nothing is selected). */
  idleRules: RuleId[];
  /** Present when it selects nothing: why, in a few words. */
  nothingSelected?: string;
}

/** A warning of `plan`: in `--output json` as a report notice, and one line on stderr. */
export interface SelectionNotice {
  code: 'policy-selects-nothing' | 'rule-applies-to-nothing';
  message: string;
  details: { policy: string; rule?: RuleId; file: string; line: number };
}

const tagText = (tags: Readonly<Record<string, string>>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

const subjectOf = (r: TaggedResource): SelectedResource => ({
  resource: r.arn,
  resourceType: r.type,
  label: resourceLabel({ resource: r.arn, resourceType: r.type }),
});

/**
 * The tag of `tags` that looks like a typo of `key=value` (or of which it is one): the key with a
 * value near `value`, or `value` under a key near `key`; as `k=v`.
 */
function nearTag(tags: Readonly<Record<string, string>>, key: string, value: string): string | undefined {
  const actual = tags[key];
  if (actual !== undefined) return closest(value, [actual]) ? `${key}=${actual}` : undefined;
  const under = Object.entries(tags).find(([k, v]) => v === value && closest(key, [k]));
  return under ? `${under[0]}=${value}` : undefined;
}

/** Why `policy` does not select `r`, when it is worth saying (see PolicySelection.excluded). */
function exclusionOf(
  policy: Policy,
  r: TaggedResource,
): { reason: ExclusionReason; detail: string } | undefined {
  const missed = Object.entries(policy.matchTags).filter(([k, v]) => r.tags[k] !== v);
  const hasTypes = policy.resourceTypes.includes(r.type);
  if (missed.length > 0) {
    const near = hasTypes ? missed.map(([k, v]) => nearTag(r.tags, k, v)) : [];
    if (near.length === 0 || near.some((n) => n === undefined)) return undefined;
    const said = missed.map(([k, v], i) => `has ${near[i]}, match.tags wants ${k}=${v}`);
    return { reason: 'match-tag', detail: said.join('; ') };
  }
  // Carrying every match tag: its type, the ignore tag or an exclude tag decided.
  if (!hasTypes) {
    // A policy without match tags would list every resource of every other type: not worth it.
    if (Object.keys(policy.matchTags).length === 0) return undefined;
    return {
      reason: 'resource-type',
      detail: `${r.type} is not one of the policy's types (${policy.resourceTypes.join(', ')})`,
    };
  }
  if (isIgnored(r.tags))
    return { reason: 'ignore-tag', detail: `${TAGS.ignore}=true excludes it from every policy` };
  const excludedBy = Object.entries(policy.excludeTags).filter(([k, v]) => r.tags[k] === v);
  return { reason: 'exclude-tag', detail: `exclude.tags: ${tagText(Object.fromEntries(excludedBy))}` };
}

/** Each policy's selection among `tagged`, in policy order; resources in the order found. */
export function explainSelection(
  policies: readonly Policy[],
  tagged: readonly TaggedResource[],
): PolicySelection[] {
  return policies.map((policy) => {
    const selected: SelectedResource[] = [];
    const excluded: ExcludedResource[] = [];
    for (const r of tagged) {
      if (policySelects(policy, r.type, r.tags)) selected.push(subjectOf(r));
      else {
        const why = exclusionOf(policy, r);
        if (why) excluded.push({ ...subjectOf(r), ...why });
      }
    }
    const types = new Set(selected.map((s) => s.resourceType));
    const idleRules =
      selected.length === 0
        ? []
        : RULE_IDS.filter(
            (rule) =>
              policy.rules[rule] !== undefined &&
              !RULE_RESOURCE_TYPES[rule].some((t) => policy.resourceTypes.includes(t) && types.has(t)),
          );
    const selection: PolicySelection = {
      policy: policy.name,
      source: `${policy.source.file}:${policy.source.line}`,
      resourceTypes: [...policy.resourceTypes],
      selected,
      excluded,
      idleRules,
    };
    return selected.length > 0
      ? selection
      : { ...selection, nothingSelected: nothingSelectedWhy(policy, selection) };
  });
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Why a policy selects nothing, in a few words (the notice, and the selection table's row). */
function nothingSelectedWhy(policy: Policy, selection: PolicySelection): string {
  const types = policy.resourceTypes.join(' or ');
  const near = selection.excluded.filter((e) => e.reason === 'match-tag');
  const left = selection.excluded.filter((e) => e.reason !== 'match-tag');
  const parts: string[] = [];
  if (left.length > 0) {
    const by = (['exclude-tag', 'ignore-tag', 'resource-type'] as const)
      .map((reason) => [reason, left.filter((e) => e.reason === reason).length] as const)
      .filter(([, n]) => n > 0)
      .map(
        ([reason, n]) =>
          `${n} by ${{ 'exclude-tag': 'exclude.tags', 'ignore-tag': 'the ignore tag', 'resource-type': 'type' }[reason]}`,
      );
    parts.push(`${count(left.length, 'candidate')} excluded (${by.join(', ')})`);
  } else if (Object.keys(policy.matchTags).length > 0)
    parts.push(`no ${types} carries ${tagText(policy.matchTags)}`);
  else parts.push(`no ${types} found`);
  const [first] = near;
  if (first) {
    const more = near.length > 1 ? ` and ${near.length - 1} more` : '';
    parts.push(`near miss: ${first.label} ${first.detail}${more}`);
  }
  return parts.join('; ');
}

/** The warnings of a plan: a policy that selects nothing, a rule that applies to none of what its policy selects. */
export function selectionNotices(
  policies: readonly Policy[],
  selections: readonly PolicySelection[],
  target: Target,
): SelectionNotice[] {
  const where = `${target.accountId}/${target.region}`;
  const notices: SelectionNotice[] = [];
  policies.forEach((policy, i) => {
    const selection = selections[i];
    if (!selection) return;
    const at = { policy: policy.name, file: policy.source.file, line: policy.source.line };
    if (selection.selected.length === 0) {
      const hint = selection.excluded.length > 0 ? ' (plan --show-selection lists them)' : '';
      notices.push({
        code: 'policy-selects-nothing',
        message: `policy "${policy.name}" (${selection.source}) selects no resource in ${where}: ${selection.nothingSelected}${hint}`,
        details: at,
      });
      return;
    }
    const selectedTypes = [...new Set(selection.selected.map((s) => s.resourceType))];
    for (const rule of selection.idleRules) {
      const location = policy.ruleLocations[rule] ?? policy.source;
      const judges = RULE_RESOURCE_TYPES[rule].filter((t) => policy.resourceTypes.includes(t));
      notices.push({
        code: 'rule-applies-to-nothing',
        message: `rule ${rule} of policy "${policy.name}" (${location.file}:${location.line}) applies to none of the ${count(selection.selected.length, 'resource')} it selects in ${where}: the rule judges ${judges.join(', ')}, the policy selects only ${selectedTypes.join(', ')}`,
        details: { ...at, rule, file: location.file, line: location.line },
      });
    }
  });
  return notices;
}
