import { awsCallOf } from '../aws/awsCall.js';
import { describeAwsError } from '../aws/awsErrorHints.js';
import { EdaguardError } from '../errors.js';
import type { ReadError } from './inventory.js';

/** A failed per-resource read, as its resource's read error. */
export function toReadError(resource: string, operation: string, error: unknown): ReadError {
  const e = error as { name?: string; message?: string };
  // AWS errors carry their code as the name; ours (an answer of unexpected shape) carry a code.
  const code = error instanceof EdaguardError ? error.code : (e.name ?? 'Error');
  const message = e.message ?? String(error);
  // A denied read says which IAM action to grant: that is what the reader of the plan must do.
  const service = awsCallOf(error)?.service;
  const described = describeAwsError(error, { ...(service ? { service } : {}), operation });
  const hint = described.kind === 'access-denied' ? ` (hint: ${described.hint})` : '';
  return { resource, operation, code, message: `${message}${hint}` };
}
