/**
 * A rule can apply only to resources of its own types (RULE_RESOURCE_TYPES). A policy that names
 * `match.resourceTypes` without any of a rule's types has a rule that can never apply: `validate`
 * rejects it, and policies/schema.json says the same (one if/then per rule), so an editor does too.
 */
import type { z } from 'zod';
import { type ResourceType, RULE_IDS, RULE_RESOURCE_TYPES, type RuleId } from './ruleSettings.js';

/** The rules of `rules` that none of `matchTypes` lets apply; none when the types are defaulted. */
export function rulesOutsideTypes(
  matchTypes: readonly ResourceType[] | undefined,
  rules: readonly RuleId[],
): RuleId[] {
  if (matchTypes === undefined) return [];
  return rules.filter((rule) => !RULE_RESOURCE_TYPES[rule].some((t) => matchTypes.includes(t)));
}

/** The plain message of a rule that can never apply. */
export function outsideTypesMessage(rule: RuleId, matchTypes: readonly ResourceType[]): string {
  const types = RULE_RESOURCE_TYPES[rule];
  const applies = types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`;
  return `rule \`${rule}\` applies to ${applies}, which \`match.resourceTypes\` [${matchTypes.join(', ')}] does not include: it could never apply (add one of its types, or remove the rule)`;
}

interface SpecShape {
  match: { resourceTypes?: readonly ResourceType[] | undefined };
  rules: Partial<Record<RuleId, unknown>>;
}

/** zod superRefine of a policy's spec: an issue at `rules.<rule>` per rule that can never apply. */
export function checkRuleApplicability(spec: SpecShape, ctx: z.RefinementCtx): void {
  const present = RULE_IDS.filter((id) => spec.rules[id] !== undefined);
  const matchTypes = spec.match.resourceTypes;
  for (const rule of rulesOutsideTypes(matchTypes, present)) {
    ctx.addIssue({
      code: 'custom',
      path: ['rules', rule],
      message: outsideTypesMessage(rule, matchTypes ?? []),
    });
  }
}

/**
 * The same check in JSON Schema, for the spec object: no spec has a rule in `rules` while
 * `match.resourceTypes` holds none of that rule's types.
 */
export function ruleApplicabilityJsonSchema(): { allOf: Record<string, unknown>[] } {
  return {
    allOf: RULE_IDS.map((rule) => ({
      not: {
        description: `${rule} applies only to ${RULE_RESOURCE_TYPES[rule].join(', ')}: match.resourceTypes must name one of them`,
        required: ['match', 'rules'],
        properties: {
          match: {
            required: ['resourceTypes'],
            properties: { resourceTypes: { not: { contains: { enum: [...RULE_RESOURCE_TYPES[rule]] } } } },
          },
          rules: { required: [rule] },
        },
      },
    })),
  };
}
