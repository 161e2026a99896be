import { createRequire } from 'node:module';
import type pino from 'pino';
import type { Logger } from 'pino';
import { humanLogLine } from './humanLogLine.js';
import { logSecrets, redactForLog, type SecretValues } from './notify/redact.js';

/**
 * pino, loaded when the first logger is made: a command that logs nothing (`validate`, `rules`,
 * `--help`) never loads its thirty-odd modules. It is a CommonJS package, so `require` loads it
 * synchronously (the process guards make their logger inside an `uncaughtException` handler).
 */
let loadedPino: typeof pino | undefined;
const pinoModule = (): typeof pino => (loadedPino ??= createRequire(import.meta.url)('pino') as typeof pino);

/**
 * Secrets never reach a line. pino's path-based `redact` is neither deep nor case-insensitive,
 * and HTTP clients' errors carry credentials deep inside (axios's `config.headers.Authorization`
 * and `config.auth`, octokit's `request.headers.authorization`, the `cause` chain…). So every
 * log object and every child's bindings go through `redactForLog` (secret-named keys censored at
 * any depth, errors as plain objects), and each finished line through the known secret values.
 */
const loggerOptions = (level: string, secrets: SecretValues): pino.LoggerOptions => ({
  level,
  base: { app: 'edaguard' },
  formatters: {
    log: (object) => redactForLog(object) as Record<string, unknown>,
    bindings: (bindings) => redactForLog(bindings) as pino.Bindings,
  },
  // The formatter has already turned errors into plain objects; pino's serializer would re-type them.
  serializers: { err: (value: unknown) => value },
  hooks: { streamWrite: (line) => secrets.scrub(line) },
});

/**
 * pino applies the bindings formatter to the root's bindings only, not to a child's: every
 * logger derived from this one (children inherit `child` from it) redacts its bindings too.
 */
function withRedactedChildBindings(logger: Logger): Logger {
  const child = logger.child as unknown as (this: Logger, ...args: unknown[]) => Logger;
  const redactingChild = function (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) {
    return child.call(this, redactForLog(bindings), options);
  };
  (logger as { child: unknown }).child = redactingChild;
  return logger;
}

export interface LoggerSecrets {
  /** Secret values to replace in every line (default: the process's, filled as they are read). */
  secrets?: SecretValues;
}

/** JSON lines on stderr (stdout is for reports), so `--output json` stays machine-readable. */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  options: LoggerSecrets = {},
): Logger {
  const pino = pinoModule();
  return withRedactedChildBindings(
    pino(loggerOptions(level, options.secrets ?? logSecrets), destination ?? pino.destination(2)),
  );
}

/**
 * One-shot commands on a terminal: `LEVEL message key=value` lines through `write` (the CLI's
 * stderr). Secrets are scrubbed as on JSON lines: the line is formatted after pino's hooks ran.
 */
export function createHumanLogger(
  level: string,
  write: (text: string) => void,
  options: LoggerSecrets = {},
): Logger {
  const destination = { write: (line: string) => write(humanLogLine(line)) };
  const pino = pinoModule();
  return withRedactedChildBindings(pino(loggerOptions(level, options.secrets ?? logSecrets), destination));
}

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * The long-running controller's logger: JSON lines, or a readable colourised form when stderr is
 * a terminal (`auto`) or when asked (`pretty`). pino-pretty is a development dependency: where it
 * is not installed (the production image), the logger stays JSON and says so once.
 */
export async function createServiceLogger(
  level: string,
  format: LogFormat,
  options: LoggerSecrets & {
    isTerminal?: boolean;
    importPretty?: () => Promise<unknown>;
    /** Where JSON lines go (default stderr). */
    destination?: pino.DestinationStream;
  } = {},
): Promise<Logger> {
  const isTerminal = options.isTerminal ?? process.stderr.isTTY === true;
  const json = () => createLogger(level, options.destination, options);
  const wantPretty = format === 'pretty' || (format === 'auto' && isTerminal);
  if (!wantPretty) return json();
  try {
    const mod = (await (options.importPretty ?? (() => import('pino-pretty')))()) as {
      default: (o: Record<string, unknown>) => pino.DestinationStream;
    };
    const stream = mod.default({
      destination: 2,
      colorize: isTerminal,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,app',
      sync: true,
    });
    const pino = pinoModule();
    return withRedactedChildBindings(pino(loggerOptions(level, options.secrets ?? logSecrets), stream));
  } catch {
    const logger = json();
    logger.warn({ logFormat: format }, 'pino-pretty is not installed; logging JSON lines');
    return logger;
  }
}
