/**
 * deploy/iam/edaguard-member-role.yaml, the member-account role deployed as a StackSet, against
 * deploy/iam/edaguard-policy.json: the role grants exactly the policy's member-account statements
 * (so a permission added for the controller fails here until the role has it too), and only the
 * controller's role, with the external id, may assume it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_STATE_TABLE } from '../../src/config/serviceSettingsTable.js';
import { TargetsConfigSchema } from '../../src/targets/schema.js';

const TEMPLATE_FILE = 'deploy/iam/edaguard-member-role.yaml';
const POLICY_FILE = 'deploy/iam/edaguard-policy.json';
const inRepo = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: unknown;
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed template is untyped
const template = parseYaml(readFileSync(inRepo(TEMPLATE_FILE), 'utf8')) as any;
const role = template.Resources.MemberRole;
const policyStatements = (JSON.parse(readFileSync(inRepo(POLICY_FILE), 'utf8')) as { Statement: Statement[] })
  .Statement;
const roleStatements: Statement[] = role.Properties.Policies.flatMap(
  (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement,
);

/**
 * What only the controller's own account needs: assuming the member roles, reading the
 * organisation, and the state table (lease and fix history live with the controller).
 */
const isHomeAccountOnly = (s: Statement) =>
  s.Resource === `arn:aws:dynamodb:*:*:table/${DEFAULT_STATE_TABLE}` ||
  s.Action.every((a) => a.startsWith('sts:') || a.startsWith('organizations:'));

const memberStatements = policyStatements.filter((s) => !isHomeAccountOnly(s));
const actionsOf = (statements: Statement[]) => new Set(statements.flatMap((s) => s.Action));

const HAS_CFN_LINT = (() => {
  const out = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return out.error === undefined && out.status === 0;
})();

describe(TEMPLATE_FILE, () => {
  it.skipIf(!HAS_CFN_LINT)('passes cfn-lint (skipped only when cfn-lint is not installed)', () => {
    const out = spawnSync('cfn-lint', ['--format', 'parseable', inRepo(TEMPLATE_FILE)], { encoding: 'utf8' });
    expect(out.stdout + out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  it('grants exactly the member-account statements of edaguard-policy.json', () => {
    const granted = actionsOf(roleStatements);
    const needed = actionsOf(memberStatements);
    expect(needed.size).toBeGreaterThan(20);
    expect(
      [...needed].filter((a) => !granted.has(a)).sort(),
      `in ${POLICY_FILE} but not in the role`,
    ).toEqual([]);
    expect(
      [...granted].filter((a) => !needed.has(a)).sort(),
      `in the role but not in ${POLICY_FILE}`,
    ).toEqual([]);
    // The same resources and conditions too (the alarm prefix, the managed-by tag, PassRole's services).
    expect(roleStatements).toEqual(memberStatements);
  });

  it('leaves out only the controller’s AssumeRole, Organizations reads and state table', () => {
    const left = policyStatements.filter(isHomeAccountOnly);
    expect(left.map((s) => s.Sid).sort()).toEqual([
      'AssumeMemberAccountRole',
      'LeaderLeaseAndFixHistory',
      'ListOrganizationTargets',
    ]);
    const granted = [...actionsOf(roleStatements)];
    expect(granted.filter((a) => a.startsWith('sts:') || a.startsWith('organizations:'))).toEqual([]);
    expect(JSON.stringify(roleStatements)).not.toContain(`table/${DEFAULT_STATE_TABLE}`);
  });

  it('is assumable only by the controller’s role, with the external id', () => {
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      {
        Sid: 'EdaguardControllerOnly',
        Effect: 'Allow',
        Principal: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub placeholders
          AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${ControllerAccountId}:role/${ControllerRoleName}' },
        },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
      },
    ]);
    // No wildcard principal anywhere, in any form.
    expect(JSON.stringify(trust.map((s: Statement & { Principal: unknown }) => s.Principal))).not.toContain(
      '*',
    );
    expect(template.Parameters.ExternalId.NoEcho).toBe(true);
    const accountId = new RegExp(template.Parameters.ControllerAccountId.AllowedPattern);
    expect(['111111111111', '11111111111', '*', '1111111111112'].map((v) => accountId.test(v))).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('is named as the controller may assume (targets.roleName), without a path, and outputs its ARN', () => {
    const assumable = policyStatements.find((s) => s.Sid === 'AssumeMemberAccountRole')?.Resource;
    const roleName = template.Parameters.RoleName.Default;
    expect(assumable).toBe(`arn:aws:iam::*:role/${roleName}`);
    expect(role.Properties.RoleName).toEqual({ Ref: 'RoleName' });
    expect(role.Properties.Path ?? '/').toBe('/');
    const targets = { regions: ['us-east-1'], roleName, accounts: ['111111111111'] };
    expect(TargetsConfigSchema.safeParse(targets).success).toBe(true);
    expect(template.Outputs.RoleArn.Value).toEqual({ 'Fn::GetAtt': ['MemberRole', 'Arn'] });
  });

  it('keeps the inline policy under IAM’s 10,240-character limit for a role’s inline policies', () => {
    const size = role.Properties.Policies.map(
      (p: { PolicyName: string; PolicyDocument: unknown }) => JSON.stringify(p.PolicyDocument).length,
    ).reduce((a: number, b: number) => a + b, 0);
    expect(size).toBeLessThan(10_240);
  });
});
