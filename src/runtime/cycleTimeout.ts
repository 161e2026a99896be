import { EdaguardError } from '../errors.js';

/** Why a cycle's signal was aborted; the reason the AbortSignal carries. */
export class CycleStopError extends EdaguardError {
  constructor(
    readonly why: 'timeout' | 'shutdown' | 'leadership-lost',
    message: string,
  ) {
    super(why === 'timeout' ? 'CYCLE_TIMEOUT' : 'CYCLE_STOPPED', message);
  }
}

export interface CycleDeadline {
  /** Passed to runCycle: once aborted, findings whose writes have not started are deferred. */
  readonly signal: AbortSignal;
  /** Stops the cycle now (shutdown, lost lease); the first reason wins. */
  stop(error: CycleStopError): void;
  /** Times the cycle out now, as the timer would. */
  expire(): void;
  /** Why the cycle was stopped, if it was. */
  reason(): CycleStopError | undefined;
  /** Clears the timer; call when the cycle is over. */
  dispose(): void;
}

/**
 * The signal of one cycle: aborted when the cycle has run `timeoutMs`, or when stop() is called.
 * An abort never interrupts a write in progress (apply checks the signal between findings), so a
 * finding's writes are all made or none.
 */
export function cycleDeadline(timeoutMs: number): CycleDeadline {
  const controller = new AbortController();
  let why: CycleStopError | undefined;
  const stop = (error: CycleStopError) => {
    if (why) return;
    why = error;
    controller.abort(error);
  };
  const expire = () =>
    stop(
      new CycleStopError(
        'timeout',
        `cycle timed out after ${timeoutMs / 1000} s: writes not yet started are deferred`,
      ),
    );
  const timer = setTimeout(expire, timeoutMs);
  timer.unref();
  return {
    signal: controller.signal,
    stop,
    expire,
    reason: () => why,
    dispose: () => clearTimeout(timer),
  };
}
