import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import { WriteRefusedError } from '../aws/writeFence.js';
import type { Inventory } from '../discovery/inventory.js';
import { type Action, type Finding, findingKey, type Plan } from '../reconcile/model.js';
import { describeAction, type ExecutorContext, executeAction } from './executors.js';
import { checkPreconditions, PreconditionFailedError } from './preconditions.js';
import { writeFailureOutcome } from './writeErrors.js';

/** What became of one finding. `drift` with actions means they were not run (dry-run or audit). */
export type ResultStatus = 'pass' | 'drift' | 'ticket' | 'fixed' | 'failed' | 'deferred' | 'skipped';

export interface FindingResult {
  readonly finding: Finding;
  readonly status: ResultStatus;
  readonly message: string;
}

export interface ApplyOptions {
  dryRun: boolean;
  /** Writes allowed this cycle; findings whose writes do not fit are `deferred`. */
  maxChanges: number;
  concurrency: number;
  verifyAttempts: number;
  verifyDelayMs: number;
  endpoint?: string;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
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

const STATUS_OF_FINDING = {
  pass: 'pass',
  skipped: 'skipped',
  error: 'failed',
  drift: 'drift',
  ticket: 'ticket',
  busy: 'deferred',
} as const;

/**
 * Runs the plan's writes. Decides nothing: which writes exist is the planner's business; here
 * only dry-run, enforcement and the change budget hold them back. One finding's writes run in
 * order and stop at the first failure; a failure never stops the other findings.
 */
export async function applyPlan(
  plan: Plan,
  aws: AwsClients,
  options: ApplyOptions,
): Promise<FindingResult[]> {
  const ctx: ExecutorContext = {
    aws,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    verifyAttempts: options.verifyAttempts,
    verifyDelayMs: options.verifyDelayMs,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  const limit = pLimit(options.concurrency);
  let budget = options.maxChanges;

  const applyFinding = async (finding: Finding): Promise<FindingResult> => {
    // The audit trail: one line per decision, each with the cycle id (from the parent logger),
    // the resource, rule, final status, and the values before and after.
    const log = options.logger.child({
      resource: finding.resource,
      rule: finding.rule,
      policy: finding.policy,
      before: finding.observed,
      after: finding.desired,
    });
    const decide = (
      result: FindingResult,
      fields: Record<string, unknown>,
      level: 'info' | 'warn' | 'error' = 'info',
    ): FindingResult => {
      log[level]({ status: result.status, ...fields }, result.message);
      return result;
    };
    if (finding.status !== 'drift' || finding.actions.length === 0) {
      const status = STATUS_OF_FINDING[finding.status];
      return decide(
        { finding, status, message: finding.message },
        { decision: 'none' },
        status === 'failed' ? 'error' : 'info',
      );
    }
    const writes = finding.actions.map(describeAction);
    if (options.dryRun || finding.enforcement === 'audit') {
      const mode = options.dryRun ? 'DRY-RUN' : 'AUDIT';
      log.info(
        { status: 'drift', decision: 'not-applied', mode, writes },
        `${mode}: would ${writes.join('; ')}`,
      );
      return { finding, status: 'drift', message: finding.message };
    }
    // Budget is taken synchronously, in plan order, so which findings are deferred is deterministic.
    if (finding.actions.length > budget) {
      const message = `${finding.message} (deferred: change budget of ${options.maxChanges} spent)`;
      return decide({ finding, status: 'deferred', message }, { decision: 'deferred', writes }, 'warn');
    }
    budget -= finding.actions.length;
    return limit(async () => {
      if (options.signal?.aborted) {
        budget += finding.actions.length;
        const message = `${finding.message} (deferred: cycle stopped before its writes)`;
        return decide({ finding, status: 'deferred', message }, { decision: 'deferred', writes }, 'warn');
      }
      if (options.inventory) {
        try {
          await checkPreconditions(finding.actions, options.inventory, aws);
        } catch (error) {
          if (!(error instanceof PreconditionFailedError)) {
            const e = error as { name?: string; message?: string };
            const message = `could not read ${finding.resource} again before writing: ${e.name ?? 'Error'}: ${e.message}`;
            return decide({ finding, status: 'deferred', message }, { decision: 'deferred', writes }, 'warn');
          }
          const fields = { decision: 'precondition-failed', code: error.code, writes, changed: error.fields };
          return decide({ finding, status: 'deferred', message: error.message }, fields, 'warn');
        }
      }
      for (const [index, action] of finding.actions.entries()) {
        const write = describeAction(action);
        // A finding whose first write was held back changed nothing; a later one leaves it half done.
        const heldBack = (error: unknown) => {
          const e = error as { code?: string; message?: string };
          const status = index === 0 ? ('deferred' as const) : ('failed' as const);
          const message = `${write} held back: ${e.message}`;
          return decide({ finding, status, message }, { decision: 'held-back', write, code: e.code }, 'warn');
        };
        try {
          await options.beforeWrite?.(action);
        } catch (error) {
          return heldBack(error);
        }
        try {
          await executeAction(action, ctx);
          log.info({ status: 'applied', decision: 'write', write, outcome: 'ok' }, `applied: ${write}`);
        } catch (error) {
          // The clients' write fence (the lease) refused or aborted an attempt: held back too.
          if (error instanceof WriteRefusedError) return heldBack(error);
          const e = error as { name?: string; code?: string; message?: string };
          const code = e.code ?? e.name ?? 'Error';
          // Busy, throttled after every retry, or deleted meanwhile: the next cycle looks again.
          const outcome = writeFailureOutcome(error);
          const done = index > 0 ? ` (${index} of ${finding.actions.length} writes done)` : '';
          const message =
            outcome === 'gone'
              ? `${write} not applied: the resource was deleted after discovery; edaguard does not recreate it${done}`
              : `${write} ${outcome === 'retry-next-cycle' ? 'deferred to the next cycle' : 'failed'}: ${code}: ${e.message}${done}`;
          const status = outcome === 'failed' ? 'failed' : 'deferred';
          return decide(
            { finding, status, message },
            { decision: 'write', write, outcome, code },
            status === 'failed' ? 'error' : 'warn',
          );
        }
      }
      return decide({ finding, status: 'fixed', message: finding.message }, { decision: 'fixed', writes });
    });
  };

  // Findings that wait for another's writes (a shared queue it creates) run after it, and only
  // when it was fixed.
  const results = new Map<Finding, FindingResult>();
  const first = plan.findings.filter((f) => !f.dependsOn?.length);
  for (const [i, r] of (await Promise.all(first.map(applyFinding))).entries())
    results.set(first[i] as Finding, r);
  const fixed = new Set(
    [...results.values()].filter((r) => r.status === 'fixed').map((r) => findingKey(r.finding)),
  );
  const waiting = plan.findings.filter((f) => f.dependsOn?.length);
  const second = await Promise.all(
    waiting.map((finding) => {
      const blocker = finding.dependsOn?.find((key) => !fixed.has(key));
      if (blocker === undefined || options.dryRun || finding.enforcement === 'audit')
        return applyFinding(finding);
      const message = `${finding.message} (deferred: waits for ${blocker.replace('|', ' on ')})`;
      options.logger.warn(
        {
          resource: finding.resource,
          rule: finding.rule,
          policy: finding.policy,
          before: finding.observed,
          after: finding.desired,
          status: 'deferred',
          decision: 'deferred',
        },
        message,
      );
      return Promise.resolve<FindingResult>({ finding, status: 'deferred', message });
    }),
  );
  for (const [i, r] of second.entries()) results.set(waiting[i] as Finding, r);
  return plan.findings.map((f) => results.get(f) as FindingResult);
}
