/**
 * Crash consistency: `edaguard reconcile --once` (a real child process) is killed with SIGKILL
 * in the middle of its apply by a proxy in front of the emulator, then restarted. After the
 * restart's one clean cycle the account is converged, holds no duplicate or orphan, and every
 * queue edaguard created before the crash is the one in use: adopted by its deterministic name
 * and managed tag, never created again. The full run (≥ 30 kill points) is `npm run reliability`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TAGS } from '../../src/policy/schema.js';
import { emulatorEndpoint } from '../support/harness.js';
import { redriveTarget } from '../support/reliability/crashAccount.js';
import {
  type CrashBench,
  openCrashBench,
  runCrashPoints,
  runKillPoint,
} from '../support/reliability/crashScenario.js';

let bench: CrashBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

describe('SIGKILL during apply', () => {
  it('killed right after the DLQ CreateQueue reached AWS and before RedrivePolicy: the restart attaches that DLQ and never creates it again', async () => {
    bench = await openCrashBench(emulatorEndpoint());
    const point = await runKillPoint(bench, 1, {
      at: (c) => c.operation === 'AmazonSQS.CreateQueue' && c.body?.QueueName === 'crash-0-dlq',
      mode: 'after-forwarding-before-response',
    });

    expect(point.killedAt?.operation).toBe('AmazonSQS.CreateQueue');
    // The crash left the DLQ created (ours by its tags) and not attached.
    const dlq = point.afterCrash.queues.get('crash-0-dlq');
    expect(dlq?.tags[TAGS.managedBy]).toBe('edaguard');
    expect(dlq?.tags[TAGS.dlqFor]).toBe(point.afterCrash.queues.get('crash-0')?.arn);
    expect(point.afterCrash.queues.get('crash-0')?.attributes.RedrivePolicy).toBeUndefined();
    // The restart sent no second CreateQueue for it and attached the very same queue.
    expect(point.createQueueCalls.get('crash-0-dlq')).toBe(1);
    expect(redriveTarget(point.afterRestart.queues.get('crash-0'))).toBe(dlq?.arn);
    expect(point.afterRestart.queues.get('crash-0-dlq')?.attributes.CreatedTimestamp).toBe(
      dlq?.attributes.CreatedTimestamp,
    );
    expect(point.adopted).toEqual(['crash-0-dlq']);
    expect(point.adoptionFailures).toEqual([]);
    expect(point.remainingDrift).toEqual([]);
    expect(point.leftovers).toEqual({ duplicates: [], orphans: [] });
    expect(point.lostUpdates).toEqual([]);
    expect(point.restartExitCode).toBe(0);
  });

  it('six seeded kill points over the whole apply: converged after one clean cycle, no duplicate, no orphan, DLQs adopted', async () => {
    const run = await runCrashPoints({ endpoint: emulatorEndpoint(), killPoints: 6, seed: 7, resources: 6 });
    for (const p of run.points) {
      expect(p.killedAt, 'every run dies at its kill point').toBeDefined();
      expect(p.remainingDrift).toEqual([]);
      expect(p.leftovers).toEqual({ duplicates: [], orphans: [] });
      expect(p.adoptionFailures).toEqual([]);
      expect(p.lostUpdates).toEqual([]);
      expect(p.outsideSelection).toEqual([]);
      for (const [name, n] of p.createQueueCalls) expect(n, `CreateQueue ${name}`).toBe(1);
      expect(p.restartExitCode).toBe(0);
    }
    expect(run.row).toMatchObject({
      converged: true,
      cyclesToConverge: 2,
      duplicates: 0,
      lostUpdates: 0,
      outsideSelection: 0,
    });
    // Seed 7 draws every kill mode, and kill points after some CreateQueue: adoption was exercised.
    expect(new Set(run.points.map((p) => p.mode)).size).toBe(3);
    expect(run.points.flatMap((p) => p.adopted).length).toBeGreaterThan(0);
  });
});
