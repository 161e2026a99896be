/**
 * The notifier: after a cycle, tickets first (so that the Slack message can link them), then
 * Slack when something changed since the last report. Consumes a DriftReport; never edits a plan,
 * never throws, never stops reconciling: every failure is logged and counted in the outcome.
 *
 *   const notifier = createNotifierFromEnv(process.env, logger); // undefined: nothing configured
 *   const outcome = await notifier?.notify(report);
 */
import type { Logger } from 'pino';
import type { DriftReport, DriftResult } from '../report/driftReport.js';
import { type NotifyConfig, resolveNotifyConfig, secretsOf } from './config.js';
import { createScrubber, errorFacts, type Scrub } from './redact.js';
import { diffReports, type ReportChanges, type ReportState, reportState, targetKey } from './reportDigest.js';
import { type RetryPolicy, retryPolicy } from './retry.js';
import { buildSlackMessage } from './slackMessage.js';
import { createSlackNotifier, type SlackNotifier } from './slackNotifier.js';
import type { StateStore } from './stateStore.js';
import { chooseStateStore } from './stateStoreChoice.js';
import type { StateTableRef } from './tableStateStore.js';
import { deferredGithubSink, deferredJiraSink } from './tickets/deferredSink.js';
import { reconcileTickets, type TicketOutcome } from './tickets/reconcileTickets.js';
import type { TicketRef, TicketSink } from './tickets/sink.js';
import { createWebhookSink } from './tickets/webhookSink.js';

export type { NotifyConfig } from './config.js';
export type { TicketSink } from './tickets/sink.js';

export interface NotifyOutcome {
  /** sent; unchanged (same open items as the last report: not posted); failed; disabled (no Slack). */
  readonly slack: 'sent' | 'unchanged' | 'failed' | 'disabled';
  /** Undefined when no ticket sink is configured. */
  readonly tickets?: Omit<TicketOutcome, 'links'>;
  /** Failures in this call: a Slack post, a ticket operation, a state write. */
  readonly errors: number;
}

export interface Notifier {
  notify(report: DriftReport): Promise<NotifyOutcome>;
  /** Failures since the notifier was created (for metrics). */
  readonly errorCount: number;
}

export interface NotifierParts {
  slack?: SlackNotifier;
  tickets?: TicketSink;
  state: StateStore;
  logger: Logger;
  scrub?: Scrub;
  /** Ticket writes per cycle (default 30). */
  maxTicketOpsPerCycle?: number;
  /** Items per Slack section before "…and N more" (default 10). */
  maxItems?: number;
}

const toStored = (s: ReportState) => ({
  digest: s.digest,
  keys: [...s.keys],
  ...(s.notices ? { notices: [...s.notices] } : {}),
});

/** This message's fixes, then those of an undelivered one not among them. */
function mergeFixes(
  fixed: readonly DriftResult[],
  undelivered: readonly DriftResult[] | undefined,
): readonly DriftResult[] {
  const pair = (r: DriftResult) => `${r.resource}\t${r.rule}`;
  const now = new Set(fixed.map(pair));
  return [...fixed, ...(undelivered ?? []).filter((r) => !now.has(pair(r)))];
}

/** Adds the fixes of an undelivered message to this one's (a fix is news once, but it must arrive). */
function withUndelivered(
  changes: ReportChanges,
  undelivered: readonly DriftResult[] | undefined,
): ReportChanges {
  if (!undelivered || undelivered.length === 0) return changes;
  return { ...changes, fixed: mergeFixes(changes.fixed, undelivered), changed: true };
}

/** Fixes in a Slack message that was not delivered, per target: they go with the next one (in memory). */
type UndeliveredFixes = Map<string, readonly DriftResult[]>;

interface TicketStep {
  readonly links: ReadonlyMap<string, TicketRef>;
  readonly tickets?: NotifyOutcome['tickets'];
  readonly errors: number;
}

/** Tickets first, so that the Slack message can link them. */
async function notifyTickets(report: DriftReport, parts: NotifierParts, log: Logger, scrub: Scrub) {
  if (!parts.tickets) return { links: new Map(), errors: 0 } satisfies TicketStep;
  const { links, ...counts } = await reconcileTickets(report, parts.tickets, {
    maxOps: parts.maxTicketOpsPerCycle ?? 30,
    logger: log,
    scrub,
  });
  return { links, tickets: counts, errors: counts.failed } satisfies TicketStep;
}

/** The target's state, or undefined when it cannot be read (logged by the store, counted here). */
async function loadState(parts: NotifierParts, report: DriftReport, log: Logger, scrub: Scrub) {
  try {
    return await parts.state.load(report.target);
  } catch (error) {
    log.warn(
      { target: targetKey(report.target), error: errorFacts(error, scrub) },
      'notification state unreadable; the Slack report waits for the next cycle',
    );
    return undefined;
  }
}

/** Posts the report to Slack when it changed since the last one delivered. */
async function notifySlack(
  report: DriftReport,
  links: ReadonlyMap<string, TicketRef>,
  parts: NotifierParts,
  undelivered: UndeliveredFixes,
  log: Logger,
  scrub: Scrub,
): Promise<{ slack: NotifyOutcome['slack']; errors: number }> {
  if (!parts.slack) return { slack: 'disabled', errors: 0 };
  const key = targetKey(report.target);
  const state = await loadState(parts, report, log, scrub);
  if (!state) {
    // Without the last report, posting could repeat it; its fixes still go with the next message.
    const fixes = report.results.filter((r) => r.status === 'fixed');
    undelivered.set(key, mergeFixes(fixes, undelivered.get(key)));
    return { slack: 'failed', errors: 1 };
  }
  const changes = withUndelivered(diffReports(state.slack[key], report), undelivered.get(key));
  if (!changes.changed) {
    log.debug({ target: key }, 'nothing changed since the last report; not posted to Slack');
    return { slack: 'unchanged', errors: 0 };
  }
  const payload = buildSlackMessage({
    report,
    changes,
    ticketLinks: links,
    ...(parts.maxItems ? { maxItems: parts.maxItems } : {}),
  });
  const posted = await parts.slack.post(payload);
  if (!posted.ok) {
    undelivered.set(key, changes.fixed);
    return { slack: 'failed', errors: 1 };
  }
  undelivered.delete(key);
  // Only a delivered report becomes "the last report": after a failure the same changes go next time.
  // `state` is still current: notifications run one at a time, and the tickets were written before.
  const saved = await parts.state.save(report.target, {
    ...state,
    slack: { ...state.slack, [key]: toStored(reportState(report)) },
  });
  return { slack: 'sent', errors: saved ? 0 : 1 };
}

export function createNotifier(parts: NotifierParts): Notifier {
  const log = parts.logger.child({ component: 'notify' });
  const scrub = parts.scrub ?? createScrubber([]);
  let errorCount = 0;
  // One notification at a time: the state read at the start of one must include the previous one's write.
  let queue: Promise<unknown> = Promise.resolve();
  const undeliveredFixes: UndeliveredFixes = new Map();

  async function run(report: DriftReport): Promise<NotifyOutcome> {
    const { links, tickets, errors: ticketErrors } = await notifyTickets(report, parts, log, scrub);
    const { slack, errors: slackErrors } = await notifySlack(
      report,
      links,
      parts,
      undeliveredFixes,
      log,
      scrub,
    );
    const errors = ticketErrors + slackErrors;
    errorCount += errors;
    return { slack, ...(tickets ? { tickets } : {}), errors };
  }

  return {
    get errorCount() {
      return errorCount;
    },
    notify(report) {
      const next = queue.then(
        () => run(report),
        () => run(report),
      );
      const safe = next.catch((error: unknown): NotifyOutcome => {
        // Nothing above should throw; if something does, reconciling still goes on.
        errorCount += 1;
        log.error({ error: errorFacts(error, scrub) }, 'notification failed');
        return { slack: 'failed', errors: 1 };
      });
      queue = safe;
      return safe;
    },
  };
}

export interface NotifierOverrides {
  /** Retry timing (tests shorten it). */
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Replaces the configured ticket sink (the demo's dry-run sink). */
  tickets?: TicketSink;
  state?: StateStore;
  /**
   * The controller's state table: notification state then lives there, one item per target
   * (wins over EDAGUARD_NOTIFY_STATE_FILE), so restarts and replicas neither re-post nor re-open.
   */
  stateTable?: StateTableRef;
}

export function createNotifierFromConfig(
  config: NotifyConfig,
  logger: Logger,
  overrides: NotifierOverrides = {},
): Notifier {
  const scrub = createScrubber(secretsOf(config));
  const retry = retryPolicy({ attempts: config.attempts, ...overrides.retry });
  const state = chooseStateStore(config, logger, overrides);
  const common = { timeoutMs: config.timeoutMs, retry, logger, scrub };
  const slack = config.slack
    ? createSlackNotifier({
        ...common,
        webhookUrl: config.slack.webhookUrl,
        ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
      })
    : undefined;
  const t = config.tickets;
  const tickets =
    overrides.tickets ??
    (t?.kind === 'github'
      ? deferredGithubSink({ ...common, token: t.token, owner: t.owner, repo: t.repo, apiUrl: t.apiUrl })
      : t?.kind === 'jira'
        ? deferredJiraSink({
            ...common,
            host: t.host,
            email: t.email,
            apiToken: t.apiToken,
            project: t.project,
            issueType: t.issueType,
            ...(t.doneTransition ? { doneTransition: t.doneTransition } : {}),
          })
        : t?.kind === 'webhook'
          ? createWebhookSink({
              ...common,
              url: t.url,
              state,
              ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
            })
          : undefined);
  return createNotifier({
    ...(slack ? { slack } : {}),
    ...(tickets ? { tickets } : {}),
    state,
    logger,
    scrub,
    maxTicketOpsPerCycle: config.maxTicketOpsPerCycle,
  });
}

/**
 * The notifier the environment configures (see README, "Notifications"), or undefined when it
 * configures none. Throws `ConfigError` for an invalid configuration (exit code 2), before any
 * cycle runs; the error names settings, never their secret values.
 */
export function createNotifierFromEnv(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  overrides: NotifierOverrides = {},
): Notifier | undefined {
  const config = resolveNotifyConfig(env);
  if (!config) return undefined;
  const t = config.tickets;
  const state = chooseStateStore(config, logger, overrides);
  logger.info(
    {
      slack: config.slack !== undefined,
      tickets: t?.kind ?? 'none',
      ...(t?.kind === 'github' ? { repo: `${t.owner}/${t.repo}` } : {}),
      ...(t?.kind === 'jira' ? { project: t.project } : {}),
      // Where the last report and the webhook's open tickets are kept: table, file or memory.
      state: state.kind,
      ...(state.kind === 'table' ? { stateTable: overrides.stateTable?.table } : {}),
    },
    'notifications configured',
  );
  return createNotifierFromConfig(config, logger, { ...overrides, state });
}
