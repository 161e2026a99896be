import cron, { type ScheduledTask, type TaskContext } from 'node-cron';
import type { Logger } from 'pino';

/**
 * What calls the controller on schedule. The controller decides what a tick does (single-flight,
 * leader check); a ticker only says "now". Tests drive a manual ticker; production uses cron.
 */
export interface Ticker {
  start(onTick: () => void): void;
  stop(): Promise<void>;
  /** The next scheduled tick, when known. */
  nextTick(): Date | null;
}

/**
 * node-cron, evaluated in UTC (no daylight-saving gaps or repeats). The callback is synchronous
 * and returns at once, so node-cron's own overlap handling never comes into play: overlap is the
 * single-flight's business, where it is counted.
 */
export function cronTicker(expression: string, logger: Logger): Ticker {
  let task: ScheduledTask | undefined;
  const log = logger.child({ component: 'scheduler' });
  return {
    start(onTick) {
      if (task) throw new Error('ticker already started');
      task = cron.createTask(expression, () => onTick(), {
        name: 'edaguard-cycle',
        timezone: 'UTC',
        noOverlap: false,
        logger: {
          info: (message) => log.debug(message),
          warn: (message) => log.warn(message),
          error: (message, err) => log.error({ err: err ?? message }, String(message)),
          debug: (message) => log.debug(String(message)),
        },
      });
      task.on('execution:missed', (ctx: TaskContext) => {
        log.warn({ scheduledFor: ctx.date.toISOString() }, 'a tick was missed (event loop blocked)');
      });
      Promise.resolve(task.start()).catch((error: unknown) =>
        log.error({ err: error }, 'schedule did not start'),
      );
    },
    async stop() {
      const t = task;
      task = undefined;
      if (t) await t.destroy();
    },
    nextTick() {
      return task?.getNextRun() ?? null;
    },
  };
}

/** A ticker the caller drives: `tick()` fires the callback. For tests and one-off triggers. */
export function manualTicker(): Ticker & { tick(): void } {
  let callback: (() => void) | undefined;
  return {
    start(onTick) {
      callback = onTick;
    },
    async stop() {
      callback = undefined;
    },
    nextTick: () => null,
    tick() {
      callback?.();
    },
  };
}
