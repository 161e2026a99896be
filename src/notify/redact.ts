/**
 * Keeping secrets out of logs. The logger redacts a few key names; the notification code goes
 * further: it never logs a URL or an error object, only a host, a status, a code, and a message
 * passed through `scrub` (URLs and every configured secret value replaced).
 */

export type Scrub = (text: string) => string;

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi;

/** Replaces URLs and the given secret values (and their URL-encoded forms) in a string. */
export function createScrubber(secrets: readonly string[]): Scrub {
  const values = [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))]
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of values) out = out.split(secret).join('[redacted]');
    return out.replace(URL_PATTERN, '[url]');
  };
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
