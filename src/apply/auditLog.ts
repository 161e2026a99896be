import type { Logger } from 'pino';
import type { Finding } from '../reconcile/model.js';

/**
 * What became of one finding. `drift` with actions means they were not run (dry-run or audit);
 * `waived`: a policy's exception accepts the drift until a date, nothing was written.
 */
export type ResultStatus =
  | 'pass'
  | 'drift'
  | 'ticket'
  | 'fixed'
  | 'failed'
  | 'deferred'
  | 'skipped'
  | 'waived';

export interface FindingResult {
  readonly finding: Finding;
  readonly status: ResultStatus;
  readonly message: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The level of a finding that needed no write. Compliant (`pass`) and out-of-scope (`skipped`)
 * findings are most of an account: at `info` they would bury the lines a person must act on.
 */
export function levelOfSettled(status: ResultStatus): LogLevel {
  if (status === 'failed') return 'error';
  return status === 'pass' || status === 'skipped' ? 'debug' : 'info';
}

/**
 * The audit trail: one line per decision, each with the cycle id (from the parent logger), the
 * resource, rule, final status, and the values before and after.
 */
export function findingLogger(logger: Logger, finding: Finding): Logger {
  return logger.child({
    resource: finding.resource,
    rule: finding.rule,
    policy: finding.policy,
    before: finding.observed,
    after: finding.desired,
  });
}

/** Logs the decision that settles a finding, and returns its result. */
export function decide(
  log: Logger,
  result: FindingResult,
  fields: Record<string, unknown>,
  level: LogLevel = 'info',
): FindingResult {
  log[level]({ status: result.status, ...fields }, result.message);
  return result;
}
