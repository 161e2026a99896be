/**
 * What one target's cycle should call, derived from the seeded shape (never from a measurement):
 * the least any controller needs, and which operations must be at it.
 */
import { motoGetResourcesPages, pages } from '../reconcile/paging.js';
import { PAGE } from '../reconcile/parameters.js';
import type { TargetShape } from './seed.js';

/** ListQueues' largest page. */
const LIST_QUEUES_PAGE = 1000;

export type Phase = 'reconcile #1' | 'steady';

export interface OperationModel {
  /** `Service Operation`, as the CallCounter names it. */
  op: string;
  minimum: number;
  /** The check: `exact` (must equal the minimum), `at-most` (a bound edaguard's design meets), or none. */
  check?: { kind: 'exact' | 'at-most'; value: number };
  note: string;
}

/** Queues that get a new DLQ in the first cycle. */
const lacking = (s: TargetShape) => s.queues - s.withSharedDlq;

export function operationModel(phase: Phase, s: TargetShape): OperationModel[] {
  const converged = phase === 'steady';
  const selectorPages = pages(s.queues, PAGE.getResources);
  // Tagging API: the selector, the ignore tag, and edaguard's managed-by tag (its DLQs, 2 tags each).
  const managedPages = motoGetResourcesPages(Array(converged ? lacking(s) : 0).fill(2));
  const tagging = motoGetResourcesPages(Array(s.queues).fill(1)) + 1 + managedPages;
  const dlqs = converged ? 1 + lacking(s) : 1;
  const queueReads = s.queues + dlqs;
  const listing = converged ? 0 : pages(s.queues + 1, LIST_QUEUES_PAGE);
  const rows: OperationModel[] = [
    {
      op: 'ResourceGroupsTaggingAPI GetResources',
      minimum: selectorPages,
      check: { kind: 'at-most', value: tagging },
      note: `minimum ⌈${s.queues}/100⌉ for the selector; edaguard adds the ignore-tag and managed-by queries (${tagging} on moto)`,
    },
    {
      op: 'SQS GetQueueAttributes',
      minimum: queueReads,
      ...(converged ? { check: { kind: 'exact' as const, value: queueReads } } : {}),
      note:
        `one per selected queue (${s.queues}) and per DLQ they name (${dlqs})` +
        (converged
          ? ''
          : '; the fixes add a precondition read per SetQueueAttributes (none read back in the cycle: sqsVerification next-cycle, the default)'),
    },
    {
      op: 'SQS ListQueues',
      minimum: listing,
      check: { kind: 'at-most', value: listing },
      note: converged
        ? 'no queue lacks a DLQ: nothing to look up'
        : `which of the ${lacking(s)} DLQ names exist, and whether a queue lacking a DLQ is itself one: one listing of the target's ${s.queues + 1} queues (1,000 a page) answers both, every queue being read already`,
    },
    {
      op: 'SQS ListDeadLetterSourceQueues',
      minimum: 0,
      check: { kind: 'exact', value: 0 },
      note: 'the listing and the redrive policies read answer it',
    },
    {
      op: 'SQS GetQueueUrl',
      minimum: 0,
      check: { kind: 'exact', value: 0 },
      note: 'the listing answers it',
    },
    {
      op: 'SQS CreateQueue',
      minimum: converged ? 0 : lacking(s),
      check: { kind: 'exact', value: converged ? 0 : lacking(s) },
      note: converged
        ? 'converged'
        : `one DLQ per queue lacking one (${lacking(s)}), created with 14-day retention and tags`,
    },
    {
      op: 'SQS SetQueueAttributes',
      minimum: converged ? 0 : s.queues + 1,
      check: { kind: 'exact', value: converged ? 0 : s.queues + 1 },
      note: converged
        ? 'converged'
        : `RedrivePolicy on every queue (${lacking(s)} new DLQs, ${s.withSharedDlq} maxReceiveCount 50 → 3) and the shared DLQ's retention (1)`,
    },
  ];
  return rows;
}

export const minimumWrites = (phase: Phase, s: TargetShape) =>
  phase === 'steady' ? 0 : lacking(s) + s.queues + 1;
