/**
 * The drifted sandbox account of the demo (and of the end-to-end test): one resource per
 * situation the SQS rules must handle.
 */
import { fileURLToPath } from 'node:url';
import { redrive, type Seeder } from './seed.js';

/** The demo's policy directory: the foundation issue's example policy, verbatim. */
export const SANDBOX_POLICY_DIR = fileURLToPath(new URL('../../examples/sandbox/policies', import.meta.url));

export interface Sandbox {
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
}

export async function seedSandbox(seed: Seeder): Promise<Sandbox> {
  const team = { team: 'orders' };
  // orders: 30 s visibility, consumed by a 60 s function, no DLQ.
  const orders = await seed.queue('orders', { attributes: { VisibilityTimeout: '30' }, tags: team });
  await seed.fn('order-processor', 60);
  await seed.mapQueue(orders.arn, 'order-processor');
  // payments.fifo: FIFO, no DLQ.
  const payments = await seed.queue('payments.fifo', { tags: team });
  // shipping: DLQ wired, but maxReceiveCount 50 (a poison message is retried 50 times).
  const shippingDlq = await seed.queue('shipping-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
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
  // audit-events: compliant in every respect.
  const auditDlq = await seed.queue('audit-events-dlq', {
    attributes: { MessageRetentionPeriod: '1209600' },
  });
  const audit = await seed.queue('audit-events', {
    attributes: { RedrivePolicy: redrive(auditDlq.arn, 3), VisibilityTimeout: '60' },
    tags: team,
  });
  // Ignored, excluded and untagged queues: drifted, and none of edaguard's business.
  const legacy = await seed.queue('legacy-import', { tags: { ...team, 'edaguard.dev/ignore': 'true' } });
  const ordersDev = await seed.queue('orders-dev', { tags: { ...team, stage: 'dev' } });
  const scratch = await seed.queue('scratch');
  return {
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
  };
}
