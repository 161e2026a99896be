/**
 * A command waiting on a slow endpoint says so on a terminal after 3 s, then every 10 s while it
 * still waits; off a terminal it says nothing. The clock and the ticker are injected.
 */
import { describe, expect, it } from 'vitest';
import { CallCounter } from '../../../src/aws/callCounter.js';
import { endpointName, watchSlowCalls } from '../../../src/cli/slowCallNotice.js';

function harness(isTerminal = true) {
  let now = 0;
  const written: string[] = [];
  let tick: (() => void) | undefined;
  let tickers = 0;
  const counter = new CallCounter();
  watchSlowCalls(counter, {
    write: (t) => written.push(t),
    isTerminal,
    now: () => now,
    ticker: (_ms, fn) => {
      tick = fn;
      tickers += 1;
      return () => {
        tick = undefined;
      };
    },
  });
  /** Moves the clock by `ms`, one tick per second. */
  const advance = (ms: number) => {
    for (let t = 0; t < ms; t += 1000) {
      now += 1000;
      tick?.();
    }
  };
  const call = (operation: string, endpoint = 'https://sqs.us-east-1.amazonaws.com/') =>
    counter.begin({ service: 'SQS', operation, endpoint: () => endpoint });
  return { written, advance, call, ticking: () => tick !== undefined, tickers: () => tickers };
}

describe('watchSlowCalls', () => {
  it('says which endpoint and call it waits on, after 3 s, then every 10 s', () => {
    const h = harness();
    const end = h.call('ListQueues');
    h.advance(2000);
    expect(h.written).toEqual([]);
    h.advance(1000);
    expect(h.written).toEqual(['edaguard: waiting on sqs.us-east-1 (SQS ListQueues) for 3 s…\n']);
    h.advance(9000);
    expect(h.written).toHaveLength(1);
    h.advance(1000);
    expect(h.written[1]).toBe('edaguard: waiting on sqs.us-east-1 (SQS ListQueues) for 13 s…\n');
    end();
    expect(h.ticking()).toBe(false);
  });

  it('names the call waiting longest and counts the others', () => {
    const h = harness();
    h.call('ListQueues');
    h.advance(1000);
    h.call('GetQueueAttributes');
    h.call('GetQueueAttributes');
    h.advance(2000);
    expect(h.written).toEqual([
      'edaguard: waiting on sqs.us-east-1 (SQS ListQueues) for 3 s… (and 2 more calls)\n',
    ]);
  });

  it('says nothing of calls that answer in time, and ticks only while calls are in flight', () => {
    const h = harness();
    for (let i = 0; i < 5; i += 1) {
      const end = h.call('ListQueues');
      h.advance(2000);
      end();
      expect(h.ticking()).toBe(false);
    }
    expect(h.written).toEqual([]);
    expect(h.tickers()).toBe(5);
  });

  it('says nothing when stderr is not a terminal', () => {
    const h = harness(false);
    h.call('ListQueues');
    h.advance(60_000);
    expect(h.written).toEqual([]);
    expect(h.tickers()).toBe(0);
  });

  it('names an emulator by host and port, and a call whose endpoint is not resolved yet by its service', () => {
    expect(endpointName({ service: 'SQS', endpoint: () => 'http://127.0.0.1:5000/' })).toBe('127.0.0.1:5000');
    expect(endpointName({ service: 'SQS', endpoint: () => undefined })).toBe('SQS');
  });
});
