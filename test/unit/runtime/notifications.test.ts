import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/report/driftReport.js';
import { NotificationQueue, type ReportNotifier } from '../../../src/runtime/notifications.js';
import { recordingLogger } from '../../support/harness.js';

const REPORT = { kind: 'DriftReport' } as DriftReport;

describe('NotificationQueue', () => {
  it('sends in the background and flush() waits for what is pending', async () => {
    const sent: DriftReport[] = [];
    const notifier: ReportNotifier = {
      notify: async (report) => {
        await new Promise((r) => setTimeout(r, 100));
        sent.push(report);
        return { errors: 0 };
      },
    };
    const queue = new NotificationQueue(notifier, { logger: recordingLogger().logger });
    queue.publish(REPORT);
    queue.publish(REPORT);
    expect(queue.size).toBe(2);
    expect(sent).toEqual([]);
    expect(await queue.flush(5000)).toBe(0);
    expect(sent).toHaveLength(2);
    expect(queue.size).toBe(0);
  });

  it('flush() gives up at its timeout and says how many are left', async () => {
    const notifier: ReportNotifier = { notify: () => new Promise(() => undefined) };
    const queue = new NotificationQueue(notifier, { logger: recordingLogger().logger });
    queue.publish(REPORT);
    const started = performance.now();
    expect(await queue.flush(100)).toBe(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('counts failed deliveries by sink, and a notifier that throws', async () => {
    const errors: Array<[string, number]> = [];
    const outcomes = [
      { errors: 3, slack: 'failed', tickets: { failed: 1 } },
      { errors: 0, slack: 'sent' },
    ];
    let calls = 0;
    const notifier: ReportNotifier = {
      notify: async () => {
        calls += 1;
        if (calls === 3) throw new Error('bug');
        return outcomes[calls - 1] as { errors: number };
      },
    };
    const queue = new NotificationQueue(notifier, {
      logger: recordingLogger().logger,
      onErrors: (sink, n) => errors.push([sink, n]),
    });
    queue.publish(REPORT);
    queue.publish(REPORT);
    queue.publish(REPORT);
    await queue.flush(5000);
    expect(errors).toEqual([
      ['slack', 1],
      ['tickets', 1],
      ['state', 1],
      ['notifier', 1],
    ]);
  });

  it('without a notifier, publishing does nothing', async () => {
    const queue = new NotificationQueue(undefined, { logger: recordingLogger().logger });
    queue.publish(REPORT);
    expect(queue.size).toBe(0);
    expect(await queue.flush(0)).toBe(0);
  });
});
