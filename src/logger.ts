import pino, { type Logger } from 'pino';

/** Keys that may carry secrets; redacted wherever they appear in a log line (top level or one down). */
const SECRET_KEYS = [
  'webhookUrl',
  'notifyWebhookUrl',
  'token',
  'authorization',
  'password',
  'secretAccessKey',
  'sessionToken',
  'credentials',
];

/** Paths that may carry secrets; redacted wherever they appear in a log line. */
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  'headers.authorization',
  '*.headers.authorization',
];

const loggerOptions = (level: string): pino.LoggerOptions => ({
  level,
  base: { app: 'edaguard' },
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
});

/** JSON lines on stderr (stdout is for reports), so `--output json` stays machine-readable. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(loggerOptions(level), destination ?? pino.destination(2));
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
  options: {
    isTerminal?: boolean;
    importPretty?: () => Promise<unknown>;
    /** Where JSON lines go (default stderr). */
    destination?: pino.DestinationStream;
  } = {},
): Promise<Logger> {
  const isTerminal = options.isTerminal ?? process.stderr.isTTY === true;
  const json = () => createLogger(level, options.destination);
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
    return pino(loggerOptions(level), stream);
  } catch {
    const logger = json();
    logger.warn({ logFormat: format }, 'pino-pretty is not installed; logging JSON lines');
    return logger;
  }
}
