/**
 * The `targets` key of the config file: which accounts (listed, or read from an organisation) and
 * which regions one deployment governs, and the role it assumes in each account.
 */
import { isCollection, type Node } from 'yaml';
import { z } from 'zod';

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const accountId = z
  .string({
    error: 'must be a quoted 12-digit account id ("111111111111"): YAML reads a bare one as a number',
  })
  .regex(ACCOUNT_ID, 'must be a 12-digit account id');

export const OrganizationTargetsSchema = z.strictObject({
  /** Roots (r-…) or organisational units (ou-…): their accounts, and those of every OU beneath. */
  parentIds: z
    .array(
      z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/, 'must be a root or OU id'),
    )
    .min(1, 'needs at least one root or OU id'),
  /** Only accounts carrying every one of these tags. */
  accountTags: z.record(z.string().min(1), z.string()).optional(),
});

export const TargetsConfigSchema = z
  .strictObject({
    regions: z
      .array(z.string().regex(REGION, 'must be a region such as us-east-1'))
      .min(1, 'needs at least one region'),
    roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name'),
    externalId: z
      .literal('from-env', { error: 'must be "from-env": the value comes from EDAGUARD_EXTERNAL_ID' })
      .optional(),
    accounts: z.array(accountId).min(1, 'needs at least one account').optional(),
    organization: OrganizationTargetsSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if ((value.accounts === undefined) === (value.organization === undefined))
      ctx.addIssue({ code: 'custom', message: 'give either accounts or organization, not both nor neither' });
  });

export type TargetsConfig = z.infer<typeof TargetsConfigSchema>;
export type OrganizationTargets = z.infer<typeof OrganizationTargetsSchema>;

/** The deepest node of `path` under `node` that exists (a missing field is reported at its parent). */
function nodeAt(node: Node, path: readonly PropertyKey[]): Node {
  for (let depth = path.length; depth > 0; depth -= 1) {
    if (!isCollection(node)) break;
    const found = node.getIn(path.slice(0, depth) as unknown[], true) as Node | undefined;
    if (found && typeof found === 'object' && 'range' in found) return found;
  }
  return node;
}

/**
 * Checks the `targets` node of a config file; `at` turns a text offset into `file:line:column`.
 * Every problem is listed, each with its line and field.
 */
export function parseTargetsNode(
  node: Node | null | undefined,
  at: (offset: number | undefined) => string,
  keyOffset: number | undefined,
): { targets: TargetsConfig } | { errors: string[] } {
  if (!node) return { errors: [`${at(keyOffset)}: targets: expected a mapping`] };
  const result = TargetsConfigSchema.safeParse(node.toJSON());
  if (result.success) return { targets: result.data };
  return {
    errors: result.error.issues.map((issue) => {
      const field = ['targets', ...issue.path.map(String)].join('.');
      return `${at(nodeAt(node, issue.path).range?.[0])}: ${field}: ${issue.message}`;
    }),
  };
}
