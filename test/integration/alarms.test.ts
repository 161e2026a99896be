import {
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicyDir } from '../../src/policy/loader.js';
import { reconcileOnce, testSeeder, useCleanEmulator } from '../support/harness.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

const reconcile = async () => reconcileOnce(await loadPolicyDir(SANDBOX_POLICY_DIR));

const ONCALL = 'arn:aws:sns:us-east-1:123456789012:orders-oncall';

async function alarm(seed: Seeder, name: string) {
  const out = await seed.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0];
}

describe('alarms and DLQ contents against the emulator', () => {
  it('creates DLQ-depth and iterator-age alarms, repairs a drifted one, reports a non-empty DLQ, then converges', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const { report } = await reconcile();

    // Every DLQ of a selected queue, including the ones created this cycle, has its alarm.
    for (const dlq of [
      'orders-dlq',
      'payments-dlq.fifo',
      'shipping-dlq',
      'invoices-dlq',
      'audit-events-dlq',
    ]) {
      expect(await alarm(seed, `edaguard-dlq-depth-${dlq}`), dlq).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: dlq }],
        Statistic: 'Maximum',
        Threshold: 0,
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ONCALL],
      });
    }
    // The one someone raised to 10 is put back, and the report says what drifted.
    expect(
      report.results.find((r) => r.resource.endsWith(':audit-events-dlq') && r.rule === 'sqs-dlq-alarm'),
    ).toMatchObject({
      status: 'fixed',
      observed: { threshold: 10, alarmActions: [] },
      desired: { threshold: 0, alarmActions: [ONCALL] },
    });
    const created = await alarm(seed, 'edaguard-dlq-depth-orders-dlq');
    const tags = await seed.cloudwatch.send(
      new ListTagsForResourceCommand({ ResourceARN: created?.AlarmArn }),
    );
    expect(tags.Tags).toContainEqual({ Key: 'edaguard.dev/managed-by', Value: 'edaguard' });

    // Stream consumers: an IteratorAge alarm in milliseconds.
    for (const fn of ['clickstream-indexer', 'orders-projector']) {
      expect(await alarm(seed, `edaguard-iterator-age-${fn}`), fn).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Maximum',
        Threshold: 300_000,
      });
    }
    // A function that reads no stream gets none.
    expect(await alarm(seed, 'edaguard-iterator-age-order-processor')).toBeUndefined();

    // The DLQ holding 3 failed orders: reported with its count and the redrive command, never written.
    const notEmpty = report.results.find((r) => r.rule === 'dlq-not-empty' && r.status === 'ticket');
    expect(notEmpty?.resource).toMatch(/:shipping-dlq$/);
    expect(notEmpty?.observed).toEqual({ approximateNumberOfMessages: 3 });
    expect(notEmpty?.message).toContain(
      'edaguard redrive arn:aws:sqs:us-east-1:123456789012:shipping-dlq --dry-run',
    );
    expect(notEmpty?.message).toContain(
      'aws sqs start-message-move-task --source-arn arn:aws:sqs:us-east-1:123456789012:shipping-dlq',
    );

    const again = await reconcile();
    expect(again.writes).toBe(0);

    // Drift after convergence is seen and repaired: someone changes the period and drops the action.
    await seed.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'edaguard-iterator-age-clickstream-indexer',
        Namespace: 'AWS/Lambda',
        MetricName: 'IteratorAge',
        Dimensions: [{ Name: 'FunctionName', Value: 'clickstream-indexer' }],
        Statistic: 'Maximum',
        Threshold: 300_000,
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    const repaired = await reconcile();
    expect(repaired.writes).toBe(1);
    expect(await alarm(seed, 'edaguard-iterator-age-clickstream-indexer')).toMatchObject({
      Period: 60,
      AlarmActions: [ONCALL],
    });
  });
});
