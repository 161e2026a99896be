import type { Logger } from 'pino';

/** The part of `process` this module uses; tests pass an EventEmitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface ShutdownOptions {
  /** From the signal to exit, at most. The orchestrator's own timeout must be longer. */
  graceMs: number;
  logger: Logger;
  /**
   * Stops the service gracefully; returns the exit code. `deadline` is the performance.now()
   * time by which the process exits, so each stage can take only the time that is left.
   */
  shutdown: (reason: string, deadline: number) => Promise<number>;
  signals?: readonly NodeJS.Signals[];
  source?: SignalSource;
  /** Called when the grace period runs out before `shutdown` returned. Default: process.exit. */
  forceExit?: (code: number) => void;
}

export interface ShutdownHandle {
  /** Resolves with the exit code once the service has stopped. */
  readonly done: Promise<number>;
  /** Starts the same graceful shutdown as a signal would (e.g. after a fatal error). */
  begin(reason: string): void;
  readonly stopping: boolean;
}

export const EXIT_FORCED = 1;

/**
 * SIGTERM (and SIGINT) start one graceful shutdown; a second signal only says it is under way.
 * If the shutdown has not finished within the grace period, the process exits with 1 rather than
 * be killed without a word by the orchestrator.
 */
export function handleShutdownSignals(options: ShutdownOptions): ShutdownHandle {
  const source = options.source ?? process;
  const signals = options.signals ?? (['SIGTERM', 'SIGINT'] as const);
  const forceExit = options.forceExit ?? ((code: number) => process.exit(code));
  const log = options.logger.child({ component: 'shutdown' });
  let stopping = false;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  const listeners = signals.map((signal) => {
    const listener = () => begin(signal);
    source.on(signal, listener);
    return { signal, listener };
  });
  const dispose = () => {
    for (const { signal, listener } of listeners) source.off(signal, listener);
  };

  function begin(reason: string): void {
    if (stopping) {
      log.warn({ reason }, 'shutdown already under way; waiting for the write in flight');
      return;
    }
    stopping = true;
    const deadline = performance.now() + options.graceMs;
    log.info({ reason, graceSeconds: options.graceMs / 1000 }, 'shutdown requested: no new cycles');
    const timer = setTimeout(() => {
      log.error(
        { graceSeconds: options.graceMs / 1000 },
        'shutdown did not finish within the grace period: exiting now',
      );
      dispose();
      resolveDone(EXIT_FORCED);
      forceExit(EXIT_FORCED);
    }, options.graceMs);
    timer.unref();
    options
      .shutdown(reason, deadline)
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        return EXIT_FORCED;
      })
      .then((code) => {
        clearTimeout(timer);
        dispose();
        log.info({ exitCode: code }, 'shutdown complete');
        resolveDone(code);
      });
  }

  return {
    done,
    begin,
    get stopping() {
      return stopping;
    },
  };
}
