/** Each phase's calls per operation, beside what was expected of it. */
import type { CallRecord } from '../../src/aws/callCounter.js';
import { isWriteOperation } from '../../src/aws/callCounter.js';
import type { Expected } from './expectations.js';
import { type CallSpec, expectedCalls, type PhaseModel } from './expectedCalls.js';
import type { PhaseResult } from './measure.js';

export interface Row extends CallSpec {
  calls: number;
  errors: number;
  notFound: number;
  /** First request start and last request end, seconds since the phase started. */
  active?: [number, number];
}

export function rowsFor(model: PhaseModel, result: PhaseResult<unknown>, e: Expected): Row[] {
  const calls = result.calls;
  const spec = expectedCalls(model, e);
  const activeOf = (operation: string): [number, number] | undefined => {
    const [service, op] = operation.split('.') as [string, string];
    const mine = result.requests.filter((r) => r.service === service && r.operation === op);
    if (mine.length === 0) return undefined;
    return [Math.min(...mine.map((r) => r.start)) / 1000, Math.max(...mine.map((r) => r.end)) / 1000];
  };
  const count = (service: string, operation: string, outcome?: CallRecord['outcome']) =>
    calls
      .filter(
        (c) =>
          c.service === service &&
          c.operation === operation &&
          (outcome === undefined || c.outcome === outcome),
      )
      .reduce((sum, c) => sum + c.count, 0);
  const rows: Row[] = spec.map((s) => {
    const [service, operation] = s.operation.split('.') as [string, string];
    const active = activeOf(s.operation);
    return {
      ...s,
      calls: count(service, operation),
      errors: count(service, operation, 'error') + count(service, operation, 'throttled'),
      notFound: count(service, operation, 'not-found'),
      ...(active ? { active } : {}),
    };
  });
  // Anything else the controller called is beyond the minimum and unexplained.
  const known = new Set(spec.map((s) => s.operation));
  for (const key of new Set(calls.map((c) => `${c.service}.${c.operation}`))) {
    if (known.has(key)) continue;
    const [service, operation] = key.split('.') as [string, string];
    const active = activeOf(key);
    rows.push({
      operation: key,
      calls: count(service, operation),
      errors: count(service, operation, 'error') + count(service, operation, 'throttled'),
      notFound: count(service, operation, 'not-found'),
      minimum: 0,
      expected: 0,
      expectedOnAws: 0,
      note: 'not expected at all',
      ...(active ? { active } : {}),
    });
  }
  return rows;
}

export const isWriteRow = (r: Row) => isWriteOperation(r.operation.split('.')[1] ?? '');

export interface Totals {
  reads: number;
  writes: number;
  minReads: number;
  minWrites: number;
  /** Observed reads with moto's page counts replaced by what AWS would page. */
  readsOnAws: number;
}

export function totals(rows: Row[], service?: string): Totals {
  const t: Totals = { reads: 0, writes: 0, minReads: 0, minWrites: 0, readsOnAws: 0 };
  for (const r of rows) {
    if (service && !r.operation.startsWith(`${service}.`)) continue;
    if (isWriteRow(r)) {
      t.writes += r.calls;
      t.minWrites += r.minimum;
    } else {
      t.reads += r.calls;
      t.minReads += r.minimum;
      // Only the paging differs between moto and AWS: shift by the page-count difference.
      t.readsOnAws += r.calls + (r.expectedOnAws - r.expected);
    }
  }
  return t;
}

export const callsOf = (rows: Row[], operation: string) =>
  rows.find((r) => r.operation === operation)?.calls ?? 0;
