import { describe, expect, it } from 'vitest';
import { SingleFlight, type SkipReason } from '../../../src/runtime/singleFlight.js';

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('SingleFlight', () => {
  it('runs one at a time: a trigger during a run is skipped and reported, not queued', async () => {
    const gate = deferred();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const skipped: Array<[SkipReason, string]> = [];
    const flight = new SingleFlight<string>(
      async () => {
        runs += 1;
        active += 1;
        maxActive = Math.max(maxActive, active);
        await gate.promise;
        active -= 1;
      },
      { onSkip: (reason, trigger) => skipped.push([reason, trigger]) },
    );
    expect(flight.trigger('start')).toBe(true);
    expect(flight.busy).toBe(true);
    expect(flight.trigger('schedule')).toBe(false);
    expect(flight.trigger('schedule')).toBe(false);
    gate.resolve();
    await flight.idle();
    expect(flight.busy).toBe(false);
    expect(runs).toBe(1);
    expect(maxActive).toBe(1);
    expect(skipped).toEqual([
      ['overlap', 'schedule'],
      ['overlap', 'schedule'],
    ]);
    // Idle again: the next trigger runs.
    expect(flight.trigger('schedule')).toBe(true);
    await flight.idle();
    expect(runs).toBe(2);
  });

  it('a run that throws is reported and the flight stays usable', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const flight = new SingleFlight<string>(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
      },
      { onError: (error) => errors.push(error) },
    );
    flight.trigger('a');
    await flight.idle();
    expect((errors[0] as Error).message).toBe('boom');
    expect(flight.trigger('b')).toBe(true);
    await flight.idle();
    expect(calls).toBe(2);
  });

  it('after close(), the run in progress finishes and no new run starts', async () => {
    const gate = deferred();
    const skipped: SkipReason[] = [];
    let finished = false;
    const flight = new SingleFlight<string>(
      async () => {
        await gate.promise;
        finished = true;
      },
      { onSkip: (reason) => skipped.push(reason) },
    );
    flight.trigger('a');
    flight.close();
    expect(flight.trigger('b')).toBe(false);
    const idle = flight.idle();
    gate.resolve();
    await idle;
    expect(finished).toBe(true);
    expect(skipped).toEqual(['closed']);
  });

  it('busyFor() measures the run in progress with the injected clock', async () => {
    let now = 1000;
    const gate = deferred();
    const flight = new SingleFlight<string>(
      () => gate.promise,
      {},
      () => now,
    );
    expect(flight.busyFor()).toBeUndefined();
    flight.trigger('a');
    now = 4500;
    expect(flight.busyFor()).toBe(3500);
    gate.resolve();
    await flight.idle();
    expect(flight.busyFor()).toBeUndefined();
  });
});
