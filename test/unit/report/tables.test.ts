/**
 * Issue #14 (Readable): `plan` and `reconcile` tables fit 80, 100 and 160 columns, never cut a
 * resource name, show `before → after` per changed field, the why and the writes, and count
 * resources the same way in every summary line.
 */
import { describe, expect, it } from 'vitest';
import { renderPlanTable, renderReportTable } from '../../../src/report/table.js';
import {
  FINDINGS,
  INVOICES,
  INVOICES_DLQ,
  LABELS,
  MAPPING_LABELS,
  PLAN,
  reconcileReport,
} from './renderFixtures.js';

const WIDTHS = [80, 100, 160];
const widest = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));
/** Every label on one line, whole (a name broken over two lines would not be found). */
const missingLabels = (text: string, labels: readonly string[]) => {
  const lines = text.split('\n');
  return labels.filter((label) => !lines.some((l) => l.includes(label)));
};

const outputs = (width: number, wide = false) => ({
  plan: renderPlanTable(PLAN, { width, wide }),
  dryRun: renderReportTable(reconcileReport(true), { width, wide }),
  reconcile: renderReportTable(reconcileReport(false), { width, wide }),
});

describe('tables fit the terminal and never cut a name', () => {
  for (const width of WIDTHS) {
    for (const wide of [false, true]) {
      it(`${width} columns${wide ? ', -o wide' : ''}: no line wider; every resource label whole`, () => {
        for (const [name, text] of Object.entries(outputs(width, wide))) {
          expect(widest(text), `${name} at ${width}`).toBeLessThanOrEqual(width);
          expect(missingLabels(text, LABELS), `${name} at ${width}`).toEqual([]);
        }
      });
    }
  }

  it('three mappings of one function are told apart by their sources', () => {
    const text = renderPlanTable(PLAN, { width: 100 });
    for (const label of MAPPING_LABELS) expect(text).toContain(label);
    expect(text).not.toContain('event-source-mapping');
  });

  it('-o wide adds each ARN, whole, at 100 and 160 columns', () => {
    for (const width of [100, 160]) {
      const text = renderPlanTable(PLAN, { width, wide: true });
      const arns = FINDINGS.filter((f) => f.status !== 'pass').map((f) => f.resource);
      expect(missingLabels(text, arns), `at ${width}`).toEqual([]);
      expect(renderPlanTable(PLAN, { width })).not.toContain('arn:aws:lambda');
    }
  });

  it('at 160 columns a table with a header; at 80 one block per finding', () => {
    expect(renderPlanTable(PLAN, { width: 160 }).split('\n')[1]).toMatch(/^RESOURCE +RULE +STATUS +DETAILS$/);
    const narrow = renderPlanTable(PLAN, { width: 80 });
    expect(narrow).not.toMatch(/^RESOURCE/m);
    expect(narrow).toMatch(new RegExp(`^${INVOICES}\\n  sqs-dead-letter-queue  drift$`, 'm'));
  });
});

describe('one presentation of a finding', () => {
  it('plan and reconcile --dry-run: per changed field before → after, the why and the writes', () => {
    for (const width of WIDTHS) {
      // Wrapped details read as one text once the column padding is collapsed.
      const plan = outputs(width).plan.replace(/\s+/g, ' ');
      expect(plan).toContain('RedrivePolicy.maxReceiveCount 50 → 3');
      expect(plan).toContain('VisibilityTimeout 30 → 360');
      expect(plan).toContain('why: maxReceiveCount 50 is outside [3, 5]; set to 3');
      expect(plan).toMatch(/would: SetQueueAttributes\s+billing-customer-invoices-ingest-queue-prod/);
      const dryRun = outputs(width).dryRun.replace(/\s+/g, ' ');
      expect(dryRun).toContain('maxReceiveCount - → 3');
      expect(dryRun).toMatch(/would: CreateQueue\s+billing-customer-invoices-dead-letter-queue-prod/);
    }
  });

  it('a fixed row says what was done, not what was wrong', () => {
    const text = renderReportTable(reconcileReport(false), { width: 100 });
    expect(text).toContain(`created ${INVOICES_DLQ}`);
    expect(text).toContain('set VisibilityTimeout 30 → 360');
    expect(text).toContain('set maxReceiveCount - → 3');
    expect(text).not.toContain('why: no DLQ');
    expect(text).not.toContain('would:');
  });

  it('a ticket row gives its reason; a failed row its error', () => {
    const text = renderReportTable(reconcileReport(false), { width: 160 });
    expect(text.replace(/\s+/g, ' ')).toContain(
      'why: a standard queue cannot become FIFO: create billing-payments-settlement-queue.fifo',
    );
    expect(text.replace(/\s+/g, ' ')).toContain('UpdateEventSourceMapping failed: ThrottlingException');
    expect(text.replace(/\s+/g, ' ')).toContain('AccessDenied: sns:ListSubscriptionsByTopic');
  });

  it('the summary line counts resources with the same words in plan, --dry-run and reconcile', () => {
    const counts = (text: string) =>
      /: (\d+ resource\(s\): .*? need a ticket);/.exec(text.replace(/\n/g, ' '))?.[1];
    const { plan, dryRun, reconcile } = outputs(160);
    expect(counts(plan)).toBe(
      '8 resource(s): 1 compliant, 0 fixed, 4 drifted, 1 failed, 0 deferred, 2 need a ticket',
    );
    expect(counts(dryRun)).toBe(counts(plan));
    expect(counts(reconcile)).toBe(
      '8 resource(s): 1 compliant, 3 fixed, 0 drifted, 2 failed, 0 deferred, 2 need a ticket',
    );
    expect(plan).toMatch(/^Plan for 123456789012\/us-east-1: 8 resource\(s\)/);
    expect(plan).toContain('4 write(s) planned.');
  });

  it('a plan with nothing to do says so, within the width', () => {
    const text = renderPlanTable({ target: PLAN.target, findings: FINDINGS.slice(-1) }, { width: 80 });
    expect(text).toContain('No changes. The account matches its policies.');
    expect(text).toContain('1 resource(s): 1 compliant');
    expect(widest(text)).toBeLessThanOrEqual(80);
  });
});
