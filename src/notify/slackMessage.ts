/**
 * The drift report as a Slack Block Kit message: summary counts, what changed since the last
 * report, what was fixed, what needs a person (with ticket links), what drifts unfixed, what was
 * resolved. Pure. Long lists are cut ("…and N more") to stay within Slack's limits (3,000
 * characters per section text, 50 blocks, 150 characters per header).
 */
import { daysUntil } from '../policy/waiverDates.js';
import type { DriftReport, DriftResult } from '../report/driftReport.js';
import type { ReportChanges, ResolvedItem } from './reportDigest.js';
import { ticketFingerprint } from './tickets/fingerprint.js';
import type { TicketRef } from './tickets/sink.js';
import { needsTicket, resourceName } from './tickets/ticketContent.js';

export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export type SlackBlock =
  | { type: 'header'; text: TextObject & { type: 'plain_text' } }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export interface SlackPayload {
  /** Fallback for notifications and clients that do not render blocks. */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackMessageInput {
  report: DriftReport;
  changes: ReportChanges;
  /** Fingerprint → open ticket, for links next to the items that need a person. */
  ticketLinks?: ReadonlyMap<string, TicketRef>;
  /** Items listed per section before "…and N more". */
  maxItems?: number;
}

export const SLACK_LIMITS = { sectionText: 3000, headerText: 150, blocks: 50, line: 300 } as const;

/** Slack mrkdwn needs &, < and > escaped (everywhere, URLs included). */
export const escapeMrkdwn = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });

const pair = (r: { resource: string; rule: string }) => `${r.resource}\t${r.rule}`;

/**
 * A titled list, cut at `maxItems` lines and at Slack's section limit, with the count of the
 * rest. Returns undefined for an empty list.
 */
export function listSection(
  title: string,
  lines: readonly string[],
  maxItems: number,
): SlackBlock | undefined {
  if (lines.length === 0) return undefined;
  const heading = `${title} (${lines.length})`;
  const shown: string[] = [];
  let size = heading.length;
  for (const line of lines.slice(0, Math.max(0, maxItems))) {
    const clipped = clip(line, SLACK_LIMITS.line);
    // Room for the line and for a final "…and N more".
    if (size + clipped.length + 1 + 40 > SLACK_LIMITS.sectionText) break;
    shown.push(clipped);
    size += clipped.length + 1;
  }
  const rest = lines.length - shown.length;
  const body = [heading, ...shown, ...(rest > 0 ? [`…and ${rest} more`] : [])].join('\n');
  return { type: 'section', text: mrkdwn(body) };
}

function itemLine(r: DriftResult, extra: { isNew?: boolean; link?: TicketRef } = {}): string {
  const tag = extra.isNew ? '*new* ' : '';
  const link = extra.link?.url
    ? ` <${escapeMrkdwn(extra.link.url)}|${escapeMrkdwn(/^\d+$/.test(extra.link.id) ? `#${extra.link.id}` : extra.link.id)}>`
    : '';
  const message = escapeMrkdwn(clip(r.message, 200));
  return `• ${tag}\`${escapeMrkdwn(resourceName(r.resource))}\` ${r.rule}: ${message}${link}`;
}

function resolvedLine(item: ResolvedItem): string {
  const now = item.status ?? 'gone from the report';
  return `• \`${escapeMrkdwn(resourceName(item.resource))}\` ${item.rule}: was ${item.previousStatus}, now ${now}`;
}

const STATUS_ORDER: Record<string, number> = { failed: 0, ticket: 1, drift: 2, deferred: 3 };

function byImportance(isNew: (r: DriftResult) => boolean) {
  return (a: DriftResult, b: DriftResult) =>
    Number(isNew(b)) - Number(isNew(a)) ||
    (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
    a.resource.localeCompare(b.resource) ||
    a.rule.localeCompare(b.rule);
}

/** The report's results grouped the way the message lists them, most important first. */
interface MessageGroups {
  readonly where: string;
  readonly needPerson: DriftResult[];
  readonly unfixed: DriftResult[];
  readonly fixed: DriftResult[];
  readonly resolved: ResolvedItem[];
  readonly isNew: (r: DriftResult) => boolean;
}

function groupResults(report: DriftReport, changes: ReportChanges): MessageGroups {
  const newPairs = new Set([...changes.opened, ...changes.statusChanged].map(pair));
  const isNew = (r: DriftResult) => newPairs.has(pair(r));
  const needPerson = report.results
    .filter((r) => r.status === 'ticket' || r.status === 'failed')
    .sort(byImportance(isNew));
  const unfixed = report.results
    .filter((r) => r.status === 'drift' || r.status === 'deferred')
    .sort(byImportance(isNew));
  const fixed = [...changes.fixed].sort(byImportance(() => false));
  const fixedPairs = new Set(fixed.map(pair));
  const resolved = changes.resolved.filter((r) => !fixedPairs.has(pair(r)));
  const where = `${report.target.accountId}/${report.target.region}`;
  return { where, needPerson, unfixed, fixed, resolved, isNew };
}

/** The header: the most urgent thing the message says. */
function headerBlock(report: DriftReport, g: MessageGroups): SlackBlock {
  const headline =
    g.needPerson.length > 0
      ? `:rotating_light: edaguard: ${g.needPerson.length} need a person in ${g.where}`
      : g.unfixed.length > 0
        ? `:warning: edaguard: ${g.unfixed.length} drifted in ${g.where}`
        : g.fixed.length > 0
          ? `:white_check_mark: edaguard: ${g.fixed.length} fixed in ${g.where}`
          : `:white_check_mark: edaguard: ${g.where} complies with its policies`;
  return {
    type: 'header',
    text: {
      type: 'plain_text',
      text: clip(`${report.dryRun ? 'DRY-RUN ' : ''}${headline}`, SLACK_LIMITS.headerText),
      emoji: true,
    },
  };
}

function summaryBlock(s: DriftReport['summary']): SlackBlock {
  return {
    type: 'section',
    fields: [
      mrkdwn(`*Resources*\n${s.resources}`),
      mrkdwn(`*Compliant*\n${s.compliant}`),
      mrkdwn(`*Fixed*\n${s.fixed}`),
      mrkdwn(`*Need a person*\n${s.tickets}`),
      mrkdwn(`*Failed*\n${s.failed}`),
      mrkdwn(`*Drifted*\n${s.drifted}`),
      mrkdwn(`*Deferred*\n${s.deferred}`),
      ...(s.waived > 0 ? [mrkdwn(`*Waived*\n${s.waived}`)] : []),
    ],
  };
}

/** One line: what changed since the last report, dry-run or not, when the cycle finished. */
function changesBlock(report: DriftReport, changes: ReportChanges, g: MessageGroups): SlackBlock {
  const changeParts = [
    changes.opened.length > 0 ? `${changes.opened.length} new` : '',
    changes.statusChanged.length > 0 ? `${changes.statusChanged.length} changed status` : '',
    g.fixed.length > 0 ? `${g.fixed.length} fixed` : '',
    g.resolved.length > 0 ? `${g.resolved.length} resolved` : '',
  ].filter((p) => p !== '');
  return {
    type: 'context',
    elements: [
      mrkdwn(
        `Since the last report: ${changeParts.length > 0 ? changeParts.join(' · ') : 'no change'} · ${report.dryRun ? 'dry-run, nothing written · ' : ''}finished ${report.finishedAt}`,
      ),
    ],
  };
}

function noticesBlock(report: DriftReport): SlackBlock | undefined {
  const notices = report.notices ?? [];
  if (notices.length === 0) return undefined;
  return {
    type: 'section',
    text: mrkdwn(
      clip(
        notices.map((n) => `:information_source: ${escapeMrkdwn(n.message)}`).join('\n'),
        SLACK_LIMITS.sectionText,
      ),
    ),
  };
}

/** Waivers that end within this many days are listed, so that someone renews or fixes in time. */
export const WAIVER_WARNING_DAYS = 7;

/** Waived results whose waiver ends within WAIVER_WARNING_DAYS of the report, soonest first. */
export function expiringWaivers(report: DriftReport): DriftResult[] {
  const at = new Date(report.finishedAt);
  return report.results
    .filter(
      (r) => r.status === 'waived' && r.waiver && daysUntil(r.waiver.expires, at) <= WAIVER_WARNING_DAYS,
    )
    .sort(
      (a, b) =>
        (a.waiver?.expires ?? '').localeCompare(b.waiver?.expires ?? '') ||
        a.resource.localeCompare(b.resource) ||
        a.rule.localeCompare(b.rule),
    );
}

function waiverLine(r: DriftResult, at: Date): string {
  const w = r.waiver;
  if (!w) return '';
  const days = daysUntil(w.expires, at);
  const when = days === 0 ? 'last day today' : `${days} day(s) left`;
  const ticket = w.ticket ? ` ${escapeMrkdwn(w.ticket)}` : '';
  return `• \`${escapeMrkdwn(resourceName(r.resource))}\` ${r.rule}: waived until ${w.expires} (${when}) by ${escapeMrkdwn(w.policy)}: ${escapeMrkdwn(clip(w.reason, 150))}${ticket}`;
}

/** The lists, in order: needs a person (with ticket links), fixed, drift not fixed, resolved, waivers expiring. */
function listSections(input: SlackMessageInput, g: MessageGroups, maxItems: number): SlackBlock[] {
  const { report } = input;
  const linkOf = (r: DriftResult) =>
    input.ticketLinks?.get(ticketFingerprint(report.target, r.resource, r.rule));
  const sections = [
    listSection(
      ':raising_hand: *Needs a person*',
      g.needPerson.map((r) =>
        itemLine(r, { isNew: g.isNew(r), ...(needsTicket(r) ? { link: linkOf(r) } : {}) }),
      ),
      maxItems,
    ),
    listSection(
      ':wrench: *Fixed since the last report*',
      g.fixed.map((r) => itemLine(r)),
      maxItems,
    ),
    listSection(
      `:hourglass_flowing_sand: *Drift not fixed${report.dryRun ? ' (dry-run)' : ''}*`,
      g.unfixed.map((r) => itemLine(r, { isNew: g.isNew(r) })),
      maxItems,
    ),
    listSection(
      ':white_check_mark: *Resolved since the last report*',
      g.resolved.map(resolvedLine),
      maxItems,
    ),
    listSection(
      `:calendar: *Waivers expiring within ${WAIVER_WARNING_DAYS} days*`,
      expiringWaivers(report).map((r) => waiverLine(r, new Date(report.finishedAt))),
      maxItems,
    ),
  ];
  return sections.filter((section): section is SlackBlock => section !== undefined);
}

export function buildSlackMessage(input: SlackMessageInput): SlackPayload {
  const { report, changes } = input;
  const g = groupResults(report, changes);
  const notices = noticesBlock(report);
  const blocks: SlackBlock[] = [
    headerBlock(report, g),
    summaryBlock(report.summary),
    changesBlock(report, changes, g),
    ...(notices ? [notices] : []),
    { type: 'divider' },
    ...listSections(input, g, input.maxItems ?? 10),
  ];
  const text = `edaguard ${g.where}: ${g.needPerson.length} need a person, ${g.fixed.length} fixed, ${g.unfixed.length} drifted, ${g.resolved.length} resolved${report.dryRun ? ' (dry-run)' : ''}`;
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
