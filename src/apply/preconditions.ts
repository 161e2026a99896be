/**
 * Optimistic concurrency for writes. SQS and Lambda have no conditional updates, so before a
 * finding's first write the fields it is about to overwrite are read again (each handler's
 * `precondition`) and compared with what the plan saw. Someone else's edit since discovery (a
 * person, a pipeline) is then never silently overwritten, and a resource deleted since discovery
 * is never recreated: the finding is deferred, and the next cycle plans from fresh facts. The race
 * window shrinks from the whole cycle to the few milliseconds between this read and the write.
 */

import { isQueueMissing } from '../discovery/sqs.js';
import { EdaguardError } from '../errors.js';

/** Why a finding's writes did not start. `code`: RESOURCE_GONE or CHANGED_SINCE_DISCOVERY. */
export class PreconditionFailedError extends EdaguardError {
  constructor(
    code: 'RESOURCE_GONE' | 'CHANGED_SINCE_DISCOVERY',
    message: string,
    readonly fields: readonly string[] = [],
  ) {
    super(code, message);
  }
}

/** Resource missing at write time (deleted since discovery), per service. */
export function isResourceGone(error: unknown): boolean {
  return isQueueMissing(error) || (error as { name?: string })?.name === 'ResourceNotFoundException';
}

export function gone(what: string): PreconditionFailedError {
  return new PreconditionFailedError(
    'RESOURCE_GONE',
    `${what} was deleted after discovery; edaguard does not recreate it`,
  );
}

export function changedSince(what: string, fields: readonly string[]): PreconditionFailedError {
  return new PreconditionFailedError(
    'CHANGED_SINCE_DISCOVERY',
    `${what} changed after discovery (${fields.join(', ')}); not overwritten, the next cycle plans from what is there now`,
    fields,
  );
}
