/**
 * `spec.exceptions`: waivers. Each names resources (names, ARNs or globs) and rules; a finding of
 * those rules on those resources is `waived` until the waiver's `expires` date (UTC, inclusive):
 * it writes nothing and opens no ticket. The schema here; what a waiver does is
 * src/reconcile/waivers.ts; the dates `validate` accepts, src/policy/waiverDates.ts.
 */
import { z } from 'zod';
import { describeValue, unknownName } from './plainMessages.js';
import { RULE_IDS } from './ruleSettings.js';

const DATE_FORM = 'a date as YYYY-MM-DD, e.g. 2026-03-31';

export const PolicyExceptionSchema = z.strictObject({
  resources: z
    .array(z.string().min(1).max(2048))
    .min(1)
    .max(100)
    .describe(
      'Resources waived: names (a queue, topic, function, table, stream, rule or pipe name), ARNs, or globs of either (*, ?, [abc], {a,b}).',
    ),
  rules: z
    .array(z.enum(RULE_IDS, { error: (iss) => unknownName('rule', String(iss.input), RULE_IDS) }))
    .min(1)
    .describe("Rule ids waived on those resources; each must be one of this policy's rules."),
  reason: z.string().trim().min(1, 'a reason is required: why this drift is accepted').max(1000),
  expires: z.iso
    .date({ error: (iss) => `expected ${DATE_FORM}, got ${describeValue(iss.input)}` })
    .describe(
      'The last day (UTC) the waiver holds; the next day the finding comes back. validate rejects a date in the past or more than maxWaiverDays (default 90) ahead.',
    ),
  ticket: z.string().min(1).max(2048).optional().describe('Where the decision is tracked (a URL or a key).'),
});

export const PolicyExceptions = z
  .array(PolicyExceptionSchema)
  .max(200)
  .default([])
  .describe('Waivers: findings of these rules on these resources are reported as waived until they expire.');

export type PolicyExceptionDocument = z.infer<typeof PolicyExceptionSchema>;

/**
 * Exceptions naming a rule the policy does not have (such a waiver would waive nothing): each
 * one's path in the document and its message.
 */
export function exceptionRuleProblems(spec: {
  rules: Record<string, unknown>;
  exceptions: readonly PolicyExceptionDocument[];
}): Array<{ path: Array<string | number>; message: string }> {
  const own = RULE_IDS.filter((id) => spec.rules[id] !== undefined);
  return spec.exceptions.flatMap((exception, i) =>
    exception.rules.flatMap((rule, j) =>
      own.includes(rule)
        ? []
        : [
            {
              path: ['spec', 'exceptions', i, 'rules', j],
              message: `"${rule}" is not a rule of this policy, so there is nothing to waive (this policy's rules: ${own.join(', ')})`,
            },
          ],
    ),
  );
}

/**
 * exceptionRuleProblems in JSON Schema (policies/schema.json says what the CLI says): for each
 * rule, not (an exception names it and spec.rules lacks it).
 */
export function exceptionRulesJsonSchema(): { allOf: Record<string, unknown>[] } {
  return {
    allOf: RULE_IDS.map((rule) => ({
      not: {
        description: `an exception names ${rule}, which is not a rule of this policy`,
        required: ['exceptions'],
        properties: {
          exceptions: {
            contains: { required: ['rules'], properties: { rules: { contains: { const: rule } } } },
          },
          rules: { not: { required: [rule] } },
        },
      },
    })),
  };
}
