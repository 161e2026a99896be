/**
 * Issue #14 (Explainable), on the emulator: `plan` warns when a policy selects nothing (a typo in
 * a tag value) or a rule applies to none of what its policy selects, on stderr and as notices in
 * JSON, without changing the exit code; `plan --show-selection` lists per policy what it selects
 * and what it leaves out, and why; the same over a config file's targets.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/report/driftReport.js';
import type { PolicySelection } from '../../src/report/selection.js';
import { cli, emulatorEndpoint, testSeeder, useCleanEmulator } from '../support/harness.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';
import { redrive, type Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder | undefined;
const open: Array<{ destroy(): void }> = [];
afterEach(() => {
  seed?.destroy();
  seed = undefined;
  for (const c of open.splice(0)) c.destroy();
});

const policy = (name: string, spec: string) => `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: ${name} }
spec:
${spec}`;

/** orders: right, with a rule for functions it has none of; typo: team=ordres. */
async function policyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-selection-'));
  await writeFile(
    path.join(dir, 'orders.yaml'),
    policy(
      'orders',
      `  match: { tags: { team: orders } }
  exclude: { tags: { stage: dev } }
  rules:
    sqs-dead-letter-queue: {}
    esm-partial-batch-response: {}
`,
    ),
  );
  await writeFile(
    path.join(dir, 'typo.yaml'),
    policy('typo', '  match: { tags: { team: ordres } }\n  rules:\n    sqs-dlq-retention: {}\n'),
  );
  return dir;
}

/** Queues of team orders: one compliant (a DLQ in range), one excluded, one ignored; and billing's. */
async function seedQueues(s: Seeder): Promise<void> {
  const dlq = await s.queue('orders-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
  await s.queue('orders', { tags: { team: 'orders' }, attributes: { RedrivePolicy: redrive(dlq.arn, 5) } });
  await s.queue('orders-dev', { tags: { team: 'orders', stage: 'dev' } });
  await s.queue('orders-legacy', { tags: { team: 'orders', 'edaguard.dev/ignore': 'true' } });
  await s.queue('billing', { tags: { team: 'billing' } });
}

const byPolicy = (selection: readonly PolicySelection[] | undefined, name: string) =>
  selection?.find((s) => s.policy === name);

describe('plan: selection warnings and --show-selection', () => {
  it('warns on stderr and in JSON; a warning does not change the exit code', async () => {
    seed = testSeeder();
    await seedQueues(seed);
    const dir = await policyDir();

    const table = await cli(['plan', '--policies', dir], { COLUMNS: '100' });
    expect(table.code, table.stderr).toBe(0);
    // One warning each, wrapped to the width: continuation lines are indented.
    const stderr = table.stderr.replace(/\n {2}/g, ' ');
    const warnings = stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toHaveLength(2);
    expect(stderr).toMatch(
      /^warning: rule esm-partial-batch-response of policy "orders" \(.*orders\.yaml:9\) applies to none of the 1 resource it selects in 123456789012\/us-east-1: the rule judges lambda:function, the policy selects only sqs:queue$/m,
    );
    expect(stderr).toMatch(
      /^warning: policy "typo" \(.*typo\.yaml:1\) selects no resource in 123456789012\/us-east-1:/m,
    );
    expect(stderr).toContain(
      'no sqs:queue carries team=ordres; near miss: orders has team=orders, match.tags wants team=ordres',
    );
    expect(table.stdout).toContain('No changes to what the policies select, but 2 warning(s) on stderr');
    expect(table.stdout).not.toContain('Selection:');

    const json = await cli(['plan', '--policies', dir, '--output', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DriftReport;
    expect(report.notices?.map((n) => [n.code, (n.details as { policy: string }).policy])).toEqual([
      ['rule-applies-to-nothing', 'orders'],
      ['policy-selects-nothing', 'typo'],
    ]);
    expect(report.selection).toBeUndefined();
  });

  it('the sandbox policies on the seeded sandbox: no warning (every policy and rule selects something)', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const run = await cli(['plan', '--policies', SANDBOX_POLICY_DIR, '--output', 'json']);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('warning: '))).toEqual([]);
    expect((JSON.parse(run.stdout) as DriftReport).notices).toBeUndefined();
  });

  it('--show-selection: what each policy selects and leaves out, and why, in the table and in JSON', async () => {
    seed = testSeeder();
    await seedQueues(seed);
    const dir = await policyDir();

    const json = await cli(['plan', '--policies', dir, '--show-selection', '--output', 'json']);
    expect(json.code).toBe(0);
    const { selection } = JSON.parse(json.stdout) as DriftReport;
    const orders = byPolicy(selection, 'orders');
    expect(orders?.selected.map((s) => s.label)).toEqual(['orders']);
    expect(orders?.excluded.map((e) => [e.label, e.reason]).sort()).toEqual([
      ['orders-dev', 'exclude-tag'],
      ['orders-legacy', 'ignore-tag'],
    ]);
    expect(orders?.idleRules).toEqual(['esm-partial-batch-response']);
    const typo = byPolicy(selection, 'typo');
    expect(typo?.selected).toEqual([]);
    expect(typo?.nothingSelected).toMatch(/^no sqs:queue carries team=ordres/);
    expect(typo?.excluded.map((e) => e.reason)).toEqual(['match-tag', 'match-tag', 'match-tag']);

    const table = await cli(['plan', '--policies', dir, '--show-selection'], { COLUMNS: '80' });
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    const selectionAt = lines.findIndex((l) => l.startsWith('Selection: '));
    expect(selectionAt).toBeGreaterThan(0);
    const rows = lines.slice(selectionAt);
    expect(rows.some((l) => /^orders\s+orders\s+selected$/.test(l))).toBe(true);
    expect(rows.some((l) => /^orders\s+orders-dev\s+exclude tag\s+exclude\.tags: stage=dev$/.test(l))).toBe(
      true,
    );
    expect(
      rows.some((l) => /^orders\s+orders-legacy\s+ignore tag\s+edaguard\.dev\/ignore=true/.test(l)),
    ).toBe(true);
    expect(rows.some((l) => /^typo\s+-\s+nothing\s+no sqs:queue carries team=ordres/.test(l))).toBe(true);
  });

  it('over a config file’s targets: each target’s warnings name it; JSON keeps each target’s selection', async () => {
    const account = '111111111111';
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: emulatorEndpoint(),
      credentials: fromTemporaryCredentials({
        masterCredentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        params: { RoleArn: `arn:aws:iam::${account}:role/seeder`, RoleSessionName: 'seed' },
        clientConfig: { region: 'us-east-1', endpoint: emulatorEndpoint() },
      }),
    });
    open.push(sqs);
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    await sqs.send(
      new CreateQueueCommand({
        QueueName: 'orders',
        tags: { team: 'orders' },
        Attributes: { RedrivePolicy: redrive(dlqArn, 5) },
      }),
    );
    const dir = await policyDir();
    const config = path.join(await mkdtemp(path.join(tmpdir(), 'edaguard-selection-cfg-')), 'edaguard.yaml');
    await mkdir(path.dirname(config), { recursive: true });
    await writeFile(
      config,
      `region: us-east-1\ntargets:\n  regions: [us-east-1]\n  roleName: edaguard\n  accounts: ["${account}"]\n`,
    );

    const args = ['plan', '--policies', dir, '--config', config, '--show-selection'];
    const table = await cli(args, { COLUMNS: '100' });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr.replace(/\n {2}/g, ' ')).toMatch(
      /^warning: policy "typo" \(.*\) selects no resource in 111111111111\/us-east-1/m,
    );
    expect(table.stdout).toMatch(/^== 111111111111\/us-east-1 ==$/m);
    expect(table.stdout).toMatch(/^orders\s+orders\s+selected$/m);

    const json = await cli([...args, '--output', 'json']);
    const report = JSON.parse(json.stdout) as {
      notices?: Array<{ target: string; code: string }>;
      targets: Array<{ target: string; selection?: PolicySelection[] }>;
    };
    expect(report.notices?.map((n) => [n.target, n.code])).toEqual([
      [`${account}/us-east-1`, 'rule-applies-to-nothing'],
      [`${account}/us-east-1`, 'policy-selects-nothing'],
    ]);
    expect(byPolicy(report.targets[0]?.selection, 'orders')?.selected.map((s) => s.label)).toEqual([
      'orders',
    ]);
  });
});
