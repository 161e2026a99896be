/**
 * What a ticket says: what is wrong, why it matters, what to do, and the observed and desired
 * values. Pure; the sinks only format it (Markdown for GitHub and the webhook, ADF for Jira).
 */
import { createHash } from 'node:crypto';
import type { Target } from '../../discovery/inventory.js';
import type { FindingWaiver } from '../../reconcile/model.js';
import type { DriftResult } from '../../report/driftReport.js';
import { fingerprintLabel, markdownMarkers, TICKET_LABEL, ticketFingerprint } from './fingerprint.js';
import { guidanceFor } from './ruleGuidance.js';

export interface TicketFacts {
  readonly target: Target;
  readonly resource: string;
  readonly resourceType: string;
  readonly rule: string;
  readonly policy: string;
  readonly status: string;
  readonly whatIsWrong: string;
  readonly whyItMatters: string;
  readonly whatToDo: string;
  readonly observed: unknown;
  readonly desired: unknown;
  readonly reportedAt: string;
}

export interface TicketContent {
  readonly fingerprint: string;
  /** Changes when what the ticket reports changes (status, observed, desired); not with time. */
  readonly stateHash: string;
  readonly title: string;
  /** Markdown, ending with the hidden fingerprint and state markers. */
  readonly body: string;
  readonly labels: readonly string[];
  readonly facts: TicketFacts;
}

/** An AccessDenied read or write: a person must grant the permission, so it gets a ticket. */
export function isAccessDenied(result: Pick<DriftResult, 'status' | 'message' | 'observed'>): boolean {
  if (result.status !== 'failed') return false;
  const code = (result.observed as { code?: unknown } | null | undefined)?.code;
  return /AccessDenied/i.test(typeof code === 'string' ? code : '') || /AccessDenied/i.test(result.message);
}

/** `ticket` results, and failures no retry will cure (AccessDenied). */
export function needsTicket(result: DriftResult): boolean {
  return result.status === 'ticket' || isAccessDenied(result);
}

/** `orders` for an SQS queue ARN, `function:name` for a Lambda function; the input when not an ARN. */
export function resourceName(resource: string): string {
  return resource.startsWith('arn:') ? resource.split(':').slice(5).join(':') || resource : resource;
}

const MAX_VALUE_CHARS = 1500;

export function showValue(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  const text = JSON.stringify(value, null, 2) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}\n… (truncated)` : text;
}

export function stateHashOf(result: Pick<DriftResult, 'status' | 'observed' | 'desired'>): string {
  return createHash('sha256')
    .update(JSON.stringify([result.status, result.observed ?? null, result.desired ?? null]))
    .digest('hex')
    .slice(0, 12);
}

export function ticketFacts(target: Target, result: DriftResult, reportedAt: string): TicketFacts {
  const guidance = guidanceFor(result.rule, isAccessDenied(result));
  return {
    target,
    resource: result.resource,
    resourceType: result.resourceType,
    rule: result.rule,
    policy: result.policy,
    status: result.status,
    whatIsWrong: result.message,
    whyItMatters: guidance.why,
    whatToDo: guidance.todo,
    observed: result.observed,
    desired: result.desired,
    reportedAt,
  };
}

export function ticketTitle(facts: Pick<TicketFacts, 'target' | 'resource' | 'rule'>): string {
  const title = `[edaguard] ${facts.rule}: ${resourceName(facts.resource)} (${facts.target.accountId}/${facts.target.region})`;
  return title.length > 200 ? `${title.slice(0, 199)}…` : title;
}

const fence = (text: string) => `\`\`\`json\n${text.replaceAll('```', '` ` `')}\n\`\`\``;

export function ticketMarkdown(facts: TicketFacts, fingerprint: string, stateHash: string): string {
  return [
    `**What is wrong:** ${facts.whatIsWrong}`,
    '',
    `**Why it matters:** ${facts.whyItMatters}`,
    '',
    `**What to do:** ${facts.whatToDo}`,
    '',
    '**Observed**',
    fence(showValue(facts.observed)),
    '**Desired**',
    fence(showValue(facts.desired)),
    '',
    '| | |',
    '|---|---|',
    `| Resource | \`${facts.resource}\` |`,
    `| Rule | \`${facts.rule}\` |`,
    `| Policy | ${facts.policy || '-'} |`,
    `| Target | ${facts.target.partition}/${facts.target.accountId}/${facts.target.region} |`,
    `| Status | ${facts.status} |`,
    `| Last changed | ${facts.reportedAt} |`,
    '',
    'edaguard opened this ticket and keeps it up to date; it closes it when the resource complies.',
    '',
    markdownMarkers(fingerprint, stateHash),
  ].join('\n');
}

export function ticketContent(target: Target, result: DriftResult, reportedAt: string): TicketContent {
  const fingerprint = ticketFingerprint(target, result.resource, result.rule);
  const stateHash = stateHashOf(result);
  const facts = ticketFacts(target, result, reportedAt);
  return {
    fingerprint,
    stateHash,
    title: ticketTitle(facts),
    body: ticketMarkdown(facts, fingerprint, stateHash),
    labels: [TICKET_LABEL, fingerprintLabel(fingerprint)],
    facts,
  };
}

/** The comment on an open ticket when what it reports changed. */
export function updateComment(content: TicketContent): string {
  const f = content.facts;
  return [
    `Still needs a person (${f.status}, ${f.reportedAt}): ${f.whatIsWrong}`,
    `Observed now: \`${JSON.stringify(f.observed ?? null)}\``,
    `Desired: \`${JSON.stringify(f.desired ?? null)}\``,
  ].join('\n');
}

export type ResolutionReason = 'pass' | 'fixed' | 'skipped' | 'readable' | 'duplicate' | 'waived';

export interface TicketResolution {
  readonly reason: ResolutionReason;
  readonly comment: string;
}

export function resolution(
  reason: ResolutionReason,
  detail: {
    resource: string;
    rule: string;
    at: string;
    duplicateOf?: string;
    waiver?: Pick<FindingWaiver, 'policy' | 'expires' | 'reason'>;
  },
): TicketResolution {
  const what = `\`${resourceName(detail.resource)}\` (${detail.rule})`;
  const comment = {
    pass: `Resolved: edaguard found ${what} compliant at ${detail.at}. Closing.`,
    fixed: `Resolved: edaguard fixed ${what} at ${detail.at} and read the fix back. Closing.`,
    skipped: `Resolved: the rule no longer applies to ${what} (checked at ${detail.at}). Closing.`,
    readable: `Resolved: edaguard could read ${what} again at ${detail.at}. Closing.`,
    duplicate: `Duplicate of ${detail.duplicateOf ?? 'another edaguard ticket'} for ${what}. Closing.`,
    waived: `Waived until ${detail.waiver?.expires} by policy ${detail.waiver?.policy} (${detail.waiver?.reason}): edaguard accepts ${what} as it is (checked at ${detail.at}) and opens a ticket again if it still differs after the waiver expires. Closing.`,
  }[reason];
  return { reason, comment };
}
