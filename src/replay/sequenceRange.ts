/** Stream sequence numbers are decimal strings too long for a JS number: compare them as BigInt. */
export const seq = (s: string) => BigInt(s);

export interface ReadOutcome<R> {
  ok: boolean;
  records: R[];
  /** Why the range cannot be recovered (ok false). */
  reason?: string;
}

/** Errors that mean the records are gone or unreachable, not a transient failure. */
const GONE = new Set([
  'ExpiredIteratorException',
  'TrimmedDataAccessException',
  'ResourceNotFoundException',
  'InvalidArgumentException',
  'ValidationException',
]);

export function unrecoverableReason(error: unknown): string | undefined {
  const name = (error as { name?: string }).name ?? '';
  if (!GONE.has(name)) return undefined;
  return `${name}: ${(error as Error).message}`;
}

/**
 * Whether what was read back is the whole failed range: the first record must be the range's
 * first (otherwise it was trimmed) and the read must reach the last one (or batchSize records).
 */
export function checkRange<R>(
  records: R[],
  sequenceOf: (r: R) => string,
  range: { startSequenceNumber: string; endSequenceNumber: string; batchSize: number },
): ReadOutcome<R> {
  const first = records[0];
  if (!first)
    return {
      ok: false,
      records: [],
      reason: 'no record of the range is left in the stream (expired or trimmed)',
    };
  if (sequenceOf(first) !== range.startSequenceNumber)
    return {
      ok: false,
      records,
      reason: `the range's first record ${range.startSequenceNumber} is gone (the stream now starts at ${sequenceOf(first)}): expired or trimmed`,
    };
  const last = records[records.length - 1] as R;
  if (sequenceOf(last) !== range.endSequenceNumber && records.length < range.batchSize)
    return {
      ok: false,
      records,
      reason: `read ${records.length} record(s) up to ${sequenceOf(last)} but not the range's last, ${range.endSequenceNumber}`,
    };
  return { ok: true, records };
}

/** Keeps the records inside [start, end], at most batchSize of them. */
export function inRange<R>(
  records: R[],
  sequenceOf: (r: R) => string,
  range: { startSequenceNumber: string; endSequenceNumber: string; batchSize: number },
): R[] {
  const start = seq(range.startSequenceNumber);
  const end = seq(range.endSequenceNumber);
  return records
    .filter((r) => {
      const s = seq(sequenceOf(r));
      return s >= start && s <= end;
    })
    .slice(0, range.batchSize);
}
