import { EdaguardError } from '../errors.js';
import type { ReadError } from './inventory.js';

/** A failed per-resource read, as its resource's read error. */
export function toReadError(resource: string, operation: string, error: unknown): ReadError {
  const e = error as { name?: string; message?: string };
  // AWS errors carry their code as the name; ours (an answer of unexpected shape) carry a code.
  const code = error instanceof EdaguardError ? error.code : (e.name ?? 'Error');
  return { resource, operation, code, message: e.message ?? String(error) };
}
