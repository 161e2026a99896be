/**
 * The fast versions of the fault-injection scenarios: 40 drifted resources reconciled through the
 * fault proxy at 20 % and 50 % mixed faults (`npm run reliability` runs the full ones).
 *
 * The cycle bound. With a fault rate p and k SDK attempts (3, the default), one call fails a cycle
 * with probability p^k. Fixing one finding takes about m = 6 calls (its discovery read, the
 * precondition re-read, the write, the read-back), so it fails a cycle with q = 1 - (1 - p^k)^m,
 * and R findings (44 here) leave about R·q^c unfixed after c cycles. The account-wide reads a cycle
 * cannot plan without get 3 more rounds of k attempts (src/aws/accountWideReads.ts): they fail
 * with p^12, so cycles plan.
 * - p = 20 %: p^3 = 0.8 %, q ≈ 5 %, 44·q^2 ≈ 0.1: 2 cycles; the bound is 4, for a resource whose
 *   read fails in the cycle that would have shown it converged (every read fails with p^3 too).
 * - p = 50 %: p^3 = 12.5 %, q ≈ 55 %, 44·q^8 ≈ 0.4: the bound is 8 cycles.
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { dlqAlarmName } from '../../src/reconcile/rules/alarms.js';
import { FAULT_KINDS, type ForwardedWrite } from '../support/faultProxy.js';
import { emulatorEndpoint, testSeeder, testSettings, useCleanEmulator } from '../support/harness.js';
import { describeDriftedAccount, seedDriftedAccount } from '../support/reliability/driftedAccount.js';
import {
  type FaultScenarioResult,
  findDuplicates,
  runFaultScenario,
  unauditedWrites,
} from '../support/reliability/faultScenario.js';

useCleanEmulator();

const RESOURCES = 40;
const FAST_TIMING = { baseDelayMs: 10, throttlingBaseDelayMs: 25, maxDelayMs: 200 };

const scenario = (rate: number, maxCycles: number) =>
  runFaultScenario({
    endpoint: emulatorEndpoint(),
    fault: 'mixed',
    kinds: FAULT_KINDS,
    rate,
    resources: RESOURCES,
    seed: 7,
    maxCycles,
    // Above moto's own latency on a loaded machine; a slow answer is held twice as long.
    requestTimeoutMs: 500,
    retryTiming: FAST_TIMING,
  });

function expectSafe(result: FaultScenarioResult) {
  expect(result.outside).toEqual([]);
  expect(result.duplicateDetails).toEqual([]);
  expect(result.lost).toEqual([]);
  expect(result.unaudited).toEqual([]);
  expect(result.row).toMatchObject({ duplicates: 0, lostUpdates: 0, outsideSelection: 0 });
}

describe('reconcile under injected faults (fast versions)', () => {
  it('20 % mixed faults: converges within 4 cycles, nothing duplicated, lost, unaudited or outside the selection', async () => {
    const result = await scenario(0.2, 4);
    // Every kind of fault was really injected, including answers lost after the write was made.
    expect(Object.keys(result.faults).sort()).toEqual([...FAULT_KINDS].sort());
    expect((result.faults.slow ?? 0) + (result.faults['drop-after'] ?? 0)).toBeGreaterThan(0);
    expect(result.row.writes).toBeGreaterThan(RESOURCES);
    expectSafe(result);
    expect(result.finalDrift).toEqual([]);
    expect(result.row.converged).toBe(true);
    expect(result.row.cyclesToConverge).toBeLessThanOrEqual(4);
  });

  describe('50 % mixed faults', () => {
    let run: Promise<FaultScenarioResult> | undefined;
    // One run for both tests: the emulator is reset before each test, not in between these two.
    const result = () => {
      run ??= scenario(0.5, 8);
      return run;
    };

    it('stays safe: nothing duplicated, lost, unaudited or outside the selection', async () => {
      const r = await result();
      expect(r.row.writes).toBeGreaterThan(0);
      expectSafe(r);
    });

    it('converges within 8 cycles', async () => {
      expect((await result()).row.converged).toBe(true);
    });
  });
});

describe('the scenario checks can fail', () => {
  it('a write that reached the emulator with no audit line of its cycle is reported', () => {
    const write = (operation: string, resource: string): ForwardedWrite => ({
      service: 'SQS',
      operation,
      resource,
      body: '{}',
      status: 200,
      answerLost: true,
    });
    const lines = [
      {
        decision: 'write',
        write: 'CreateQueue orders-dlq {"MessageRetentionPeriod":"1209600"}',
        outcome: 'failed',
      },
      { decision: 'fixed', writes: ['SetQueueAttributes orders {}'] },
    ];
    expect(
      unauditedWrites(
        [
          write('CreateQueue', 'orders-dlq'),
          write('SetQueueAttributes', 'orders'),
          write('CreateQueue', 'orders-dlq'),
        ],
        lines,
      ),
    ).toEqual(['SetQueueAttributes orders']);
  });

  it('a second DLQ for one source and a second alarm on one DLQ count as duplicates', async () => {
    const seed = testSeeder();
    const aws = createAwsClients(testSettings());
    try {
      const seeded = await seedDriftedAccount(seed, describeDriftedAccount(10, 'dup'));
      expect(await findDuplicates(aws, seeded, emulatorEndpoint())).toEqual([]);
      const [source] = seeded.expectedDlq.keys();
      const sourceArn = `arn:aws:sqs:us-east-1:123456789012:${source}`;
      const managed = { 'edaguard.dev/managed-by': 'edaguard', 'edaguard.dev/dlq-for': sourceArn };
      await seed.queue(`${source}-dlq-a`, { tags: managed });
      await seed.queue(`${source}-dlq-b`, { tags: managed });
      for (const name of [dlqAlarmName('x-dlq'), 'someone-elses-alarm']) {
        await seed.cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: name,
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [{ Name: 'QueueName', Value: 'x-dlq' }],
            Statistic: 'Maximum',
            Threshold: 0,
            Period: 60,
            EvaluationPeriods: 1,
            ComparisonOperator: 'GreaterThanThreshold',
          }),
        );
      }
      const found = await findDuplicates(aws, seeded, emulatorEndpoint());
      expect(found).toHaveLength(2);
      expect(found.join('\n')).toMatch(/2 DLQs for .*dlq-a.*dlq-b/);
      expect(found.join('\n')).toMatch(
        /2 alarms for AWS\/SQS\/ApproximateNumberOfMessagesVisible QueueName=x-dlq/,
      );
    } finally {
      aws.destroy();
      seed.destroy();
    }
  });
});
