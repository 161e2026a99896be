/**
 * `before → after` per field that differs between what was read and what the policy wants:
 * nested objects as dotted paths (`RedrivePolicy.maxReceiveCount 50 → 3`), equal fields left out.
 */
import { isDeepStrictEqual } from 'node:util';
import { arnName } from './resourceLabel.js';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function collect(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isPlainObject(after) && (isPlainObject(before) || before === undefined || before === null)) {
    const was = isPlainObject(before) ? before : {};
    // Only what the policy states: a field it leaves out is not changed (rules desire a subset).
    for (const key of Object.keys(after)) collect(path ? `${path}.${key}` : key, was[key], after[key], out);
    return;
  }
  out.push({ path, before, after });
}

/** The fields that change; none when nothing is desired (a ticket or a skip with desired null). */
export function fieldChanges(observed: unknown, desired: unknown): FieldChange[] {
  if (desired === null || desired === undefined) return [];
  const out: FieldChange[] = [];
  collect('', observed ?? undefined, desired, out);
  return out;
}

/** A value as one short token: an ARN by its name (the row names the resource), `-` for none. */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value.startsWith('arn:') ? arnName(value) : value;
  return JSON.stringify(value);
}

export const formatChange = (c: FieldChange): string =>
  `${c.path || 'value'} ${showValue(c.before)} → ${showValue(c.after)}`;
