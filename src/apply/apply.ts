import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import type { Inventory } from '../discovery/inventory.js';
import { type Action, type Finding, findingKey, type Plan } from '../reconcile/model.js';
import { type FindingResult, findingLogger } from './auditLog.js';
import { CycleReads } from './cycleReads.js';
import { type FindingRunContext, type PendingFinding, runFinding, type Settle } from './findingRun.js';
import type { EventualWriteCheck } from './handlers/types.js';
import { deferredResult, unwrittenResult } from './notRun.js';
import { type ScheduledRun, schedule } from './schedule.js';
import { drainWorkQueue, type RequeueBackoff } from './workQueue.js';

export type { FindingResult, ResultStatus } from './auditLog.js';

export interface ApplyOptions {
  dryRun: boolean;
  /** Writes allowed this cycle; findings whose writes do not fit are `deferred`. */
  maxChanges: number;
  /**
   * The change cap (--max-change-percent) on the whole plan: when exceeded, every write is held
   * back (deferred). Unset: no cap.
   */
  maxChangePercent?: number;
  concurrency: number;
  verifyAttempts: number;
  verifyDelayMs: number;
  /** How writes the service shows only eventually (SQS attributes) are checked. Default: read back. */
  eventualWrites?: EventualWriteCheck;
  /** Retries, within the cycle, of a write that failed in a way worth retrying. Default 2. */
  writeRequeueRounds?: number;
  /** The wait before a requeued write: full jitter under base·2^round, at most cap. */
  writeRequeueBackoff?: RequeueBackoff;
  endpoint?: string;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the requeue backoff's jitter (tests fix it). */
  random?: () => number;
  /** Once aborted, findings whose writes have not started are deferred; started ones finish. */
  signal?: AbortSignal;
  /**
   * Called before every write; throwing stops that finding (reported deferred). The leader
   * lease's fencing check goes here, so that a controller that lost its lease cannot write.
   */
  beforeWrite?: (action: Action) => Promise<void>;
  /**
   * The facts the plan was made from. When given, what each finding's writes would overwrite is
   * read again first, and a finding whose resource changed or vanished meanwhile is deferred.
   */
  inventory?: Inventory;
}

export const DEFAULT_WRITE_REQUEUE_ROUNDS = 2;
export const DEFAULT_WRITE_REQUEUE_BACKOFF: RequeueBackoff = { baseMs: 1_000, capMs: 20_000 };

/**
 * Runs the plan's writes as the schedule says: first the findings that wait for nothing, then
 * those that wait for another's writes (run only if it was fixed). Decides nothing itself but
 * what only a write can tell: one finding's writes run in order and stop at the first failure; a
 * failure never stops the other findings, and one worth retrying is retried within the cycle.
 */
export async function applyPlan(
  plan: Plan,
  aws: AwsClients,
  options: ApplyOptions,
): Promise<FindingResult[]> {
  const planned = schedule(plan, {
    dryRun: options.dryRun,
    maxChanges: options.maxChanges,
    ...(options.maxChangePercent === undefined ? {} : { maxChangePercent: options.maxChangePercent }),
  });
  const results = new Map<Finding, FindingResult>();
  for (const { finding, reason } of planned.unwritten)
    results.set(finding, unwrittenResult(options.logger, finding, reason));
  for (const { finding, reason } of planned.deferred)
    results.set(finding, deferredResult(options.logger, finding, reason));

  const run = runner(aws, options);
  const first = planned.run.filter((r) => r.after.length === 0);
  for (const [i, result] of (await run(first.map((r) => r.finding))).entries())
    results.set(first[i]?.finding as Finding, result);
  // Fixed, or found already as desired: what waits for it may go ahead.
  const ready = new Set(
    [...results.values()]
      .filter((r) => r.status === 'fixed' || (r.status === 'pass' && r.finding.status === 'drift'))
      .map((r) => findingKey(r.finding)),
  );
  const waiting = planned.run.filter((r) => r.after.length > 0);
  const unblocked = waiting.filter((r) => blockerOf(r, ready) === undefined);
  for (const r of waiting) {
    const blocker = blockerOf(r, ready);
    if (blocker !== undefined)
      results.set(r.finding, deferredResult(options.logger, r.finding, { kind: 'waits-for', blocker }));
  }
  for (const [i, result] of (await run(unblocked.map((r) => r.finding))).entries())
    results.set(unblocked[i]?.finding as Finding, result);
  return plan.findings.map((f) => results.get(f) as FindingResult);
}

/** The first finding a scheduled run waits for that did not come out fixed (the dynamic case). */
const blockerOf = (run: ScheduledRun, ready: ReadonlySet<string>) => run.after.find((key) => !ready.has(key));

/** The audit line of a write put back on the work queue: it is tried again after `delayMs`. */
function logRequeue(logger: Logger, pending: PendingFinding, round: number, delayMs: number): void {
  const { write, code } = pending.failure ?? { write: undefined, code: undefined };
  findingLogger(logger, pending.finding).warn(
    { decision: 'write', write, outcome: 'requeued', code, round, delayMs: Math.round(delayMs) },
    `${write} failed (${code}); tried again in this cycle`,
  );
}

/** Runs findings' writes through the cycle's work queue; results in the findings' order. */
function runner(aws: AwsClients, options: ApplyOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const ctx: FindingRunContext = {
    aws,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    verifyAttempts: options.verifyAttempts,
    verifyDelayMs: options.verifyDelayMs,
    ...(options.eventualWrites ? { eventualWrites: options.eventualWrites } : {}),
    sleep,
    logger: options.logger,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.beforeWrite ? { beforeWrite: options.beforeWrite } : {}),
    ...(options.inventory ? { inventory: options.inventory } : {}),
    // One per cycle (both rounds of findings): each resource read at most once per purpose.
    reads: new CycleReads(),
  };
  return async (findings: readonly Finding[]): Promise<FindingResult[]> => {
    const settled = await drainWorkQueue<PendingFinding, Settle>(
      findings.map((finding) => ({ finding, from: 0 })),
      (pending) => runFinding(pending, ctx),
      {
        rounds: options.writeRequeueRounds ?? DEFAULT_WRITE_REQUEUE_ROUNDS,
        concurrency: options.concurrency,
        backoff: options.writeRequeueBackoff ?? DEFAULT_WRITE_REQUEUE_BACKOFF,
        sleep,
        random: options.random ?? Math.random,
        ...(options.signal ? { signal: options.signal } : {}),
        onRequeue: (pending, round, delayMs) => logRequeue(options.logger, pending, round, delayMs),
      },
    );
    return settled.map((settle) => settle());
  };
}
