import type { Logger } from 'pino';
import type { Finding } from '../reconcile/model.js';
import { decide, type FindingResult, findingLogger, levelOfSettled } from './auditLog.js';
import { describeAction } from './handlers/index.js';
import type { DeferReason, UnwrittenReason } from './schedule.js';

const STATUS_OF_FINDING = {
  pass: 'pass',
  skipped: 'skipped',
  error: 'failed',
  drift: 'drift',
  ticket: 'ticket',
  busy: 'deferred',
  waived: 'waived',
} as const;

/** The result, and audit line, of a finding the schedule lets write nothing. */
export function unwrittenResult(logger: Logger, finding: Finding, reason: UnwrittenReason): FindingResult {
  const log = findingLogger(logger, finding);
  if (reason === 'no-write') {
    const status = STATUS_OF_FINDING[finding.status];
    const result = { finding, status, message: finding.message };
    return decide(log, result, { decision: 'none' }, levelOfSettled(status));
  }
  const writes = finding.actions.map(describeAction);
  const mode = reason === 'dry-run' ? 'DRY-RUN' : 'AUDIT';
  log.info({ status: 'drift', decision: 'not-applied', mode, writes }, `${mode}: would ${writes.join('; ')}`);
  return { finding, status: 'drift', message: finding.message };
}

/** The result, and audit line, of a finding the schedule (or a failed dependency) holds back. */
export function deferredResult(logger: Logger, finding: Finding, reason: DeferReason): FindingResult {
  const log = findingLogger(logger, finding);
  const writes = finding.actions.map(describeAction);
  switch (reason.kind) {
    case 'budget': {
      const message = `${finding.message} (deferred: change budget of ${reason.maxChanges} spent)`;
      return decide(log, { finding, status: 'deferred', message }, { decision: 'deferred', writes }, 'warn');
    }
    case 'change-cap': {
      const write = writes[0];
      const message = `${write} held back: ${reason.message}`;
      const fields = { decision: 'held-back', write, code: 'CHANGE_CAP_EXCEEDED' };
      return decide(log, { finding, status: 'deferred', message }, fields, 'warn');
    }
    case 'waits-for': {
      const message = `${finding.message} (deferred: waits for ${reason.blocker.replace('|', ' on ')})`;
      return decide(log, { finding, status: 'deferred', message }, { decision: 'deferred' }, 'warn');
    }
  }
}
