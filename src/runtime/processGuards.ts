import type { Logger } from 'pino';
import { createScrubber } from '../notify/redact.js';

/**
 * The last line of defence: what happens to an exception nobody caught, or a rejection nobody
 * handled. Without these handlers Node prints a stack trace and exits 1 (or, for some socket
 * errors, ends a controller that had nothing wrong with it).
 *
 * - Survived, logged at `warn`: an I/O error of one connection (a peer that reset or closed it, a
 *   write to a closed socket, a malformed request, a full file table on accept). It fails the one
 *   operation that used that connection and says nothing about the process's own state; every
 *   request and every AWS call already has its own error handling, so the next tick starts clean.
 * - Fatal, logged at `fatal`, then exit 70 (EX_SOFTWARE): anything else. A programming error has
 *   unwound the stack through code that did not expect it, so the lease, the single-flight and
 *   the cycle's bookkeeping may be half updated: continuing could write under a stale view. The
 *   orchestrator restarts the process; a follower takes the lease over within one lease duration.
 *   No graceful shutdown is attempted: it would run on the same possibly broken state.
 */
export const EXIT_UNSAFE_TO_CONTINUE = 70;

/** Error codes of one connection's I/O: survivable wherever they come from. */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EMFILE',
  'ENFILE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_SOCKET_CLOSED',
  'ERR_HTTP_REQUEST_TIMEOUT',
]);

export type ProcessEvent = 'uncaughtException' | 'unhandledRejection';

export interface Verdict {
  survivable: boolean;
  /** Why, for the log line. */
  reason: string;
}

/** Pure: whether the process may go on after `error` reached the top level. */
export function classifyProcessError(error: unknown): Verdict {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('HPE_'))) {
    return { survivable: true, reason: `I/O error of one connection (${code}): only that connection failed` };
  }
  return {
    survivable: false,
    reason: 'unexpected error: the process state may be inconsistent, exiting so that it is restarted',
  };
}

const scrub = createScrubber([]);
const MAX_TEXT = 4000;

/** The error as it may be logged: type, code, message and stack, with URLs (which may hold secrets) removed. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      type: error.name,
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      message: scrub(error.message).slice(0, MAX_TEXT),
      stack: scrub(error.stack ?? '').slice(0, MAX_TEXT),
    };
  }
  // A rejection with a non-Error value (`Promise.reject('x')`): its type and a bounded rendering.
  let text: string;
  try {
    text = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    text = String(error);
  }
  return { type: error === null ? 'null' : typeof error, message: scrub(text).slice(0, MAX_TEXT) };
}

/** The part of `process` the guards use; tests pass an EventEmitter. */
export interface ProcessLike {
  on(event: ProcessEvent, listener: (error: unknown) => void): unknown;
  off(event: ProcessEvent, listener: (error: unknown) => void): unknown;
}

export interface ProcessGuardOptions {
  /** The logger, or a function that makes it when the first event comes (main.ts: pino loads only then). */
  logger: Logger | (() => Logger);
  /** Default: process.exit. */
  exit?: (code: number) => void;
  source?: ProcessLike;
  /** Context for every line, e.g. the command. */
  context?: Record<string, unknown>;
}

/**
 * Installs the handlers; returns a function that removes them. Each event is logged once, with
 * its kind, the error and what was decided; nothing ends the process silently.
 */
export function installProcessGuards(options: ProcessGuardOptions): () => void {
  const source = options.source ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let child: Logger | undefined;
  const log = () => {
    if (!child) {
      const logger = typeof options.logger === 'function' ? options.logger() : options.logger;
      child = logger.child({ component: 'process', ...options.context });
    }
    return child;
  };
  let exiting = false;

  const handle = (event: ProcessEvent) => (error: unknown) => {
    const verdict = classifyProcessError(error);
    const fields = {
      event,
      error: describeError(error),
      reason: verdict.reason,
      uptimeSeconds: Math.round(process.uptime()),
    };
    if (verdict.survivable) {
      log().warn({ ...fields, action: 'continue' }, `${event}: survived`);
      return;
    }
    log().fatal({ ...fields, action: 'exit', exitCode: EXIT_UNSAFE_TO_CONTINUE }, `${event}: exiting`);
    if (exiting) return;
    exiting = true;
    exit(EXIT_UNSAFE_TO_CONTINUE);
  };
  const listeners = (['uncaughtException', 'unhandledRejection'] as const).map((event) => {
    const listener = handle(event);
    source.on(event, listener);
    return { event, listener };
  });
  return () => {
    for (const { event, listener } of listeners) source.off(event, listener);
  };
}
