/**
 * Keeping secrets out of logs. The logger censors secret-named keys at any depth (`redactForLog`)
 * and replaces every known secret value in the line (`logSecrets`); the notification code goes
 * further: it never logs a URL or an error object, only a host, a status, a code, and a message
 * passed through `scrub` (URLs and every configured secret replaced).
 */

import { EventEmitter } from 'node:events';

export type Scrub = (text: string) => string;

export const REDACTED = '[redacted]';

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi;

/** A secret as it may appear in text: raw, URL-encoded, JSON-escaped; longest first, short ones skipped. */
function secretForms(secrets: Iterable<string>): string[] {
  const forms = [...secrets].flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]);
  return [...new Set(forms)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

function replaceAll(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
  return out;
}

/** Replaces URLs and the given secret values (and their URL-encoded forms) in a string. */
export function createScrubber(secrets: readonly string[]): Scrub {
  const values = secretForms(secrets);
  return (text) => replaceAll(text, values).replace(URL_PATTERN, '[url]');
}

/**
 * Secret values a logger replaces wherever they appear in a line (message, bindings, error text).
 * Filled as secrets are read from the environment, which happens after the logger exists.
 */
export class SecretValues {
  private readonly secrets = new Set<string>();
  private forms: string[] = [];

  add(secrets: readonly string[]): void {
    const before = this.secrets.size;
    for (const s of secrets) if (s.length > 0) this.secrets.add(s);
    if (this.secrets.size !== before) this.forms = secretForms(this.secrets);
  }

  scrub(text: string): string {
    return this.forms.length === 0 ? text : replaceAll(text, this.forms);
  }
}

/** The process's secrets (notification tokens and webhook URLs), used by every logger by default. */
export const logSecrets = new SecretValues();

/**
 * Key names whose values are secret wherever they appear, compared lower-cased without `-` and
 * `_`: `Authorization`, `proxy-authorization`, axios's `auth`, `apiToken`… (a lease's
 * `fencingToken` is not one of them).
 */
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'auth',
  'token',
  'apitoken',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'securitytoken',
  'xamzsecuritytoken',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'secretaccesskey',
  'privatekey',
  'apikey',
  'xapikey',
  'credentials',
  'webhookurl',
  'notifywebhookurl',
]);

export const isSecretKey = (key: string): boolean => SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));

/**
 * Credentials inside text: a raw HTTP header block (a Node request's `_header`), or an
 * `Authorization` scheme and its value.
 */
const CREDENTIAL_TEXT = [
  /\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-amz-security-token)(\s*[:=]\s*)[^\r\n]*/gi,
  /\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{16,}/gi,
  /\b(token)(\s+)[A-Za-z0-9_]{20,}/gi,
];

const scrubCredentialText = (text: string): string =>
  CREDENTIAL_TEXT.reduce((out, pattern) => out.replace(pattern, `$1$2${REDACTED}`), text);

/** Deeper than this a value is summarised: HTTP clients' errors nest requests, sockets and agents. */
const MAX_DEPTH = 8;

/** An Error as plain data: what pino's err serializer keeps, plus its `cause` chain as objects. */
function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    type: error.constructor?.name ?? error.name,
    message: error.message,
  };
  if (error.stack) fields.stack = error.stack;
  for (const key of Object.keys(error)) fields[key] = (error as unknown as Record<string, unknown>)[key];
  if (error.cause !== undefined) fields.cause = error.cause;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) fields.errors = errors;
  return fields;
}

/**
 * A copy of a log object that is safe to write: secret-named keys censored at any depth,
 * case-insensitively; errors (and their causes) as plain objects; cycles and depth cut short.
 */
export function redactForLog(value: unknown): unknown {
  const ancestors = new WeakSet<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol') return undefined;
    if (typeof v === 'string') return scrubCredentialText(v);
    if (v === null || typeof v !== 'object') return v;
    // Sockets, requests, agents and streams: internals, never what a log line is for.
    if (v instanceof EventEmitter) return `[${v.constructor?.name ?? 'EventEmitter'}]`;
    if (ancestors.has(v)) return '[circular]';
    if (v instanceof Date) return v;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return '[binary]';
    if (depth >= MAX_DEPTH) return Array.isArray(v) ? '[array]' : '[object]';
    ancestors.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
      const source = v instanceof Error ? errorFields(v) : (v as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(source)) {
        out[key] = isSecretKey(key) ? REDACTED : walk(source[key], depth + 1);
      }
      return out;
    } catch {
      // A getter that throws (a destroyed socket…) must not cost the log line.
      return '[unreadable]';
    } finally {
      ancestors.delete(v);
    }
  };
  return walk(value, 0);
}

/** Host of a URL, safe to log (the secret part of a webhook URL is its path). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

/** What can be logged about a failed HTTP call: its status, an error code, a scrubbed message. */
export interface ErrorFacts {
  status?: number;
  code?: string;
  message: string;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/** Walks `error.cause` to find the network code (ECONNREFUSED…) of a fetch or axios failure. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const code = asRecord(current)?.code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = asRecord(current)?.cause;
  }
  return undefined;
}

export function errorFacts(error: unknown, scrub: Scrub): ErrorFacts {
  const e = asRecord(error) ?? {};
  const status =
    typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = networkCode(error) ?? (typeof e.code === 'string' ? e.code : undefined);
  const raw = typeof e.message === 'string' ? e.message : String(error);
  return {
    ...(status !== undefined ? { status } : {}),
    ...(code !== undefined ? { code } : {}),
    message: scrub(raw).slice(0, 300),
  };
}
