/**
 * The drifted sandbox account of the demo (and of the end-to-end test): one resource per
 * situation the SQS rules must handle.
 */
import { fileURLToPath } from 'node:url';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { type SandboxAsyncEdges, seedAsyncEdges } from './sandboxAsyncEdges.js';
import { redrive, type Seeder } from './seed.js';

/** The demo's policy directory: the foundation issue's example policy, verbatim. */
export const SANDBOX_POLICY_DIR = fileURLToPath(new URL('../../examples/sandbox/policies', import.meta.url));

export interface Sandbox extends SandboxAsyncEdges {
  orders: string;
  payments: string;
  shipping: string;
  shippingDlq: string;
  invoices: string;
  invoicesDlq: string;
  audit: string;
  auditDlq: string;
  legacy: string;
  ordersDev: string;
  scratch: string;
  orderStateChanges: string;
  clickstream: string;
  ordersTable: string;
  idempotencyTable: string;
  orderEventsTopic: string;
}

export async function seedSandbox(seed: Seeder): Promise<Sandbox> {
  const team = { team: 'orders' };
  // orders: 30 s visibility, consumed by a 60 s function, no DLQ.
  const orders = await seed.queue('orders', { attributes: { VisibilityTimeout: '30' }, tags: team });
  // Its consumer returns batchItemFailures and says so with a tag: partial batch responses get turned on.
  await seed.fn('order-processor', 60, { ...team, 'edaguard.dev/partial-batch': 'supported' });
  await seed.mapQueue(orders.arn, 'order-processor');
  // payments.fifo: FIFO, no DLQ.
  const payments = await seed.queue('payments.fifo', { tags: team });
  // shipping: DLQ wired, but maxReceiveCount 50 (a poison message is retried 50 times).
  const shippingDlq = await seed.queue('shipping-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
  // Three orders that failed processing wait in shipping's DLQ: dlq-not-empty reports them.
  await seed.sendMessages(shippingDlq.url, 3);
  const shipping = await seed.queue('shipping', {
    attributes: { RedrivePolicy: redrive(shippingDlq.arn, 50) },
    tags: team,
  });
  // invoices: its DLQ keeps messages only 4 days.
  const invoicesDlq = await seed.queue('invoices-dlq', { attributes: { MessageRetentionPeriod: '345600' } });
  const invoices = await seed.queue('invoices', {
    attributes: { RedrivePolicy: redrive(invoicesDlq.arn, 3) },
    tags: team,
  });
  // invoice-processor does not report batch item failures and has not opted in: a ticket, no write.
  await seed.fn('invoice-processor', 20, team);
  await seed.mapQueue(invoices.arn, 'invoice-processor');
  // audit-events: compliant in every respect.
  const auditDlq = await seed.queue('audit-events-dlq', {
    attributes: { MessageRetentionPeriod: '1209600' },
  });
  const audit = await seed.queue('audit-events', {
    attributes: { RedrivePolicy: redrive(auditDlq.arn, 3), VisibilityTimeout: '60' },
    tags: team,
  });
  // An alarm on audit-events-dlq that someone raised to 10 messages: edaguard puts it back to 0.
  await seed.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: 'edaguard-dlq-depth-audit-events-dlq',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'audit-events-dlq' }],
      Statistic: 'Maximum',
      Threshold: 10,
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  // Ignored, excluded and untagged queues: drifted, and none of edaguard's business.
  const legacy = await seed.queue('legacy-import', { tags: { ...team, 'edaguard.dev/ignore': 'true' } });
  const ordersDev = await seed.queue('orders-dev', { tags: { ...team, stage: 'dev' } });
  const scratch = await seed.queue('scratch');
  // A standard queue whose events must stay in order: cannot be converted, so a ticket.
  const orderStateChanges = await seed.queue('order-state-changes', {
    tags: { ...team, 'edaguard.dev/ordering': 'strict' },
    attributes: { VisibilityTimeout: '60' },
  });
  // The poison-pill scenario: a Kinesis and a DynamoDB stream mapped with AWS's defaults
  // (no bisect, infinite retries and record age, no on-failure destination).
  const clickstream = await seed.kinesisStream('clickstream');
  await seed.fn('clickstream-indexer', 30, team);
  await seed.mapStream(clickstream, 'clickstream-indexer');
  const ordersTable = await seed.dynamoTable('orders', { stream: true });
  await seed.fn('orders-projector', 30, { ...team, 'edaguard.dev/partial-batch': 'supported' });
  await seed.mapStream(ordersTable.streamArn as string, 'orders-projector');
  // An SNS → Lambda async path with no event-invoke config: 2 retries over 6 hours, then dropped.
  const notifier = await seed.fn('order-notifier', 10, team);
  const orderEventsTopic = await seed.snsToLambda('order-events', notifier);
  // An idempotency store without TTL, on provisioned capacity.
  const idempotency = await seed.dynamoTable('orders-idempotency', {
    tags: { ...team, role: 'idempotency-store' },
    billing: 'PROVISIONED',
  });
  const asyncEdges = await seedAsyncEdges(seed);
  return {
    ...asyncEdges,
    orders: orders.arn,
    payments: payments.arn,
    shipping: shipping.arn,
    shippingDlq: shippingDlq.arn,
    invoices: invoices.arn,
    invoicesDlq: invoicesDlq.arn,
    audit: audit.arn,
    auditDlq: auditDlq.arn,
    legacy: legacy.arn,
    ordersDev: ordersDev.arn,
    scratch: scratch.arn,
    orderStateChanges: orderStateChanges.arn,
    clickstream,
    ordersTable: ordersTable.tableArn,
    idempotencyTable: idempotency.tableArn,
    orderEventsTopic,
  };
}
