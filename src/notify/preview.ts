/**
 * What the notifier would send, without sending anything: for each report (taken as consecutive
 * cycles), the Slack message as readable text, or why nothing would be posted, and the ticket
 * operations printed by the dry-run sink. The same code path as `notify`, with printing sinks.
 */
import type { Logger } from 'pino';
import type { DriftReport } from '../report/driftReport.js';
import { createNotifier, type NotifyOutcome } from './index.js';
import type { SlackNotifier } from './slackNotifier.js';
import { renderSlackText } from './slackText.js';
import { memoryStateStore } from './stateStore.js';
import { createDryRunSink } from './tickets/dryRunSink.js';

export async function previewNotifications(
  reports: readonly DriftReport[],
  print: (text: string) => void,
  logger: Logger,
): Promise<NotifyOutcome[]> {
  const slack: SlackNotifier = {
    async post(payload) {
      print(`-- Slack message --\n${renderSlackText(payload)}\n`);
      return { ok: true, attempts: 1 };
    },
  };
  const notifier = createNotifier({
    slack,
    tickets: createDryRunSink((text) => print(`-- Ticket --\n${text}`)),
    state: memoryStateStore(),
    logger,
  });
  const outcomes: NotifyOutcome[] = [];
  for (const [index, report] of reports.entries()) {
    if (reports.length > 1) print(`\n## Cycle ${index + 1} (${report.finishedAt})\n`);
    const outcome = await notifier.notify(report);
    if (outcome.slack === 'unchanged')
      print('-- Slack: nothing changed since the last report; nothing posted --\n');
    const t = outcome.tickets;
    if (t) {
      print(
        `-- Tickets: ${t.opened} to open, ${t.updated} to update, ${t.resolved} to close, ${t.unchanged} already open and unchanged --\n`,
      );
    }
    outcomes.push(outcome);
  }
  return outcomes;
}
