import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/report/driftReport.js';
import { cli, testSeeder, useCleanEmulator } from '../support/harness.js';
import { SANDBOX_POLICY_DIR, type Sandbox, seedSandbox } from '../support/sandbox.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

describe('the demo sandbox, end to end through the CLI', () => {
  it('plans, fixes every safe drift, then converges with zero writes', async () => {
    const seed = testSeeder();
    const sandbox = await seedSandbox(seed);

    const first = await cli(['reconcile', '--once', '--policies', SANDBOX_POLICY_DIR, '--output', 'json']);
    expect(first.stderr).toBe('');
    const report = JSON.parse(first.stdout) as DriftReport;
    // Fixed, and only tickets (changes that need a person) remain: nothing is failing, exit 3.
    expect(first.code).toBe(3);
    const fixed = report.results
      .filter((r) => r.status === 'fixed')
      .map((r) => `${r.resource.split(':').pop()} ${r.rule}`);
    expect(fixed).toHaveLength(30);
    expect(fixed).toEqual(
      expect.arrayContaining([
        'invoices-dlq sqs-dlq-retention',
        'orders sqs-dead-letter-queue',
        'orders sqs-visibility-timeout',
        'payments.fifo sqs-dead-letter-queue',
        'shipping sqs-dead-letter-queue',
        'order-notifier lambda-async-invoke-config',
        'table/orders-idempotency idempotency-store',
        // The async edges: each dead end created, made able to receive, and watched.
        'order-placed sns-subscription-dlq',
        'order-placed-dlq dlq-delivery-permission',
        'order-placed-dlq sqs-dlq-alarm',
        'payment-events-dlq dlq-delivery-permission',
        'payment-events-dlq sqs-dlq-alarm',
        'rule/order-shipped eventbridge-target-dlq',
        'order-shipped-dlq dlq-delivery-permission',
        'order-shipped-dlq sqs-dlq-alarm',
        'stream/order-audit-log stream-retention',
      ]),
    );
    expect(
      report.results
        .filter((r) => r.status === 'ticket')
        .map((r) => r.rule)
        .sort(),
    ).toEqual([
      'dlq-not-empty',
      'esm-partial-batch-response',
      'esm-partial-batch-response',
      'sqs-fifo-ordering',
    ]);
    expect(report.summary).toMatchObject({ drifted: 0, failed: 0, deferred: 0, tickets: 4 });

    const orders = await seed.attributes(
      sandbox.orders.replace(/^.*:/, `${process.env.AWS_ENDPOINT_URL}/123456789012/`),
    );
    expect(orders.VisibilityTimeout).toBe('360');
    expect(JSON.parse(orders.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
      maxReceiveCount: 3,
    });

    await expectAsyncEdgesFixed(seed, sandbox);

    const second = await cli(['reconcile', '--once', '--policies', SANDBOX_POLICY_DIR, '--output', 'json']);
    const again = JSON.parse(second.stdout) as DriftReport;
    expect(second.code).toBe(3);
    expect(again.awsCalls.filter((c) => /^(Create|Set|Tag)/.test(c.operation))).toEqual([]);
    expect(again.summary).toMatchObject({ drifted: 0, fixed: 0, failed: 0, deferred: 0, tickets: 4 });

    // --fail-on: plan says the same (tickets only: 3); a CI job that fails on drift only passes.
    expect((await cli(['plan', '--policies', SANDBOX_POLICY_DIR])).code).toBe(3);
    expect((await cli(['plan', '--policies', SANDBOX_POLICY_DIR, '--fail-on', 'drift'])).code).toBe(0);
    seed.destroy();
  });
});

const ACCOUNT_SQS = 'arn:aws:sqs:us-east-1:123456789012';

/** The async edges, read back with the SDK: DLQs set, the foreign policy statement kept, retention raised. */
async function expectAsyncEdgesFixed(seed: Seeder, sandbox: Sandbox): Promise<void> {
  const { ListTargetsByRuleCommand } = await import('@aws-sdk/client-eventbridge');
  const { DescribeStreamSummaryCommand } = await import('@aws-sdk/client-kinesis');
  const { ListSubscriptionsByTopicCommand, GetSubscriptionAttributesCommand } = await import(
    '@aws-sdk/client-sns'
  );
  const subs = await seed.sns.send(
    new ListSubscriptionsByTopicCommand({ TopicArn: sandbox.orderPlacedTopic }),
  );
  const sub = await seed.sns.send(
    new GetSubscriptionAttributesCommand({ SubscriptionArn: subs.Subscriptions?.[0]?.SubscriptionArn }),
  );
  expect(JSON.parse(sub.Attributes?.RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(
    `${ACCOUNT_SQS}:order-placed-dlq`,
  );

  const targets = await seed.eventbridge.send(new ListTargetsByRuleCommand({ Rule: 'order-shipped' }));
  expect(targets.Targets?.[0]).toMatchObject({
    Id: 'notify-customer',
    DeadLetterConfig: { Arn: `${ACCOUNT_SQS}:order-shipped-dlq` },
    InputTransformer: {
      InputPathsMap: { order: '$.detail.orderId' },
      InputTemplate: '{"orderId": <order>, "kind": "shipped"}',
    },
  });

  const dlqUrl = sandbox.paymentEventsDlq.replace(/^.*:/, `${process.env.AWS_ENDPOINT_URL}/123456789012/`);
  const policy = JSON.parse((await seed.attributes(dlqUrl, ['Policy'])).Policy ?? '{}') as {
    Statement: Array<{ Sid: string; Principal: unknown; Condition?: unknown }>;
  };
  expect(policy.Statement.map((st) => st.Sid)).toEqual([
    'payments-team-reads',
    expect.stringMatching(/^edaguard-/),
  ]);
  expect(policy.Statement[1]).toMatchObject({
    Principal: { Service: 'sns.amazonaws.com' },
    Condition: { ArnEquals: { 'aws:SourceArn': sandbox.paymentEventsTopic } },
  });

  const stream = await seed.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'order-audit-log' }));
  expect(stream.StreamDescriptionSummary?.RetentionPeriodHours).toBe(48);
}
