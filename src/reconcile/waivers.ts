/**
 * Waivers (spec.exceptions): a finding that does not comply, of a rule a waiver names, on a
 * resource it names, is `waived` while the waiver holds: no write, no ticket, counted and shown.
 * Once it has expired, the finding is what the rules made it, and its message says the waiver
 * expired. Pure: the day is passed in.
 */
import picomatch from 'picomatch';
import type { Policy, PolicyException } from '../policy/model.js';
import type { RuleId } from '../policy/ruleSettings.js';
import { daysUntil } from '../policy/waiverDates.js';
import type { Finding, FindingWaiver } from './model.js';

/** Statuses a waiver turns into `waived`: those that ask for a write or a person. */
const WAIVABLE = new Set<Finding['status']>(['drift', 'ticket']);

/**
 * The names a waiver may give a finding's resource: its ARN, its name (the last part of the ARN:
 * queue, topic, function, table, stream, rule or pipe name), and its label where it has one.
 */
export function resourceNames(finding: Pick<Finding, 'resource' | 'label'>): string[] {
  const { resource } = finding;
  const names = [resource];
  if (resource.startsWith('arn:')) {
    const rest = resource.split(':').slice(5).join(':');
    const name = rest.includes('/') ? rest.slice(rest.lastIndexOf('/') + 1) : rest.split(':').at(-1);
    if (name) names.push(name);
    if (rest !== name) names.push(rest);
  }
  if (finding.label) names.push(finding.label);
  return names;
}

const matchers = new WeakMap<PolicyException, (name: string) => boolean>();

/** `*` crosses `/` and `:` (an ARN's separators), as a person writing `arn:aws:sqs:*:orders-*` means. */
function matcherOf(exception: PolicyException): (name: string) => boolean {
  let matcher = matchers.get(exception);
  if (!matcher) {
    const tests = exception.resources.map((glob) => picomatch(glob, { bash: true, dot: true }));
    matcher = (name) => tests.some((test) => test(name));
    matchers.set(exception, matcher);
  }
  return matcher;
}

/** Does `exception` name this finding's rule and resource? */
export function waiverMatches(exception: PolicyException, finding: Finding): boolean {
  if (!exception.rules.includes(finding.rule as RuleId)) return false;
  const matches = matcherOf(exception);
  return resourceNames(finding).some(matches);
}

/** The latest-expiring of the waivers, in the governing policies, that name this finding. */
function waiverFor(
  finding: Finding,
  byName: ReadonlyMap<string, Policy>,
  holds: (e: PolicyException) => boolean,
): FindingWaiver | undefined {
  let best: FindingWaiver | undefined;
  for (const name of finding.policy.split(',')) {
    for (const exception of byName.get(name)?.exceptions ?? []) {
      if (!holds(exception) || !waiverMatches(exception, finding)) continue;
      if (best && best.expires >= exception.expires) continue;
      best = {
        policy: name,
        expires: exception.expires,
        reason: exception.reason,
        ...(exception.ticket === undefined ? {} : { ticket: exception.ticket }),
      };
    }
  }
  return best;
}

/** `reason, ticket` as a message shows them. */
const why = (w: FindingWaiver) => (w.ticket ? `${w.reason}; ${w.ticket}` : w.reason);

/**
 * The findings with waivers applied on the UTC day of `now`. A waiver holds through its
 * `expires` day. A finding named by several waivers takes the one that holds longest.
 */
export function applyWaivers(
  findings: readonly Finding[],
  policies: readonly Policy[],
  now: Date,
): Finding[] {
  const byName = new Map(policies.filter((p) => p.exceptions?.length).map((p) => [p.name, p]));
  if (byName.size === 0) return [...findings];
  const holding = (e: PolicyException) => daysUntil(e.expires, now) >= 0;
  return findings.map((f) => {
    // Already decided (plan applies waivers before and after the DLQ rules add theirs).
    if (!WAIVABLE.has(f.status) || f.waiver) return f;
    const active = waiverFor(f, byName, holding);
    if (active) {
      const message = `waived until ${active.expires} by policy ${active.policy} (${why(active)}): ${f.message}`;
      return { ...f, status: 'waived', actions: [], message, waiver: active };
    }
    const expired = waiverFor(f, byName, (e) => !holding(e));
    if (!expired) return f;
    return {
      ...f,
      message: `waiver expired on ${expired.expires} (${why(expired)}): ${f.message}`,
      waiver: { ...expired, expired: true },
    };
  });
}
