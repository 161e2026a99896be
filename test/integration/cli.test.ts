import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, testSeeder, useCleanEmulator } from '../support/harness.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';
import { type Seeder, snapshotAccount } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

async function brokenPolicyDir(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-broken-'));
  const file = path.join(dir, 'team', 'orders.yaml');
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file)));
  await writeFile(
    file,
    `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: enforce
  match: { tags: { team: orders } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 9 }
`,
  );
  return { dir, file };
}

describe('edaguard CLI', () => {
  it('a broken policy exits 2 with file, line and field, and writes nothing', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const before = await snapshotAccount(seed);
    const { dir, file } = await brokenPolicyDir();

    for (const args of [
      ['validate', dir],
      ['plan', '--policies', dir],
      ['reconcile', '--once', '--policies', dir],
    ]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(`${path.relative(process.cwd(), file)}:9:`);
      expect(run.stderr).toContain('spec.rules.sqs-dead-letter-queue.maxReceiveCount.default');
    }
    expect(await snapshotAccount(seed)).toEqual(before);
  });

  it('validate --format github prints workflow annotations', async () => {
    const { dir, file } = await brokenPolicyDir();
    const run = await cli(['validate', dir, '--format', 'github']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      new RegExp(
        `^::error file=${path.relative(process.cwd(), file)},line=9,col=\\d+,title=edaguard policy::spec\\.rules`,
      ),
    );
  });

  it('validate accepts the example policy (exit 0)', async () => {
    const run = await cli(['validate', SANDBOX_POLICY_DIR, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      valid: true,
      policies: [
        'orders-alarms',
        'orders-async-edges',
        'orders-functions',
        'orders-idempotency',
        'orders-ordering',
        'orders',
      ],
      files: [
        expect.stringContaining('orders-alarms.yaml'),
        expect.stringContaining('orders-async-edges.yaml'),
        expect.stringContaining('orders-lambda.yaml'),
        expect.stringContaining('orders.yaml'),
      ],
    });
  });

  it('plan shows what would change, exits 1 on drift, and writes nothing', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const before = await snapshotAccount(seed);
    const run = await cli(['plan', '--policies', SANDBOX_POLICY_DIR]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('CreateQueue orders-dlq');
    expect(run.stdout).toContain('CreateQueue payments-dlq.fifo');
    expect(run.stdout).toContain('{"VisibilityTimeout":"360"}');
    // --fail-on: drift fails a `drift` job too; `never` always passes; an unknown value is bad input.
    expect((await cli(['plan', '--policies', SANDBOX_POLICY_DIR, '--fail-on', 'drift'])).code).toBe(1);
    expect((await cli(['plan', '--policies', SANDBOX_POLICY_DIR, '--fail-on', 'never'])).code).toBe(0);
    const bad = await cli(['plan', '--policies', SANDBOX_POLICY_DIR, '--fail-on', 'tickets']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fail-on/);
    expect(await snapshotAccount(seed)).toEqual(before);
  });

  it('plan --output json is the DriftReport of reconcile --dry-run (dryRun true, planned writes); -o wide fits COLUMNS', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const plan = await cli(['plan', '--policies', SANDBOX_POLICY_DIR, '-o', 'json']);
    expect(plan.code).toBe(1);
    const report = JSON.parse(plan.stdout);
    expect(report).toMatchObject({ apiVersion: 'edaguard.dev/v1alpha1', kind: 'DriftReport', dryRun: true });
    const dry = JSON.parse(
      (await cli(['reconcile', '--once', '--dry-run', '--policies', SANDBOX_POLICY_DIR, '-o', 'json']))
        .stdout,
    );
    expect(report.summary).toEqual(dry.summary);
    const key = (r: { rule: string; resource: string; status: string; writes?: string[] }) =>
      `${r.rule}|${r.resource}|${r.status}|${(r.writes ?? []).join(';')}`;
    expect(report.results.map(key).sort()).toEqual(dry.results.map(key).sort());
    expect(report.results).toContainEqual(
      expect.objectContaining({
        status: 'drift',
        writes: expect.arrayContaining([expect.stringMatching(/^CreateQueue orders-dlq /)]),
      }),
    );
    // The table at 80 columns: no line wider, ARNs with -o wide, and it writes nothing either way.
    const wide = await cli(['plan', '--policies', SANDBOX_POLICY_DIR, '-o', 'wide'], { COLUMNS: '80' });
    expect(Math.max(...wide.stdout.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(wide.stdout).toContain('arn:aws:sqs:us-east-1:123456789012:orders');
    expect(wide.stdout).toMatch(
      /^Plan for 123456789012\/us-east-1: \d+ resource\(s\): \d+ compliant, 0 fixed, /,
    );
  });

  it('reconcile --output json prints a DriftReport; --dry-run exits 1 while drift remains', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const dry = await cli([
      'reconcile',
      '--once',
      '--dry-run',
      '--policies',
      SANDBOX_POLICY_DIR,
      '--output',
      'json',
    ]);
    expect(dry.code).toBe(1);
    const report = JSON.parse(dry.stdout);
    expect(report).toMatchObject({ apiVersion: 'edaguard.dev/v1alpha1', kind: 'DriftReport', dryRun: true });
    expect(report.summary).toEqual({
      resources: 29,
      compliant: 4,
      drifted: 21,
      fixed: 0,
      failed: 0,
      deferred: 0,
      tickets: 4,
      waived: 0,
    });
    for (const r of report.results) {
      const keys = Object.keys(r);
      expect(keys).toEqual(
        expect.arrayContaining([
          'desired',
          'message',
          'observed',
          'policy',
          'resource',
          'resourceType',
          'rule',
          'status',
        ]),
      );
      // Optional: the mapping's label, audit enforcement, the writes that fix it.
      for (const k of keys)
        expect([
          'desired',
          'message',
          'observed',
          'policy',
          'resource',
          'resourceType',
          'rule',
          'status',
          'label',
          'enforcement',
          'writes',
        ]).toContain(k);
    }
  });

  it('bad runtime settings exit 2 with the setting named', async () => {
    const run = await cli(['reconcile', '--once', '--policies', SANDBOX_POLICY_DIR, '--max-changes', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--max-changes must be an integer');
  });
});
