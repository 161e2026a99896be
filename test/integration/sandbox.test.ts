import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/report/driftReport.js';
import { cli, testSeeder, useCleanEmulator } from '../support/harness.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';

useCleanEmulator();

describe('the demo sandbox, end to end through the CLI', () => {
  it('plans, fixes every safe drift, then converges with zero writes', async () => {
    const seed = testSeeder();
    const sandbox = await seedSandbox(seed);

    const first = await cli(['reconcile', '--once', '--policies', SANDBOX_POLICY_DIR, '--output', 'json']);
    expect(first.stderr).toBe('');
    const report = JSON.parse(first.stdout) as DriftReport;
    // Tickets (changes that need a person) remain, so the exit code says so.
    expect(first.code).toBe(1);
    const fixed = report.results
      .filter((r) => r.status === 'fixed')
      .map((r) => `${r.resource.split(':').pop()} ${r.rule}`);
    expect(fixed).toHaveLength(21);
    expect(fixed).toEqual(
      expect.arrayContaining([
        'invoices-dlq sqs-dlq-retention',
        'orders sqs-dead-letter-queue',
        'orders sqs-visibility-timeout',
        'payments.fifo sqs-dead-letter-queue',
        'shipping sqs-dead-letter-queue',
        'order-notifier lambda-async-invoke-config',
        'table/orders-idempotency idempotency-store',
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

    const second = await cli(['reconcile', '--once', '--policies', SANDBOX_POLICY_DIR, '--output', 'json']);
    const again = JSON.parse(second.stdout) as DriftReport;
    expect(second.code).toBe(1);
    expect(again.awsCalls.filter((c) => /^(Create|Set|Tag)/.test(c.operation))).toEqual([]);
    expect(again.summary).toMatchObject({ drifted: 0, fixed: 0, failed: 0, deferred: 0, tickets: 4 });
    seed.destroy();
  });
});
