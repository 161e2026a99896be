import type { Logger } from 'pino';
import type { CycleTrigger } from './cycleRunner.js';
import type { Metrics } from './metrics.js';
import { SingleFlight } from './singleFlight.js';

/**
 * One tick at a time. A tick that comes during a cycle is skipped (and counted), except a newly
 * acquired lease: that cycle runs right after the current one, so a new leader never waits for
 * the next scheduled tick.
 */
export function cycleFlight(
  tick: (trigger: CycleTrigger) => Promise<void>,
  options: { metrics: Pick<Metrics, 'ticksSkipped'>; logger: Logger },
): SingleFlight<CycleTrigger> {
  const { metrics, logger } = options;
  let rerun = false;
  const flight: SingleFlight<CycleTrigger> = new SingleFlight<CycleTrigger>(
    async (trigger) => {
      try {
        await tick(trigger);
      } finally {
        if (rerun) {
          rerun = false;
          setImmediate(() => flight.trigger('leader-acquired'));
        }
      }
    },
    {
      onSkip: (reason, trigger) => {
        if (reason === 'overlap' && trigger === 'leader-acquired') {
          rerun = true;
          return;
        }
        metrics.ticksSkipped.inc({ reason: reason === 'overlap' ? 'overlap' : 'shutting-down' });
        if (reason === 'overlap')
          logger.warn({ trigger }, 'tick skipped: the previous cycle is still running');
      },
      onError: (error, trigger) => logger.error({ err: error, trigger }, 'tick failed'),
    },
  );
  return flight;
}
