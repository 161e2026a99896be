/**
 * The `edaguard run` loop in-process against the emulator: the first cycle at start, a fast
 * cron schedule, single-flight, policy reloads with the last valid set kept, the change cap,
 * the cycle timeout, and what /readyz and /metrics say about each.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type CycleDeadline, cycleDeadline } from '../../src/runtime/cycleTimeout.js';
import { manualTicker } from '../../src/runtime/scheduler.js';
import { testSeeder, useCleanEmulator } from '../support/harness.js';
import {
  dlqPolicy,
  INVALID_POLICY,
  metric,
  nextCycle,
  policyDir,
  scrape,
  testController,
  waitFor,
} from '../support/runtime.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

async function seedQueues(names: string[], team = 'runtime') {
  seed = testSeeder();
  return Promise.all(names.map((name) => seed.queue(name, { tags: { team } })));
}

const hasRedrive = async (url: string) =>
  (await seed.attributes(url, ['RedrivePolicy'])).RedrivePolicy !== undefined;

describe('edaguard run: the loop', () => {
  it('reconciles at start, then on a fast cron schedule; cycles never overlap; a converged account gets zero writes', async () => {
    const [a, b] = await seedQueues(['loop-a', 'loop-b']);
    const { dir } = await policyDir();
    const { controller, cycles } = testController({ policies: dir, schedule: '* * * * * *' });
    await controller.start();
    await waitFor(() => cycles.length >= 3, 'three cycles', 20_000);

    expect(cycles[0]?.trigger).toBe('start');
    expect(cycles.slice(1).every((c) => c.trigger === 'schedule')).toBe(true);
    expect(cycles.every((c) => c.outcome === 'success')).toBe(true);
    expect(cycles[0]?.report?.summary).toMatchObject({ resources: 2, fixed: 2 });
    for (const later of cycles.slice(1)) {
      expect(later.report?.summary).toMatchObject({ resources: 2, compliant: 2, fixed: 0 });
      expect(later.report?.awsCalls.filter((c) => /^(Create|Set)/.test(c.operation))).toEqual([]);
    }
    // Never two at once: each cycle starts after the previous one finished.
    for (let i = 1; i < cycles.length; i++) {
      expect((cycles[i]?.startedAt.getTime() ?? 0) >= (cycles[i - 1]?.finishedAt.getTime() ?? 0)).toBe(true);
    }
    expect(await hasRedrive(a?.url as string)).toBe(true);
    expect(await hasRedrive(b?.url as string)).toBe(true);

    const text = await scrape(controller.httpUrl as string);
    expect(metric(text, 'edaguard_cycles_total', { outcome: 'success' })).toBeGreaterThanOrEqual(3);
    expect(
      metric(text, 'edaguard_cycle_duration_seconds_count', { outcome: 'success' }),
    ).toBeGreaterThanOrEqual(3);
    expect(metric(text, 'edaguard_last_successful_cycle_timestamp_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
    expect(metric(text, 'edaguard_writes_total', { action: 'CreateQueue', outcome: 'success' })).toBe(2);
    expect(metric(text, 'edaguard_writes_total', { action: 'SetQueueAttributes', outcome: 'success' })).toBe(
      2,
    );
    expect(
      metric(text, 'edaguard_aws_calls_total', {
        service: 'ResourceGroupsTaggingAPI',
        operation: 'GetResources',
        outcome: 'success',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(metric(text, 'edaguard_findings', { rule: 'sqs-dead-letter-queue', status: 'pass' })).toBe(2);
    expect(metric(text, 'edaguard_leader')).toBe(1);
    expect(metric(text, 'edaguard_policies_valid')).toBe(1);
    expect(metric(text, 'edaguard_policies_loaded')).toBe(1);
  });

  it('a tick during a cycle is skipped and counted, never queued', async () => {
    await seedQueues(['busy-a']);
    const { dir } = await policyDir();
    const ticker = manualTicker();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let writesStarted = 0;
    const { controller, cycles } = testController(
      { policies: dir },
      {
        ticker,
        beforeWrite: async () => {
          writesStarted += 1;
          await held;
        },
      },
    );
    await controller.start();
    await waitFor(() => writesStarted > 0, 'the first write of the first cycle');
    ticker.tick();
    ticker.tick();
    expect(controller.trigger('manual')).toBe(false);
    release();
    await waitFor(() => cycles.length >= 1, 'the first cycle');
    const text = await scrape(controller.httpUrl as string);
    expect(metric(text, 'edaguard_ticks_skipped_total', { reason: 'overlap' })).toBe(3);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]?.report?.summary.fixed).toBe(1);
  });

  it('re-reads policies every cycle: an invalid change keeps the last valid set, and is logged, reported and counted', async () => {
    const [queue] = await seedQueues(['reload-a']);
    const { dir, file } = await policyDir(dlqPolicy({ enforcement: 'audit' }));
    const ticker = manualTicker();
    const { controller, log } = testController({ policies: dir }, { ticker });
    const first = nextCycle(controller);
    await controller.start();
    const audited = await first;
    expect(audited.report?.results.find((r) => r.rule === 'sqs-dead-letter-queue')?.status).toBe('drift');
    expect(audited.report?.notices).toBeUndefined();

    // A broken edit: the cycle still runs, on the last valid set (audit: still no write).
    await writeFile(file, INVALID_POLICY);
    const second = nextCycle(controller);
    ticker.tick();
    const stale = await second;
    expect(stale.outcome).toBe('success');
    expect(stale.report?.results.find((r) => r.rule === 'sqs-dead-letter-queue')?.status).toBe('drift');
    expect(await hasRedrive(queue?.url as string)).toBe(false);
    const notice = stale.report?.notices?.find((n) => n.code === 'policies-invalid');
    expect(notice?.message).toMatch(
      /^the policy directory has 1 error\(s\) since .*; this cycle used the last valid policies, read at /,
    );
    expect(notice?.details).toEqual([
      expect.objectContaining({ line: 12, path: 'spec.rules.sqs-dead-letter-queue.maxReceiveCount.default' }),
    ]);
    const logged = log.lines().find((l) => String(l.msg).startsWith('invalid policies in'));
    expect(logged?.level).toBe(50);
    expect(logged?.policyErrors).toEqual([
      expect.stringMatching(
        /runtime\.yaml:12:\d+ spec\.rules\.sqs-dead-letter-queue\.maxReceiveCount\.default: /,
      ),
    ]);
    let text = await scrape(controller.httpUrl as string);
    expect(metric(text, 'edaguard_policies_valid')).toBe(0);
    expect(metric(text, 'edaguard_policy_reload_errors_total')).toBe(1);
    expect(metric(text, 'edaguard_policies_loaded')).toBe(1);
    // Still ready: a valid set is in force; /readyz says the directory is not valid.
    const ready = await fetch(`${controller.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as Record<string, unknown>).policies).toMatchObject({
      ok: true,
      directoryValid: false,
      inForce: ['runtime'],
    });

    // A valid edit takes effect on the next cycle: enforce now writes.
    await writeFile(file, dlqPolicy({ enforcement: 'enforce' }));
    const third = nextCycle(controller);
    ticker.tick();
    const enforced = await third;
    expect(enforced.report?.notices).toBeUndefined();
    expect(enforced.report?.summary.fixed).toBe(1);
    expect(await hasRedrive(queue?.url as string)).toBe(true);
    text = await scrape(controller.httpUrl as string);
    expect(metric(text, 'edaguard_policies_valid')).toBe(1);
    expect(log.lines().some((l) => l.msg === 'policies changed: the new set is in force')).toBe(true);
  });

  it('starts without valid policies: alive, not ready, no cycle; ready once the directory is fixed', async () => {
    await seedQueues(['late-a']);
    const { dir, file } = await policyDir(INVALID_POLICY);
    const ticker = manualTicker();
    const { controller, cycles } = testController({ policies: dir }, { ticker });
    await controller.start();
    expect((await fetch(`${controller.httpUrl}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${controller.httpUrl}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as Record<string, unknown>).policies).toMatchObject({
      ok: false,
      reason: 'no valid policy set has been read yet',
      errors: [expect.stringContaining('runtime.yaml:12:')],
    });
    // The start trigger found nothing to run with.
    await waitFor(
      async () =>
        metric(await scrape(controller.httpUrl as string), 'edaguard_ticks_skipped_total', {
          reason: 'no-valid-policies',
        }) === 1,
      'the skipped start',
    );
    expect(cycles).toHaveLength(0);

    await writeFile(file, dlqPolicy());
    const first = nextCycle(controller);
    ticker.tick();
    expect((await first).report?.summary.fixed).toBe(1);
    expect((await fetch(`${controller.httpUrl}/readyz`)).status).toBe(200);
  });

  it('the change cap: above --max-change-percent nothing is written, and the report says why', async () => {
    const queues = await seedQueues(['cap-a', 'cap-b', 'cap-c']);
    // One compliant queue: 3 of 4 resources (75%) would change, above a 50% cap.
    const dlq = await seed.queue('cap-ok-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
    await seed.queue('cap-ok', {
      tags: { team: 'runtime' },
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) },
    });
    const { dir } = await policyDir();
    const { controller } = testController(
      { policies: dir },
      { ticker: manualTicker(), settings: { maxChangePercent: 50 } },
    );
    const first = nextCycle(controller);
    await controller.start();
    const { report } = await first;
    expect(report?.awsCalls.filter((c) => /^(Create|Set)/.test(c.operation))).toEqual([]);
    for (const q of queues) expect(await hasRedrive(q.url)).toBe(false);
    expect(report?.notices).toEqual([
      {
        code: 'change-cap-exceeded',
        message: expect.stringMatching(
          /^change cap exceeded: 3 of 4 resources \(75%\) would change, above the cap of 50%/,
        ),
        details: { resources: 4, changing: 3, percent: 75, maxPercent: 50, exceeded: true },
      },
    ]);
    expect(report?.summary).toMatchObject({ deferred: 3, compliant: 1, fixed: 0 });
    const held = report?.results.filter((r) => r.status === 'deferred') ?? [];
    expect(held.every((r) => /held back: change cap exceeded/.test(r.message))).toBe(true);
    const text = await scrape(controller.httpUrl as string);
    expect(metric(text, 'edaguard_change_cap_exceeded_total')).toBe(1);
  });

  it('a cycle that outlives its timeout finishes the write in flight, defers the rest, and counts against readiness', async () => {
    const queues = await seedQueues(['slow-a', 'slow-b', 'slow-c']);
    const { dir } = await policyDir();
    let deadline: CycleDeadline | undefined;
    let writes = 0;
    const { controller, cycles } = testController(
      { policies: dir, cycleTimeoutMs: 30_000, readyFailureThreshold: 1 },
      {
        ticker: manualTicker(),
        settings: { applyConcurrency: 1 },
        cycleDeadline: (ms) => {
          deadline = cycleDeadline(ms);
          return deadline;
        },
        // The timeout strikes while the first finding's first write is in flight.
        beforeWrite: async () => {
          writes += 1;
          if (writes === 1) deadline?.expire();
        },
      },
    );
    await controller.start();
    await waitFor(() => cycles.length === 1, 'the cycle');
    const [cycle] = cycles;
    expect(cycle?.outcome).toBe('timeout');
    // Never half a finding: the one in flight made both its writes (CreateQueue, then SetQueueAttributes).
    expect(writes).toBe(2);
    expect(cycle?.report?.summary).toMatchObject({ fixed: 1, deferred: 2 });
    const deferred = cycle?.report?.results.filter((r) => r.status === 'deferred') ?? [];
    expect(deferred.every((r) => r.message.endsWith('(deferred: cycle stopped before its writes)'))).toBe(
      true,
    );
    let redriven = 0;
    for (const q of queues) if (await hasRedrive(q.url)) redriven += 1;
    expect(redriven).toBe(1);
    expect(cycle?.report?.notices).toEqual([
      {
        code: 'cycle-timeout',
        message: 'cycle timed out after 30 s: writes not yet started are deferred and retried next cycle',
      },
    ]);
    const ready = await fetch(`${controller.httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as Record<string, unknown>).cycles).toMatchObject({
      ok: false,
      consecutiveFailures: 1,
      threshold: 1,
      last: { outcome: 'timeout' },
    });
    const text = await scrape(controller.httpUrl as string);
    expect(metric(text, 'edaguard_cycles_total', { outcome: 'timeout' })).toBe(1);
  });
});
