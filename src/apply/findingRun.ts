/**
 * One finding's writes, in order, from a given write on (a requeued finding resumes where it
 * failed): the preconditions of the writes still to run, then each write and its read-back. The
 * first failure stops the finding; a failure worth another try asks the work queue for one.
 */
import type { Logger } from 'pino';
import { WriteRefusedError } from '../aws/writeFence.js';
import type { Inventory } from '../discovery/inventory.js';
import type { Action, Finding } from '../reconcile/model.js';
import { decide, type FindingResult, findingLogger } from './auditLog.js';
import {
  checkPrecondition,
  describeAction,
  executeAction,
  type PreconditionVerdict,
  resourceOf,
  type WriteContext,
} from './handlers/index.js';
import { PreconditionFailedError } from './preconditions.js';
import type { Attempt } from './workQueue.js';
import { isRequeueable, writeFailureOutcome } from './writeErrors.js';

/** A finding on the work queue: its writes from `from` on are still to run. */
export interface PendingFinding {
  readonly finding: Finding;
  readonly from: number;
  /** Set when a try failed and the finding was put back: its write may have landed even so. */
  readonly failure?: { readonly write: string; readonly code: string };
}

export interface FindingRunContext extends WriteContext {
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly beforeWrite?: (action: Action) => Promise<void>;
  /** When given, each write's precondition is read before the finding's first write. */
  readonly inventory?: Inventory;
}

/** A result that is logged (its audit line) when it becomes final: a requeued try's is not. */
export type Settle = () => FindingResult;

/** Why a write did not go through: held back before it went out, or failed. */
type WriteFailure = { readonly heldBack: unknown } | { readonly failed: unknown };

export async function runFinding(
  pending: PendingFinding,
  ctx: FindingRunContext,
): Promise<Attempt<PendingFinding, Settle>> {
  // One finding at a time per resource: the next starts from what the last one read or wrote.
  if (!ctx.reads) return runFindingAlone(pending, ctx);
  const resources = pending.finding.actions.slice(pending.from).map(resourceOf);
  return ctx.reads.exclusive(resources, () => runFindingAlone(pending, ctx));
}

async function runFindingAlone(
  pending: PendingFinding,
  ctx: FindingRunContext,
): Promise<Attempt<PendingFinding, Settle>> {
  const { finding, from } = pending;
  const log = findingLogger(ctx.logger, finding);
  const writes = finding.actions.map(describeAction);
  // A finding that wrote nothing yet is only deferred; one stopped half way is left half done.
  const status = from === 0 ? ('deferred' as const) : ('failed' as const);
  const settled = (message: string, fields: Record<string, unknown>) => {
    const result = decide(log, { finding, status, message }, fields, 'warn');
    return { done: () => result };
  };
  if (ctx.signal?.aborted)
    return settled(`${finding.message} (deferred: cycle stopped before its writes)`, {
      decision: 'deferred',
      writes,
    });
  const remaining = finding.actions.slice(from);
  const verdicts = await readPreconditions(remaining, ctx);
  if (!Array.isArray(verdicts)) {
    const error = verdicts.error;
    if (error instanceof PreconditionFailedError) {
      const fields = { decision: 'precondition-failed', code: error.code, writes, changed: error.fields };
      return settled(error.message, fields);
    }
    const e = error as { name?: string; message?: string };
    const message = `could not read ${finding.resource} again before writing: ${e.name ?? 'Error'}: ${e.message}`;
    return settled(message, { decision: 'deferred', writes });
  }
  for (const [offset, action] of remaining.entries()) {
    const failure = await runWrite(action, verdicts[offset] ?? 'proceed', ctx, log);
    if (!failure) continue;
    const index = from + offset;
    const settle = () => failureResult(finding, index, failure, log);
    if (!('failed' in failure) || !isRequeueable(failure.failed)) {
      const result = settle();
      return { done: () => result };
    }
    const e = failure.failed as { name?: string; code?: string };
    const requeued = { write: writes[index] as string, code: e.code ?? e.name ?? 'Error' };
    return { retry: settle, next: { finding, from: index, failure: requeued } };
  }
  // Already as desired, and not by an earlier try of this cycle: someone else fixed it.
  const nothingWritten = !pending.failure && from === 0 && verdicts.every((v) => v === 'unchanged');
  const result = nothingWritten
    ? decide(
        log,
        {
          finding,
          status: 'pass',
          message: `${finding.message} (already as desired when read again before writing: nothing written)`,
        },
        { decision: 'unchanged', writes },
      )
    : decide(log, { finding, status: 'fixed', message: finding.message }, { decision: 'fixed', writes });
  return { done: () => result };
}

async function readPreconditions(
  actions: readonly Action[],
  ctx: FindingRunContext,
): Promise<PreconditionVerdict[] | { error: unknown }> {
  const { inventory } = ctx;
  if (!inventory) return actions.map(() => 'proceed');
  const verdicts: PreconditionVerdict[] = [];
  try {
    // All before the first write: a DLQ is not created for a source queue deleted meanwhile.
    for (const action of actions)
      verdicts.push(
        await checkPrecondition(action, {
          aws: ctx.aws,
          inventory,
          endpoint: ctx.endpoint,
          ...(ctx.reads ? { reads: ctx.reads } : {}),
        }),
      );
  } catch (error) {
    return { error };
  }
  return verdicts;
}

/** Runs one write unless its precondition found it already as desired; undefined: it went through. */
async function runWrite(
  action: Action,
  verdict: PreconditionVerdict,
  ctx: FindingRunContext,
  log: Logger,
): Promise<WriteFailure | undefined> {
  const write = describeAction(action);
  if (verdict === 'unchanged') {
    log.info({ decision: 'write', write, outcome: 'unchanged' }, `unchanged: ${write} (already as desired)`);
    return undefined;
  }
  try {
    await ctx.beforeWrite?.(action);
  } catch (error) {
    return { heldBack: error };
  }
  try {
    const { change, verifiedBy } = await executeAction(action, ctx);
    log.info(
      { status: 'applied', decision: 'write', write, outcome: 'ok', change, verifiedBy },
      `applied: ${write}${verifiedBy === 'next-cycle' ? ' (the next cycle reads it back)' : ''}`,
    );
    return undefined;
  } catch (error) {
    // The clients' write fence (the lease) refused or aborted an attempt: held back too.
    return error instanceof WriteRefusedError ? { heldBack: error } : { failed: error };
  }
}

/** The final result of a finding stopped by the failure of its write `index`. */
function failureResult(finding: Finding, index: number, failure: WriteFailure, log: Logger): FindingResult {
  const write = describeAction(finding.actions[index] as Action);
  if ('heldBack' in failure) {
    // A finding whose first write was held back changed nothing; a later one leaves it half done.
    const e = failure.heldBack as { code?: string; message?: string };
    const status = index === 0 ? ('deferred' as const) : ('failed' as const);
    const message = `${write} held back: ${e.message}`;
    return decide(log, { finding, status, message }, { decision: 'held-back', write, code: e.code }, 'warn');
  }
  const e = failure.failed as { name?: string; code?: string; message?: string };
  const code = e.code ?? e.name ?? 'Error';
  // Busy, throttled after every retry, or deleted meanwhile: the next cycle looks again.
  const outcome = writeFailureOutcome(failure.failed);
  const done = index > 0 ? ` (${index} of ${finding.actions.length} writes done)` : '';
  const message =
    outcome === 'gone'
      ? `${write} not applied: the resource was deleted after discovery; edaguard does not recreate it${done}`
      : `${write} ${outcome === 'retry-next-cycle' ? 'deferred to the next cycle' : 'failed'}: ${code}: ${e.message}${done}`;
  const status = outcome === 'failed' ? 'failed' : 'deferred';
  return decide(
    log,
    { finding, status, message },
    { decision: 'write', write, outcome, code },
    status === 'failed' ? 'error' : 'warn',
  );
}
