/**
 * Waivers (spec.exceptions) against the emulator: a drifted queue that a waiver names is waived
 * (nothing written, exit 0); the day after the waiver expires the finding is back and is fixed.
 * The cycle's clock is injected (runCycle's `now`); `validate` judges the dates on the real day.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverAndPlan } from '../../src/cycle.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import { plannedActions } from '../../src/reconcile/model.js';
import { type DriftReport, reportExitCode } from '../../src/report/driftReport.js';
import {
  cli,
  reconcileOnce,
  recordingLogger,
  testClients,
  testSeeder,
  testSettings,
  useCleanEmulator,
} from '../support/harness.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

const policyText = (expires: string) => `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: enforce
  match: { tags: { team: orders } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
  exceptions:
    - resources: ["legacy-*"]
      rules: [sqs-dead-letter-queue]
      reason: retired with the old billing run
      expires: ${expires}
      ticket: OPS-7
`;

const EXPIRES = '2026-06-30';
const policySet = () => parsePolicySources([{ file: 'orders.yaml', text: policyText(EXPIRES) }]);
const at = (iso: string) => () => new Date(iso);

const dlqResult = (report: DriftReport, name: string) =>
  report.results.find((r) => r.resource.endsWith(`:${name}`) && r.rule === 'sqs-dead-letter-queue');

let seed: Seeder;
afterEach(() => seed?.destroy());

describe('a waived drifted queue', () => {
  it('is waived while the waiver holds: plan and reconcile write nothing, exit 0; after it expires it is fixed', async () => {
    seed = testSeeder();
    const legacy = await seed.queue('legacy-billing', { tags: { team: 'orders' } });

    // plan: no write planned for the waived queue.
    const aws = testClients();
    try {
      const { plan } = await discoverAndPlan(policySet(), aws, {
        settings: testSettings(),
        logger: recordingLogger().logger,
        now: at('2026-06-30T23:00:00Z'),
      });
      expect(plan.findings.map((f) => f.status)).toEqual(['waived']);
      expect(plannedActions(plan)).toEqual([]);
    } finally {
      aws.destroy();
    }

    const waived = await reconcileOnce(policySet(), { now: at('2026-06-30T23:00:00Z') });
    expect(waived.writes).toBe(0);
    expect(dlqResult(waived.report, 'legacy-billing')).toMatchObject({
      status: 'waived',
      waiver: {
        policy: 'orders',
        expires: EXPIRES,
        reason: 'retired with the old billing run',
        ticket: 'OPS-7',
      },
    });
    expect(waived.report.summary).toMatchObject({ resources: 1, waived: 1, drifted: 0 });
    expect(reportExitCode(waived.report)).toBe(0);
    expect((await seed.attributes(legacy.url)).RedrivePolicy).toBeUndefined();

    // The day after: the finding is back (dry-run says why), then fixed.
    const back = await reconcileOnce(policySet(), { now: at('2026-07-01T00:00:00Z'), dryRun: true });
    expect(dlqResult(back.report, 'legacy-billing')).toMatchObject({
      status: 'drift',
      message: expect.stringMatching(
        /^waiver expired on 2026-06-30 \(retired with the old billing run; OPS-7\): /,
      ),
      waiver: { expired: true },
    });
    expect(reportExitCode(back.report)).toBe(1);
    const fixed = await reconcileOnce(policySet(), { now: at('2026-07-01T00:00:00Z') });
    expect(dlqResult(fixed.report, 'legacy-billing')).toMatchObject({
      status: 'fixed',
      waiver: { expired: true },
    });
    expect(JSON.parse((await seed.attributes(legacy.url)).RedrivePolicy ?? '{}')).toMatchObject({
      deadLetterTargetArn: expect.stringMatching(/:legacy-billing-dlq$/),
    });
  });
});

describe('validate judges waiver dates on the day it runs', () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const write = async (expires: string) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-waivers-'));
    const file = path.join(dir, 'orders.yaml');
    await writeFile(file, policyText(expires));
    return file;
  };

  it('accepts a waiver within maxWaiverDays; rejects one in the past or too far ahead, with file:line', async () => {
    const ok = await cli(['validate', await write(day(30))]);
    expect(ok).toMatchObject({ code: 0 });

    const past = await write(day(-2));
    const expired = await cli(['validate', past]);
    expect(expired.code).toBe(2);
    expect(expired.stderr).toMatch(/orders\.yaml:15:\d+ spec\.exceptions\.0\.expires: /);
    expect(expired.stderr).toContain(`expires ${day(-2)} is in the past`);

    const far = await write(day(100));
    const tooFar = await cli(['validate', far]);
    expect(tooFar.code).toBe(2);
    expect(tooFar.stderr).toContain(
      `expires ${day(100)} is 100 days ahead; a waiver may run at most 90 days (maxWaiverDays)`,
    );
    expect((await cli(['validate', '--max-waiver-days', '120', far])).code).toBe(0);
    expect((await cli(['validate', far], { EDAGUARD_MAX_WAIVER_DAYS: '100' })).code).toBe(0);

    const bad = await cli(['validate', '--max-waiver-days', 'soon', far]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('maxWaiverDays (--max-waiver-days, EDAGUARD_MAX_WAIVER_DAYS');
  });
});
