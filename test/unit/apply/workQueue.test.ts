import { describe, expect, it } from 'vitest';
import {
  type Attempt,
  drainWorkQueue,
  requeueDelayMs,
  type WorkQueueOptions,
} from '../../../src/apply/workQueue.js';

/** A fake clock: sleeping only records the wait. */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const options = (over: Partial<WorkQueueOptions> = {}): WorkQueueOptions => ({
  rounds: 2,
  concurrency: 2,
  backoff: { baseMs: 100, capMs: 1_000 },
  sleep: async () => {},
  random: () => 0.5,
  ...over,
});

/** Work that fails `failures[item]` times (asking for a retry), then succeeds; it records each try. */
function flaky(failures: Record<string, number>) {
  const tries: Array<[string, number]> = [];
  const work = async (item: string, round: number): Promise<Attempt<string, string>> => {
    tries.push([item, round]);
    const left = failures[item] ?? 0;
    if (left > 0) {
      failures[item] = left - 1;
      return { retry: `${item} still failing after round ${round}`, next: item };
    }
    return { done: `${item} ok in round ${round}` };
  };
  return { tries, work };
}

describe('requeueDelayMs: full jitter under an exponential ceiling', () => {
  it.each([
    { round: 0, random: 0.5, want: 50 },
    { round: 1, random: 0.5, want: 100 },
    { round: 2, random: 0.999, want: 399 },
    { round: 10, random: 0.5, want: 500 },
    { round: 3, random: 0, want: 0 },
  ])('round $round, random $random: $want ms', ({ round, random, want }) => {
    expect(requeueDelayMs(round, { baseMs: 100, capMs: 1_000 }, () => random)).toBeCloseTo(want);
  });
});

describe('drainWorkQueue', () => {
  it('runs each item once when nothing fails, results in the items’ order', async () => {
    const { tries, work } = flaky({});
    expect(await drainWorkQueue(['a', 'b', 'c'], work, options())).toEqual([
      'a ok in round 0',
      'b ok in round 0',
      'c ok in round 0',
    ]);
    expect(tries).toHaveLength(3);
  });

  it('requeues a failure with backoff and finishes it within the cycle', async () => {
    const clock = fakeSleep();
    const { tries, work } = flaky({ b: 2 });
    const requeued: Array<[string, number, number]> = [];
    const results = await drainWorkQueue(
      ['a', 'b'],
      work,
      options({
        sleep: clock.sleep,
        onRequeue: (item, round, ms) => requeued.push([item as string, round, ms]),
      }),
    );
    expect(results).toEqual(['a ok in round 0', 'b ok in round 2']);
    expect(requeued).toEqual([
      ['b', 0, 50],
      ['b', 1, 100],
    ]);
    expect(tries.filter(([i]) => i === 'b').map(([, r]) => r)).toEqual([0, 1, 2]);
    // Full jitter (random 0.5) under 100·2^0 then 100·2^1.
    expect(clock.waits).toEqual([50, 100]);
  });

  it('reports what still fails when its rounds are spent, and tries no more', async () => {
    const { tries, work } = flaky({ a: 5 });
    expect(await drainWorkQueue(['a'], work, options({ rounds: 2 }))).toEqual([
      'a still failing after round 2',
    ]);
    expect(tries).toHaveLength(3);
  });

  it('zero rounds: a failure is final at once', async () => {
    const clock = fakeSleep();
    const { work } = flaky({ a: 1 });
    expect(await drainWorkQueue(['a'], work, options({ rounds: 0, sleep: clock.sleep }))).toEqual([
      'a still failing after round 0',
    ]);
    expect(clock.waits).toEqual([]);
  });

  it('a retry resumes from what the attempt says (`next`)', async () => {
    const seen: number[] = [];
    const work = async (from: number): Promise<Attempt<number, string>> => {
      seen.push(from);
      return from < 2 ? { retry: `stopped at ${from}`, next: from + 1 } : { done: `done from ${from}` };
    };
    expect(await drainWorkQueue([0], work, options())).toEqual(['done from 2']);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('once the cycle is stopped nothing is requeued: a waiting item ends with its last result', async () => {
    const controller = new AbortController();
    const { tries, work } = flaky({ a: 5 });
    // The wait never ends by itself: only the abort ends it.
    const sleep = () => {
      controller.abort();
      return new Promise<void>(() => {});
    };
    const results = await drainWorkQueue(['a'], work, options({ sleep, signal: controller.signal }));
    expect(results).toEqual(['a still failing after round 0']);
    expect(tries).toEqual([['a', 0]]);
  });

  it('an already stopped cycle requeues nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const { tries, work } = flaky({ a: 1 });
    expect(await drainWorkQueue(['a'], work, options({ signal: controller.signal }))).toEqual([
      'a still failing after round 0',
    ]);
    expect(tries).toHaveLength(1);
  });

  it('never runs more attempts at once than its concurrency, requeued ones included', async () => {
    let inFlight = 0;
    let most = 0;
    const left: Record<string, number> = { a: 1, b: 1, c: 0, d: 0 };
    const work = async (item: string): Promise<Attempt<string, string>> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const l = left[item] ?? 0;
      left[item] = l - 1;
      return l > 0 ? { retry: item, next: item } : { done: item };
    };
    expect(await drainWorkQueue(['a', 'b', 'c', 'd'], work, options({ concurrency: 2 }))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(most).toBe(2);
  });
});
