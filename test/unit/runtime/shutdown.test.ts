import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EXIT_FORCED, handleShutdownSignals } from '../../../src/runtime/shutdown.js';
import { recordingLogger } from '../../support/harness.js';

function signals() {
  const source = new EventEmitter();
  return {
    source: source as unknown as { on: () => void; off: () => void } & EventEmitter,
    send: (signal: NodeJS.Signals) => source.emit(signal),
    count: (signal: NodeJS.Signals) => source.listenerCount(signal),
  };
}

describe('handleShutdownSignals', () => {
  it('SIGTERM starts one graceful shutdown; a second signal does not start another; listeners are removed', async () => {
    const sig = signals();
    const log = recordingLogger();
    const reasons: string[] = [];
    let release: () => void = () => undefined;
    const forced: number[] = [];
    const handle = handleShutdownSignals({
      graceMs: 5000,
      logger: log.logger,
      source: sig.source,
      forceExit: (code) => forced.push(code),
      shutdown: async (reason, deadline) => {
        reasons.push(reason);
        expect(deadline - performance.now()).toBeGreaterThan(4000);
        await new Promise<void>((r) => {
          release = r;
        });
        return 0;
      },
    });
    expect(sig.count('SIGTERM')).toBe(1);
    expect(sig.count('SIGINT')).toBe(1);
    expect(handle.stopping).toBe(false);
    sig.send('SIGTERM');
    sig.send('SIGINT');
    expect(handle.stopping).toBe(true);
    expect(reasons).toEqual(['SIGTERM']);
    release();
    expect(await handle.done).toBe(0);
    expect(forced).toEqual([]);
    expect(sig.count('SIGTERM')).toBe(0);
    const messages = log.lines().map((l) => l.msg);
    expect(messages).toEqual([
      'shutdown requested: no new cycles',
      'shutdown already under way; waiting for the write in flight',
      'shutdown complete',
    ]);
  });

  it('exits with 1 when the shutdown outlasts the grace period', async () => {
    const sig = signals();
    const log = recordingLogger();
    const forced: number[] = [];
    const handle = handleShutdownSignals({
      graceMs: 100,
      logger: log.logger,
      source: sig.source,
      forceExit: (code) => forced.push(code),
      shutdown: () => new Promise<number>(() => undefined),
    });
    sig.send('SIGTERM');
    expect(await handle.done).toBe(EXIT_FORCED);
    expect(forced).toEqual([1]);
    expect(log.lines().at(-1)?.msg).toBe('shutdown did not finish within the grace period: exiting now');
  });

  it('begin() runs the same shutdown without a signal; a failing shutdown exits 1', async () => {
    const sig = signals();
    const handle = handleShutdownSignals({
      graceMs: 5000,
      logger: recordingLogger().logger,
      source: sig.source,
      forceExit: () => undefined,
      shutdown: async () => {
        throw new Error('could not close');
      },
    });
    handle.begin('start-up failed');
    expect(await handle.done).toBe(1);
  });
});
