import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/apply.js';
import { discoverAndPlan } from '../../src/cycle.js';
import { listPolicyFiles, loadPolicyDir, parsePolicySources } from '../../src/policy/loader.js';
import type { PolicySet } from '../../src/policy/model.js';
import {
  reconcileOnce,
  recordingLogger,
  testClients,
  testSeeder,
  testSettings,
  useCleanEmulator,
} from '../support/harness.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';
import { type Seeder, snapshotAccount } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

const cycle = async (options: { dryRun?: boolean; maxChanges?: number; policies?: PolicySet } = {}) =>
  reconcileOnce(options.policies ?? (await loadPolicyDir(SANDBOX_POLICY_DIR)), {
    ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
    ...(options.maxChanges !== undefined ? { settings: { maxChanges: options.maxChanges } } : {}),
  });

/** The sandbox policies, every one switched to audit. */
const auditPolicies = async () => {
  const { readFile } = await import('node:fs/promises');
  const files = await listPolicyFiles(SANDBOX_POLICY_DIR);
  return parsePolicySources(
    await Promise.all(
      files.map(async (file) => ({
        file,
        text: (await readFile(file, 'utf8')).replaceAll('enforcement: enforce', 'enforcement: audit'),
      })),
    ),
  );
};

describe('safety rails against the emulator', () => {
  it('dry-run and audit write nothing and report the same findings as enforce', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const before = await snapshotAccount(seed);

    const dry = await cycle({ dryRun: true });
    const audit = await cycle({ policies: await auditPolicies() });
    expect(dry.writes).toBe(0);
    expect(audit.writes).toBe(0);
    expect(await snapshotAccount(seed)).toEqual(before);
    expect(dry.report.dryRun).toBe(true);
    expect(
      dry.log.lines().some((l) => String(l.msg).startsWith('DRY-RUN: would CreateQueue orders-dlq')),
    ).toBe(true);
    expect(audit.log.lines().some((l) => String(l.msg).startsWith('AUDIT: would'))).toBe(true);

    const findings = (r: typeof dry.report) =>
      r.results.map((x) => [x.resource, x.rule, x.status, x.desired]);
    expect(findings(audit.report)).toEqual(findings(dry.report));

    const enforced = await cycle();
    const key = (r: typeof dry.report) => r.results.map((x) => [x.resource, x.rule, x.desired]);
    // Enforce acts on exactly what dry-run reported: same findings, drift turned into fixed.
    expect(key(enforced.report)).toEqual(key(dry.report));
    expect(enforced.report.results.map((x) => (x.status === 'fixed' ? 'drift' : x.status))).toEqual(
      dry.report.results.map((x) => x.status),
    );
  });

  it('never touches ignored, excluded or untagged queues', async () => {
    seed = testSeeder();
    const sandbox = await seedSandbox(seed);
    const outOfScope = [sandbox.legacy, sandbox.ordersDev, sandbox.scratch];
    const before = await snapshotAccount(seed);
    const { report } = await cycle();
    const after = await snapshotAccount(seed);
    for (const arn of outOfScope) {
      const url = Object.keys(before).find((u) => u.endsWith(`/${arn.split(':').pop()}`)) as string;
      expect(after[url]).toEqual(before[url]);
      expect(report.results.some((r) => r.resource === arn)).toBe(false);
    }
    expect(Object.keys(after).some((u) => /(legacy-import|orders-dev|scratch)-dlq$/.test(u))).toBe(false);
  });

  it('a converged account: the second reconcile makes zero write calls', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const first = await cycle();
    expect(first.writes).toBe(39);
    const second = await cycle();
    expect(second.writes).toBe(0);
    expect(second.report.summary.fixed).toBe(0);
  });

  it('defers what does not fit in the change budget, whole findings at a time, and finishes it next cycle', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const limited = await cycle({ maxChanges: 3 });
    expect(limited.writes).toBeLessThanOrEqual(3);
    expect(limited.report.summary.deferred).toBeGreaterThan(0);
    // A finding that needs CreateQueue + SetQueueAttributes never runs half.
    for (const r of limited.report.results.filter((x) => x.rule === 'sqs-dead-letter-queue')) {
      expect(['fixed', 'deferred', 'pass', 'skipped']).toContain(r.status);
    }
    const rest = await cycle();
    expect(rest.report.summary.deferred).toBe(0);
    expect(limited.writes + rest.writes).toBe(39);
  });

  it('a failure on one resource is reported for it and the others are still fixed', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const aws = testClients();
    const log = recordingLogger();
    try {
      const { plan } = await discoverAndPlan(await loadPolicyDir(SANDBOX_POLICY_DIR), aws, {
        settings: testSettings(),
        logger: log.logger,
      });
      // The queue vanishes between plan and apply.
      const shipping = plan.findings.find((f) => f.resource.endsWith(':shipping') && f.status === 'drift');
      const firstWrite = shipping?.actions[0];
      expect(firstWrite?.kind).toBe('SetQueueAttributes');
      await seed.sqs.send(
        new DeleteQueueCommand({ QueueUrl: (firstWrite as { queueUrl: string }).queueUrl }),
      );
      const results = await applyPlan(plan, aws, {
        dryRun: false,
        maxChanges: 100,
        concurrency: 2,
        verifyAttempts: 1,
        verifyDelayMs: 0,
        endpoint: testSettings().endpoint,
        logger: log.logger,
      });
      const status = (name: string, rule: string) =>
        results.find((r) => r.finding.resource.endsWith(`:${name}`) && r.finding.rule === rule)?.status;
      // Deleted meanwhile: reported for that queue (deferred: the next cycle no longer sees it), not failed.
      expect(status('shipping', 'sqs-dead-letter-queue')).toBe('deferred');
      expect(results.find((r) => r.finding.resource.endsWith(':shipping'))?.message).toMatch(
        /deleted after discovery; edaguard does not recreate it/,
      );
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
      expect(status('orders', 'sqs-dead-letter-queue')).toBe('fixed');
      expect(status('payments.fifo', 'sqs-dead-letter-queue')).toBe('fixed');
      expect(status('invoices-dlq', 'sqs-dlq-retention')).toBe('fixed');
    } finally {
      aws.destroy();
    }
  });
});

describe('the audit trail', () => {
  it('logs one JSON line per decision, with the cycle id, resource, rule, status, before and after', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const { report, log } = await cycle();
    const decisions = log.lines().filter((l) => l.decision !== undefined && l.decision !== 'write');
    // Every result has exactly one decision line, carrying its final status.
    expect(decisions).toHaveLength(report.results.length);
    const cycleIds = new Set(decisions.map((l) => l.cycleId));
    expect(cycleIds.size).toBe(1);
    for (const r of report.results) {
      const line = decisions.find((l) => l.resource === r.resource && l.rule === r.rule);
      expect(line, `${r.resource} ${r.rule}`).toMatchObject({
        status: r.status,
        before: r.observed,
        after: r.desired,
      });
    }
    // And every write has its own line with the outcome.
    const writes = log.lines().filter((l) => l.decision === 'write');
    expect(writes.length).toBe(
      report.awsCalls
        .filter((c) => /^(Create|Set|Update|Put|Increase)/.test(c.operation))
        .reduce((n, c) => n + c.count, 0),
    );
    expect(
      writes.every((l) => l.outcome === 'ok' && typeof l.write === 'string' && l.cycleId !== undefined),
    ).toBe(true);
  });
});
