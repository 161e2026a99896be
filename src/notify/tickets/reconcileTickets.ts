/**
 * Tickets reconciled like the resources they are about: the report says which (resource, rule)
 * need a person now, the sink says which tickets are open; the difference is a plan of ticket
 * operations (pure), then applied one by one (a failure is counted, the rest go on).
 */
import type { Logger } from 'pino';
import type { DriftReport, DriftResult } from '../../report/driftReport.js';
import { errorFacts, type Scrub } from '../redact.js';
import { ticketFingerprint } from './fingerprint.js';
import type { TicketRef, TicketSink } from './sink.js';
import {
  needsTicket,
  type ResolutionReason,
  resolution,
  type TicketContent,
  type TicketResolution,
  ticketContent,
} from './ticketContent.js';

export type TicketOp =
  | { readonly kind: 'open'; readonly content: TicketContent }
  | { readonly kind: 'update'; readonly ref: TicketRef; readonly content: TicketContent }
  | { readonly kind: 'resolve'; readonly ref: TicketRef; readonly resolution: TicketResolution };

export interface TicketPlan {
  /** Within this cycle's budget, in the order to run: opens, updates, resolves. */
  readonly ops: readonly TicketOp[];
  /** Over budget: they come back in the next cycle's plan. */
  readonly deferred: readonly TicketOp[];
  /** Open tickets whose finding persists unchanged: nothing to write. */
  readonly unchanged: readonly TicketRef[];
}

const RESOLVING: Partial<Record<DriftResult['status'], ResolutionReason>> = {
  pass: 'pass',
  fixed: 'fixed',
  skipped: 'skipped',
  waived: 'waived',
};

const ORDER: Record<TicketOp['kind'], number> = { open: 0, update: 1, resolve: 2 };

/** What a resolution says of the result that closes its ticket (a waived one: until when). */
const resolvedBy = (r: DriftResult) => ({
  resource: r.resource,
  rule: r.rule,
  ...(r.waiver ? { waiver: r.waiver } : {}),
});

/**
 * Pure. A ticket is closed only on evidence from this report: its (resource, rule) is now pass,
 * fixed, skipped or waived (a policy's exception accepts it until a date), or, for a read error, the resource was read and evaluated again. A resource
 * missing from the report (discovery failed, another target, no longer selected) keeps its ticket.
 */
export function planTickets(
  report: DriftReport,
  open: readonly TicketRef[],
  options: { maxOps: number },
): TicketPlan {
  const at = report.finishedAt;
  const fp = (r: { resource: string; rule: string }) => ticketFingerprint(report.target, r.resource, r.rule);

  const wanted = new Map<string, TicketContent>();
  const resultByFp = new Map<string, DriftResult>();
  for (const r of report.results) {
    const key = fp(r);
    if (!resultByFp.has(key)) resultByFp.set(key, r);
    if (needsTicket(r) && !wanted.has(key)) wanted.set(key, ticketContent(report.target, r, at));
  }
  // Resources read and evaluated this cycle: a read-error ticket about them is resolved.
  const readable = new Map<string, string>();
  const hasReadError = new Set(report.results.filter((r) => r.rule === 'read-error').map((r) => r.resource));
  for (const r of report.results) {
    if (r.rule !== 'read-error' && !hasReadError.has(r.resource)) {
      readable.set(fp({ resource: r.resource, rule: 'read-error' }), r.resource);
    }
  }

  const ops: TicketOp[] = [];
  const unchanged: TicketRef[] = [];
  const canonical = new Map<string, TicketRef>();
  for (const ref of open) {
    const first = canonical.get(ref.fingerprint);
    if (!first) {
      canonical.set(ref.fingerprint, ref);
      continue;
    }
    // Two open tickets for one fingerprint (a race between replicas, a hand-made copy): keep the first.
    const result = resultByFp.get(ref.fingerprint);
    ops.push({
      kind: 'resolve',
      ref,
      resolution: resolution('duplicate', {
        resource: result?.resource ?? ref.fingerprint,
        rule: result?.rule ?? 'edaguard',
        at,
        duplicateOf: first.url ?? `#${first.id}`,
      }),
    });
  }

  for (const [key, content] of wanted) {
    const ref = canonical.get(key);
    if (!ref) ops.push({ kind: 'open', content });
    else if (ref.stateHash !== content.stateHash) ops.push({ kind: 'update', ref, content });
    else unchanged.push(ref);
  }
  for (const [key, ref] of canonical) {
    if (wanted.has(key)) continue;
    const result = resultByFp.get(key);
    const reason = result ? RESOLVING[result.status] : undefined;
    if (result && reason) {
      ops.push({
        kind: 'resolve',
        ref,
        resolution: resolution(reason, { ...resolvedBy(result), at }),
      });
    } else if (!result && readable.has(key)) {
      ops.push({
        kind: 'resolve',
        ref,
        resolution: resolution('readable', { resource: readable.get(key) ?? '', rule: 'read-error', at }),
      });
    }
    // Otherwise: still drifting, or not evaluated this cycle. Leave it open and untouched.
  }
  const ordered = ops
    .map((op, index) => ({ op, index }))
    .sort((a, b) => ORDER[a.op.kind] - ORDER[b.op.kind] || a.index - b.index)
    .map(({ op }) => op);
  const budget = Math.max(0, options.maxOps);
  return { ops: ordered.slice(0, budget), deferred: ordered.slice(budget), unchanged };
}

export interface TicketOutcome {
  readonly sink: TicketSink['kind'];
  opened: number;
  updated: number;
  resolved: number;
  unchanged: number;
  deferred: number;
  failed: number;
  /** Fingerprint → the open ticket that tracks it now (for links in the Slack report). */
  readonly links: Map<string, TicketRef>;
}

/** Lists the open tickets, plans, applies. Never throws: every failure is logged and counted. */
export async function reconcileTickets(
  report: DriftReport,
  sink: TicketSink,
  options: { maxOps: number; logger: Logger; scrub: Scrub },
): Promise<TicketOutcome> {
  const log = options.logger.child({ sink: sink.kind });
  const outcome: TicketOutcome = {
    sink: sink.kind,
    opened: 0,
    updated: 0,
    resolved: 0,
    unchanged: 0,
    deferred: 0,
    failed: 0,
    links: new Map(),
  };
  let open: TicketRef[];
  try {
    open = await sink.listOpen(report.target);
  } catch (error) {
    // Without the open tickets, opening one could duplicate it: do nothing this cycle.
    log.warn(
      { error: errorFacts(error, options.scrub) },
      'cannot list open tickets; tickets wait for the next cycle',
    );
    outcome.failed += 1;
    return outcome;
  }
  const plan = planTickets(report, open, { maxOps: options.maxOps });
  for (const ref of plan.unchanged) outcome.links.set(ref.fingerprint, ref);
  outcome.unchanged = plan.unchanged.length;
  outcome.deferred = plan.deferred.length;
  if (plan.deferred.length > 0) {
    log.warn(
      { deferred: plan.deferred.length, maxOps: options.maxOps },
      'ticket budget for this cycle is spent',
    );
  }
  for (const op of plan.ops) {
    const fingerprint = op.kind === 'open' ? op.content.fingerprint : op.ref.fingerprint;
    const about =
      op.kind === 'resolve'
        ? { fingerprint, ticket: op.ref.id, reason: op.resolution.reason }
        : { fingerprint, resource: op.content.facts.resource, rule: op.content.facts.rule };
    try {
      if (op.kind === 'open') {
        const ref = await sink.open(op.content);
        outcome.links.set(fingerprint, ref);
        outcome.opened += 1;
        log.info({ ...about, ticket: ref.id, decision: 'open' }, 'ticket opened');
      } else if (op.kind === 'update') {
        const ref = await sink.update(op.ref, op.content);
        outcome.links.set(fingerprint, ref);
        outcome.updated += 1;
        log.info({ ...about, ticket: ref.id, decision: 'update' }, 'ticket updated');
      } else {
        await sink.resolve(op.ref, op.resolution, report.target);
        outcome.resolved += 1;
        log.info({ ...about, decision: 'resolve' }, 'ticket closed');
      }
    } catch (error) {
      outcome.failed += 1;
      if (op.kind === 'update') outcome.links.set(fingerprint, op.ref);
      log.warn(
        { ...about, decision: op.kind, error: errorFacts(error, options.scrub) },
        'ticket operation failed',
      );
    }
  }
  return outcome;
}
