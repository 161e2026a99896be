import type { Logger } from 'pino';
import type { DriftReport } from '../report/driftReport.js';

/**
 * What the loop needs of a notifier (src/notify: Slack, tickets): it takes a report, decides
 * itself whether it is news, never throws, and says how many deliveries failed.
 */
export interface ReportNotifier {
  notify(report: DriftReport): Promise<{
    errors: number;
    slack?: string;
    tickets?: { failed?: number };
  }>;
}

export interface NotificationQueueOptions {
  logger: Logger;
  /** Failed deliveries, by sink (`slack`, `tickets`, `state`). */
  onErrors?: (sink: string, count: number) => void;
}

/**
 * Sends each cycle's report in the background, so that a slow Slack or tracker never delays the
 * next cycle, and is flushed on shutdown: what is pending gets the time that is left.
 */
export class NotificationQueue {
  private readonly pending = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly notifier: ReportNotifier | undefined,
    private readonly options: NotificationQueueOptions,
  ) {
    this.log = options.logger.child({ component: 'notify' });
  }

  get size(): number {
    return this.pending.size;
  }

  publish(report: DriftReport): void {
    if (!this.notifier) return;
    const sending = this.deliver(this.notifier, report).finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  private async deliver(notifier: ReportNotifier, report: DriftReport): Promise<void> {
    try {
      const outcome = await notifier.notify(report);
      if (outcome.errors === 0) return;
      const slack = outcome.slack === 'failed' ? 1 : 0;
      const tickets = outcome.tickets?.failed ?? 0;
      const other = Math.max(0, outcome.errors - slack - tickets);
      if (slack > 0) this.options.onErrors?.('slack', slack);
      if (tickets > 0) this.options.onErrors?.('tickets', tickets);
      if (other > 0) this.options.onErrors?.('state', other);
    } catch (error) {
      // A notifier should not throw; if it does, the loop goes on and the failure is counted.
      this.options.onErrors?.('notifier', 1);
      this.log.error({ err: (error as Error).message }, 'notifier failed');
    }
  }

  /** Waits for pending notifications up to `timeoutMs`. Returns how many were still pending. */
  async flush(timeoutMs: number): Promise<number> {
    if (this.pending.size === 0) return 0;
    this.log.info({ pending: this.pending.size }, 'flushing notifications');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
    });
    const drained = (async () => {
      while (this.pending.size > 0) await Promise.all([...this.pending]);
      return 'drained' as const;
    })();
    const result = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    return result === 'timeout' ? this.pending.size : 0;
  }
}
