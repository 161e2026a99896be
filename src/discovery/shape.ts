import { EdaguardError } from '../errors.js';

/**
 * An AWS answer edaguard does not understand for one resource: a missing attribute, a value of
 * the wrong shape (a RedrivePolicy that is not JSON) or an enum value newer than this code. It
 * becomes that resource's `error` finding, and nothing is written to the resource: a fix planned
 * on a guess could overwrite what AWS meant.
 */
export class UnexpectedResponseError extends EdaguardError {
  readonly resource: string;
  readonly field: string;
  constructor(resource: string, field: string, problem: string) {
    super('AWS_RESPONSE_UNEXPECTED', `${field} of ${resource} ${problem}; not changing it`);
    this.resource = resource;
    this.field = field;
  }
}

/** The value if it is one of `known`; otherwise the resource's UnexpectedResponseError. */
export function knownValue<T extends string>(
  resource: string,
  field: string,
  value: string,
  known: readonly T[],
): T {
  if ((known as readonly string[]).includes(value)) return value as T;
  throw new UnexpectedResponseError(
    resource,
    field,
    `is "${value}", which this version of edaguard does not know (known: ${known.join(', ')})`,
  );
}
