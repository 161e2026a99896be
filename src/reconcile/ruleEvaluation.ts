import { isDeepStrictEqual } from 'node:util';
import type { Policy } from '../policy/model.js';
import type { ResourceType, RuleId, RuleSettings } from '../policy/ruleSettings.js';
import { policyGoverns } from '../policy/selectors.js';
import type { Finding, FindingResourceType } from './model.js';
import type { RuleVerdict } from './rules/verdict.js';

/** The policies (in policy-set order) that select a resource of `type` with these tags. */
export type SelectingPolicies = (type: ResourceType, tags: Readonly<Record<string, string>>) => Policy[];

type Governance<R extends RuleId> =
  | { kind: 'none' }
  | { kind: 'conflict'; policies: Policy[] }
  | { kind: 'governed'; settings: RuleSettings[R]; policies: Policy[] };

/**
 * Which settings apply for `rule`: those of the policies that have it. Policies that agree act
 * together (audit if any says audit); policies that disagree make a conflict, and nothing is written.
 */
export function resolveRule<R extends RuleId>(policies: readonly Policy[], rule: R): Governance<R> {
  const having = policies.filter((p) => p.rules[rule] !== undefined);
  const first = having[0];
  if (!first) return { kind: 'none' };
  if (having.some((p) => !isDeepStrictEqual(p.rules[rule], first.rules[rule]))) {
    return { kind: 'conflict', policies: having };
  }
  return { kind: 'governed', settings: first.rules[rule] as RuleSettings[R], policies: having };
}

const enforcementOf = (policies: readonly Policy[]) =>
  policies.every((p) => p.enforcement === 'enforce') ? 'enforce' : 'audit';
const namesOf = (policies: readonly Policy[]) => policies.map((p) => p.name).join(',');

function finding(
  resource: string,
  resourceType: FindingResourceType,
  rule: RuleId,
  policies: readonly Policy[],
  verdict: RuleVerdict,
): Finding {
  return {
    resource,
    resourceType,
    policy: namesOf(policies),
    rule,
    status: verdict.status,
    observed: verdict.observed,
    desired: verdict.desired,
    message: verdict.message,
    enforcement: enforcementOf(policies),
    actions: verdict.actions ?? [],
  };
}

function conflictFinding(
  resource: string,
  resourceType: FindingResourceType,
  rule: RuleId,
  policies: readonly Policy[],
): Finding {
  return {
    resource,
    resourceType,
    policy: namesOf(policies),
    rule: 'policy-conflict',
    status: 'drift',
    observed: { rule, settings: Object.fromEntries(policies.map((p) => [p.name, p.rules[rule]])) },
    desired: null,
    message: `policies ${policies.map((p) => `"${p.name}"`).join(', ')} set ${rule} differently here; nothing is written until they agree`,
    enforcement: 'audit',
    actions: [],
  };
}

/** What a rule is evaluated on, with the tags that tell who owns it. */
export interface Subject {
  resource: string;
  resourceType: FindingResourceType;
  tags: Readonly<Record<string, string>>;
  /** For reports, where the ARN does not name it (see Finding.label). */
  label?: string;
}

/**
 * Evaluates one rule on one resource under the policies that select it, and adds its finding (or
 * the policies' conflict) to `findings`. Returns the verdict the finding was made from, if any.
 */
export function evaluate<R extends RuleId>(
  findings: Finding[],
  selecting: readonly Policy[],
  type: ResourceType,
  rule: R,
  subject: Subject,
  verdictFor: (settings: RuleSettings[R]) => RuleVerdict | undefined,
): RuleVerdict | undefined {
  const governance = resolveRule(
    selecting.filter((p) => policyGoverns(p, rule, type)),
    rule,
  );
  const labelled = (f: Finding): Finding => (subject.label ? { ...f, label: subject.label } : f);
  if (governance.kind === 'conflict') {
    findings.push(
      labelled(conflictFinding(subject.resource, subject.resourceType, rule, governance.policies)),
    );
  }
  if (governance.kind !== 'governed') return undefined;
  const planned = verdictFor(governance.settings);
  const verdict = planned && ownedElsewhere(planned, subject.tags, governance.policies);
  if (verdict)
    findings.push(
      labelled(finding(subject.resource, subject.resourceType, rule, governance.policies, verdict)),
    );
  return verdict;
}

/**
 * A resource that infrastructure as code owns (a tag the policy names, such as
 * aws:cloudformation:stack-name) gets a ticket instead of a fix: the stack would revert it.
 */
function ownedElsewhere(
  verdict: RuleVerdict,
  tags: Readonly<Record<string, string>>,
  policies: readonly Policy[],
): RuleVerdict {
  if (verdict.status !== 'drift' || !verdict.actions?.length) return verdict;
  const key = policies.flatMap((p) => p.ticketWhenTagged).find((k) => tags[k] !== undefined);
  if (key === undefined) return verdict;
  return {
    ...verdict,
    status: 'ticket',
    actions: [],
    message: `owned by ${key}=${tags[key]}: change it there, not here (a fix here would be reverted). ${verdict.message}`,
  };
}
