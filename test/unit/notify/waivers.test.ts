/** Waived results in notifications: no ticket (an open one is closed), and Slack lists waivers that end soon. */
import { describe, expect, it } from 'vitest';
import { diffReports } from '../../../src/notify/reportDigest.js';
import { buildSlackMessage, expiringWaivers } from '../../../src/notify/slackMessage.js';
import { renderSlackText } from '../../../src/notify/slackText.js';
import { ticketFingerprint } from '../../../src/notify/tickets/fingerprint.js';
import { planTickets } from '../../../src/notify/tickets/reconcileTickets.js';
import type { DriftResult } from '../../../src/report/driftReport.js';
import { NOTIFY_TARGET, queueArn, report, result } from '../../support/driftReports.js';

const R = 'sqs-dead-letter-queue';
// The report finishes on 2027-01-04 (driftReports.ts).
const waived = (name: string, expires: string, extra: Partial<DriftResult> = {}) =>
  result(name, R, 'waived', {
    message: `waived until ${expires} by policy orders (legacy): it has no DLQ`,
    waiver: { policy: 'orders', expires, reason: 'legacy consumer', ticket: 'OPS-9' },
    ...extra,
  });

describe('tickets for waived findings', () => {
  it('opens none, and closes an open one saying until when it is waived', () => {
    const fp = ticketFingerprint(NOTIFY_TARGET, queueArn('a'), R);
    const plan = planTickets(
      report([waived('a', '2027-02-01'), waived('b', '2027-02-01')]),
      [{ fingerprint: fp, id: '7' }],
      { maxOps: 10 },
    );
    expect(plan.ops).toHaveLength(1);
    expect(plan.ops[0]).toMatchObject({
      kind: 'resolve',
      ref: { id: '7' },
      resolution: { reason: 'waived' },
    });
    const op = plan.ops[0];
    expect(op?.kind === 'resolve' && op.resolution.comment).toMatch(
      /^Waived until 2027-02-01 by policy orders \(legacy consumer\): edaguard accepts `a` \(sqs-dead-letter-queue\)/,
    );
  });
});

describe('Slack: waivers expiring within 7 days', () => {
  const current = report([
    waived('soon', '2027-01-08'),
    waived('today', '2027-01-04'),
    waived('later', '2027-01-12'),
    result('orders', R, 'fixed'),
  ]);

  it('lists the waived results whose waiver ends within 7 days of the report, soonest first', () => {
    expect(expiringWaivers(current).map((r) => r.resource.split(':').pop())).toEqual(['today', 'soon']);
  });

  it('shows them in their own section, and counts the waived resources', () => {
    const text = renderSlackText(
      buildSlackMessage({ report: current, changes: diffReports(undefined, current) }),
    );
    expect(text).toContain('Waivers expiring within 7 days (2)');
    expect(text).toContain(
      '• today sqs-dead-letter-queue: waived until 2027-01-04 (last day today) by orders: legacy consumer OPS-9',
    );
    expect(text).toContain('• soon sqs-dead-letter-queue: waived until 2027-01-08 (4 day(s) left)');
    expect(text).not.toContain('later sqs-dead-letter-queue');
    expect(text).toContain('Waived: 3');
  });

  it('has no such section when no waiver ends soon', () => {
    const quiet = report([waived('later', '2027-01-12')]);
    const text = renderSlackText(
      buildSlackMessage({ report: quiet, changes: diffReports(undefined, quiet) }),
    );
    expect(text).not.toContain('Waivers expiring');
  });
});
