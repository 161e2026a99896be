/**
 * The per-resource read requeue: a read failing with throttling or a transient error goes back
 * on the queue after a full-jitter wait and runs again, in bounded rounds; one failing for good
 * (access denied, not found, an answer of unexpected shape) is not asked again. The waits are
 * injected: nothing here sleeps.
 */
import { describe, expect, it } from 'vitest';
import {
  createReadRunner,
  isRequeueableReadError,
  READ_REQUEUE_ROUNDS,
} from '../../../src/discovery/readRequeue.js';
import { UnexpectedResponseError } from '../../../src/discovery/shape.js';

const awsError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), {
    name,
    ...(status ? { $metadata: { httpStatusCode: status } } : {}),
    ...extra,
  });
const THROTTLED = () => awsError('RequestThrottled', 403);
const SERVER = () => awsError('InternalFailure', 500);
const TIMEOUT = () => awsError('TimeoutError');
const DROPPED = () => awsError('Error', undefined, { code: 'ECONNRESET' });
const DENIED = () => awsError('AccessDeniedException', 403);
const NOT_FOUND = () => awsError('ResourceNotFoundException', 404);
const UNEXPECTED = () => new UnexpectedResponseError('arn:q', 'VisibilityTimeout', 'is missing');

/** A read that throws the given errors in turn, then answers `ok`. */
function flaky(errors: Array<() => Error>) {
  let calls = 0;
  const read = async () => {
    const next = errors[calls];
    calls += 1;
    if (next) throw next();
    return 'ok';
  };
  return { read, calls: () => calls };
}

function runner(options: { extraRounds?: number; signal?: AbortSignal; concurrency?: number } = {}) {
  const waits: number[] = [];
  const run = createReadRunner({
    concurrency: options.concurrency ?? 4,
    ...(options.extraRounds !== undefined ? { extraRounds: options.extraRounds } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    timing: { baseDelayMs: 100, throttlingBaseDelayMs: 1_000, maxDelayMs: 20_000 },
    random: () => 0.999,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { run, waits };
}

describe('isRequeueableReadError', () => {
  it.each([
    ['throttling', THROTTLED(), true],
    ['a 500', SERVER(), true],
    ['a timeout', TIMEOUT(), true],
    ['a dropped connection', DROPPED(), true],
    ['access denied', DENIED(), false],
    ['not found', NOT_FOUND(), false],
    ['an answer of unexpected shape (AWS_RESPONSE_UNEXPECTED)', UNEXPECTED(), false],
    ['a string', 'boom', false],
  ])('%s: %s', (_label, error, expected) => {
    expect(isRequeueableReadError(error)).toBe(expected);
  });
});

describe('createReadRunner', () => {
  it('a read failing with retryable errors is run again until it answers, with no error left', async () => {
    const { run, waits } = runner();
    const read = flaky([THROTTLED, SERVER, DROPPED]);
    await expect(run(read.read)).resolves.toBe('ok');
    expect(read.calls()).toBe(4);
    // Full jitter (random ≈ 1 here), continuing the backoff past the SDK's attempts: base·2^(round+2).
    expect(waits).toEqual([3_996, 799, 1_598]);
  });

  it(`bounded: the first run and ${READ_REQUEUE_ROUNDS} more rounds, then the last error is thrown`, async () => {
    const { run, waits } = runner();
    const read = flaky([SERVER, SERVER, SERVER, TIMEOUT, SERVER]);
    await expect(run(read.read)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(read.calls()).toBe(1 + READ_REQUEUE_ROUNDS);
    expect(waits).toHaveLength(READ_REQUEUE_ROUNDS);
  });

  it('the rounds are an option: 0 means one run, as without requeue', async () => {
    const { run, waits } = runner({ extraRounds: 0 });
    const read = flaky([SERVER]);
    await expect(run(read.read)).rejects.toMatchObject({ name: 'InternalFailure' });
    expect(read.calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it.each([
    ['access denied', DENIED],
    ['not found', NOT_FOUND],
    ['an answer of unexpected shape', UNEXPECTED],
  ])('%s is not requeued', async (_label, makeError) => {
    const { run, waits } = runner();
    const error = makeError();
    let calls = 0;
    const read = async () => {
      calls += 1;
      throw error;
    };
    await expect(run(read)).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('once the cycle is aborted (deadline, shutdown), a failed read is not requeued', async () => {
    const controller = new AbortController();
    const { run, waits } = runner({ signal: controller.signal });
    const first = flaky([SERVER]);
    controller.abort();
    await expect(run(first.read)).rejects.toMatchObject({ name: 'InternalFailure' });
    expect(first.calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it('an abort during the wait ends the read with its last error', async () => {
    const controller = new AbortController();
    const run = createReadRunner({
      concurrency: 1,
      signal: controller.signal,
      sleep: async () => controller.abort(),
    });
    const read = flaky([THROTTLED]);
    await expect(run(read.read)).rejects.toMatchObject({ name: 'RequestThrottled' });
    expect(read.calls()).toBe(1);
  });

  it('a read waiting for its next round does not hold a concurrency slot', async () => {
    let release: () => void = () => {};
    const waiting = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = createReadRunner({ concurrency: 1, sleep: () => waiting });
    const failing = flaky([SERVER]);
    const first = run(failing.read);
    // The only slot is free while the first read waits: the second one runs now.
    await expect(run(async () => 'second')).resolves.toBe('second');
    release();
    await expect(first).resolves.toBe('ok');
  });
});
