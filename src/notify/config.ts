/**
 * Notification settings from the environment, validated once at start. Secrets (the Slack
 * webhook URL, tokens, the ticket webhook URL) come either from a variable or from a file named
 * by `<VAR>_FILE` (a mounted Kubernetes or ECS secret); they are kept out of every error message.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { logSecrets } from './redact.js';

export const TICKET_SINKS = ['github', 'jira', 'webhook'] as const;
export type TicketSinkKind = (typeof TICKET_SINKS)[number];

/** Loopback hosts, where plain http never leaves the machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  const octets = host.split('.');
  return (
    octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
  );
}

const isHttpsOrLoopback = (url: string) => {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || isLoopbackHost(parsed.hostname);
};

/**
 * An http(s) URL that carries a credential (a token sent to it, or a secret in its path):
 * plain http only to loopback (a local fake or a sidecar), never over a network.
 */
const httpUrl = (what: string) =>
  z
    .url({ protocol: /^https?$/, error: `${what} must be an http(s) URL` })
    .refine(
      isHttpsOrLoopback,
      `${what} must use https: it carries a secret (plain http only to 127.0.0.0/8, ::1 or localhost)`,
    );

const positiveInt = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be an integer` })
    .int(`${name} must be an integer`)
    .min(min)
    .max(max);

export const NotifyConfigSchema = z
  .object({
    slack: z.object({ webhookUrl: httpUrl('the Slack webhook URL') }).optional(),
    tickets: z
      .discriminatedUnion('kind', [
        z.object({
          kind: z.literal('github'),
          token: z.string().min(1, 'GITHUB_TOKEN (or GITHUB_TOKEN_FILE) is required'),
          owner: z.string().min(1),
          repo: z.string().min(1),
          apiUrl: httpUrl('EDAGUARD_GITHUB_API_URL'),
        }),
        z.object({
          kind: z.literal('jira'),
          host: httpUrl('JIRA_HOST'),
          email: z.string().min(1, 'JIRA_EMAIL is required'),
          apiToken: z.string().min(1, 'JIRA_API_TOKEN (or JIRA_API_TOKEN_FILE) is required'),
          project: z.string().min(1, 'EDAGUARD_JIRA_PROJECT is required'),
          issueType: z.string().min(1),
          /** Name of the transition that closes a ticket; default: the first one into a "done" status. */
          doneTransition: z.string().min(1).optional(),
        }),
        z.object({ kind: z.literal('webhook'), url: httpUrl('the ticket webhook URL') }),
      ])
      .optional(),
    /** JSON file that keeps the last report's digest (and the webhook sink's open tickets) across restarts. */
    stateFile: z.string().min(1).optional(),
    /** Attempts per HTTP call (1 = no retry). */
    attempts: positiveInt('EDAGUARD_NOTIFY_ATTEMPTS', 1, 10),
    timeoutMs: positiveInt('EDAGUARD_NOTIFY_TIMEOUT_MS', 100, 120_000),
    /** Ticket writes (open, update, close) per cycle; the rest wait for the next cycle. */
    maxTicketOpsPerCycle: positiveInt('EDAGUARD_TICKETS_MAX_PER_CYCLE', 1, 1000),
  })
  .refine((c) => c.slack !== undefined || c.tickets !== undefined, 'no notification is configured');

export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;
export type TicketSinkConfig = NonNullable<NotifyConfig['tickets']>;

type Env = NodeJS.ProcessEnv;
type ReadFile = (path: string) => string;

const defaultReadFile: ReadFile = (path) => readFileSync(path, 'utf8');

const nonEmpty = (value: string | undefined) =>
  value === undefined || value.trim() === '' ? undefined : value;

/**
 * `NAME` or the contents of the file named by `NAME_FILE` (trimmed); both set is an error. The
 * file's path may be named in errors, its content never.
 */
export function secretFrom(env: Env, name: string, readFile: ReadFile = defaultReadFile): string | undefined {
  const direct = nonEmpty(env[name]);
  const file = nonEmpty(env[`${name}_FILE`]);
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
  }
  if (file === undefined) {
    if (direct !== undefined) logSecrets.add([direct.trim()]);
    return direct?.trim();
  }
  let content: string;
  try {
    content = readFile(file);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ConfigError(`${name}_FILE: cannot read ${file} (${code})`);
  }
  const value = content.trim();
  if (value === '') throw new ConfigError(`${name}_FILE: ${file} is empty`);
  logSecrets.add([value]);
  return value;
}

function intFrom(env: Env, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  return n;
}

/** Whether the environment asks for any notification at all (so callers can skip the rest). */
export function hasNotifyConfig(env: Env): boolean {
  return ['EDAGUARD_SLACK_WEBHOOK_URL', 'EDAGUARD_SLACK_WEBHOOK_URL_FILE', 'EDAGUARD_TICKETS'].some(
    (name) => nonEmpty(env[name]) !== undefined,
  );
}

function ticketsFrom(env: Env, readFile: ReadFile): unknown {
  const kind = nonEmpty(env.EDAGUARD_TICKETS)?.trim();
  if (kind === undefined) return undefined;
  switch (kind) {
    case 'github': {
      const repo = nonEmpty(env.EDAGUARD_GITHUB_REPO)?.trim() ?? '';
      const [owner, name, ...rest] = repo.split('/');
      if (!owner || !name || rest.length > 0) {
        throw new ConfigError(`EDAGUARD_GITHUB_REPO must be owner/name, got "${repo}"`);
      }
      return {
        kind,
        token: secretFrom(env, 'GITHUB_TOKEN', readFile) ?? '',
        owner,
        repo: name,
        apiUrl: (nonEmpty(env.EDAGUARD_GITHUB_API_URL) ?? 'https://api.github.com').replace(/\/+$/, ''),
      };
    }
    case 'jira':
      return {
        kind,
        host: (nonEmpty(env.JIRA_HOST) ?? '').replace(/\/+$/, ''),
        email: nonEmpty(env.JIRA_EMAIL) ?? '',
        apiToken: secretFrom(env, 'JIRA_API_TOKEN', readFile) ?? '',
        project: nonEmpty(env.EDAGUARD_JIRA_PROJECT) ?? '',
        issueType: nonEmpty(env.EDAGUARD_JIRA_ISSUE_TYPE) ?? 'Task',
        ...(nonEmpty(env.EDAGUARD_JIRA_DONE_TRANSITION)
          ? { doneTransition: nonEmpty(env.EDAGUARD_JIRA_DONE_TRANSITION) }
          : {}),
      };
    case 'webhook':
      return { kind, url: secretFrom(env, 'EDAGUARD_TICKET_WEBHOOK_URL', readFile) ?? '' };
    default:
      throw new ConfigError(`EDAGUARD_TICKETS must be one of ${TICKET_SINKS.join(', ')}, got "${kind}"`);
  }
}

/** Issue messages name the setting, never its value (which may be a secret URL or token). */
function describeIssue(issue: z.core.$ZodIssue): string {
  const names: Record<string, string> = {
    'slack.webhookUrl': 'EDAGUARD_SLACK_WEBHOOK_URL',
    'tickets.token': 'GITHUB_TOKEN',
    'tickets.apiUrl': 'EDAGUARD_GITHUB_API_URL',
    'tickets.host': 'JIRA_HOST',
    'tickets.email': 'JIRA_EMAIL',
    'tickets.apiToken': 'JIRA_API_TOKEN',
    'tickets.project': 'EDAGUARD_JIRA_PROJECT',
    'tickets.url': 'EDAGUARD_TICKET_WEBHOOK_URL',
    stateFile: 'EDAGUARD_NOTIFY_STATE_FILE',
  };
  const path = issue.path.join('.');
  return `${names[path] ?? (path || 'notifications')}: ${issue.message}`;
}

/**
 * Notification settings, or `undefined` when the environment configures none. Throws a
 * `ConfigError` (exit code 2) for an incomplete or invalid configuration.
 */
export function resolveNotifyConfig(
  env: Env,
  readFile: ReadFile = defaultReadFile,
): NotifyConfig | undefined {
  if (!hasNotifyConfig(env)) return undefined;
  const webhookUrl = secretFrom(env, 'EDAGUARD_SLACK_WEBHOOK_URL', readFile);
  const candidate = {
    ...(webhookUrl !== undefined ? { slack: { webhookUrl } } : {}),
    tickets: ticketsFrom(env, readFile),
    stateFile: nonEmpty(env.EDAGUARD_NOTIFY_STATE_FILE),
    attempts: intFrom(env, 'EDAGUARD_NOTIFY_ATTEMPTS', 4),
    timeoutMs: intFrom(env, 'EDAGUARD_NOTIFY_TIMEOUT_MS', 10_000),
    maxTicketOpsPerCycle: intFrom(env, 'EDAGUARD_TICKETS_MAX_PER_CYCLE', 30),
  };
  const parsed = NotifyConfigSchema.safeParse(candidate);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(describeIssue).join('; '));
  // From here on every log line replaces these values, wherever a library puts them.
  logSecrets.add(secretsOf(parsed.data));
  return parsed.data;
}

/** The secret values of a configuration, to scrub from anything that is logged. */
export function secretsOf(config: NotifyConfig): string[] {
  const secrets: string[] = [];
  if (config.slack) secrets.push(config.slack.webhookUrl);
  const t = config.tickets;
  if (t?.kind === 'github') secrets.push(t.token);
  if (t?.kind === 'jira')
    secrets.push(t.apiToken, Buffer.from(`${t.email}:${t.apiToken}`).toString('base64'));
  if (t?.kind === 'webhook') secrets.push(t.url);
  return secrets.filter((s) => s.length > 0);
}
