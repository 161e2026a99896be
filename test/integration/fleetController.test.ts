/**
 * The controller over many targets, in process: an unreachable target is that target's error
 * (reported and notified like a finding) while the others are fixed; figures per target.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import type { CycleRecord } from '../../src/runtime/cycleRunner.js';
import { FleetController } from '../../src/runtime/fleetController.js';
import { ordersRedrive, sqsInAccount, writeOrdersPolicy } from '../support/accounts.js';
import { recordingLogger, testSettings, useCleanEmulator } from '../support/harness.js';
import { metric, scrape, testService, waitFor } from '../support/runtime.js';

useCleanEmulator();

const A = '111111111111';
const open: Array<{ destroy(): void } | FleetController> = [];
afterEach(async () => {
  for (const c of open.splice(0)) {
    if (c instanceof FleetController) await c.stop({ reason: 'test over' });
    else c.destroy();
  }
});

function sqsIn(region: string): SQSClient {
  const client = sqsInAccount(A, region);
  open.push(client);
  return client;
}

async function policies(): Promise<string> {
  return writeOrdersPolicy(await mkdtemp(path.join(tmpdir(), 'edaguard-fleet-')));
}

describe('edaguard run over many targets (in process)', () => {
  it('an unreachable target is its own read-error, notified; the other target is fixed; metrics per target', async () => {
    for (const region of ['us-east-1', 'eu-west-1'])
      await sqsIn(region).send(new CreateQueueCommand({ QueueName: 'orders', tags: { team: 'orders' } }));
    const notified: DriftReport[] = [];
    const settings = testSettings({ maxAttempts: 1, requestTimeoutMs: 1500 });
    const controller = new FleetController({
      service: testService({
        policies: await policies(),
        leaderElection: true,
        createStateTable: true,
        leaseDurationMs: 4000,
        leaseRenewIntervalMs: 1000,
      }),
      settings,
      logger: recordingLogger().logger,
      targets: { regions: ['us-east-1', 'eu-west-1'], roleName: 'edaguard', accounts: [A] },
      env: {},
      defaultMetrics: false,
      notifier: {
        notify: async (report) => {
          notified.push(report);
          return { errors: 0 };
        },
      },
      // eu-west-1 answers nothing (a region not enabled, a dead endpoint).
      createClients: (s, target) =>
        createAwsClients(target.region === 'eu-west-1' ? { ...s, endpoint: 'http://127.0.0.1:9' } : s),
    });
    open.push(controller);
    const cycles = new Map<string, CycleRecord>();
    // The first cycle of each target: a later, converged one would show nothing fixed.
    controller.onCycle((record, target) => {
      const key = `${target.accountId}/${target.region}`;
      if (!cycles.has(key)) cycles.set(key, record);
    });
    await controller.start();
    await waitFor(() => cycles.size === 2, 'a cycle of each target', 30_000);

    const east = cycles.get(`${A}/us-east-1`);
    const west = cycles.get(`${A}/eu-west-1`);
    expect(east?.outcome).toBe('success');
    expect(east?.report?.summary.fixed).toBe(1);
    expect(west?.outcome).toBe('failed');
    expect(west?.report?.results).toEqual([
      expect.objectContaining({ resource: `${A}/eu-west-1`, rule: 'read-error', status: 'failed' }),
    ]);
    await waitFor(() => notified.length >= 2, 'both reports notified');
    expect(notified.map((r) => `${r.target.region}:${r.results.map((x) => x.rule).join()}`).sort()).toEqual([
      'eu-west-1:read-error',
      'us-east-1:sqs-dead-letter-queue',
    ]);
    expect(await ordersRedrive(sqsIn('us-east-1'))).toBeDefined();

    const url = controller.httpUrl as string;
    const text = await scrape(url);
    for (const region of ['us-east-1', 'eu-west-1'])
      expect(metric(text, 'edaguard_targets_held', { account: A, region })).toBe(1);
    expect(
      metric(text, 'edaguard_cycles_total', { account: A, region: 'eu-west-1', outcome: 'failed' }),
    ).toBe(1);
    expect(
      metric(text, 'edaguard_writes_total', { account: A, region: 'us-east-1', action: 'CreateQueue' }),
    ).toBe(1);
    expect(metric(text, 'edaguard_findings', { account: A, region: 'eu-west-1', rule: 'read-error' })).toBe(
      1,
    );
    // One failing target does not make the replica unready; /readyz lists what it holds.
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { lease: { held: string[]; share: number } };
    expect(body.lease.held).toEqual([`${A}/eu-west-1`, `${A}/us-east-1`]);
    expect(body.lease.share).toBe(2);
  }, 60_000);
});
