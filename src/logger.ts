import pino, { type Logger } from 'pino';

/** Paths that may carry secrets; redacted wherever they appear in a log line. */
export const REDACT_PATHS = [
  'webhookUrl',
  '*.webhookUrl',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
];

/** JSON lines on stderr (stdout is for reports), so `--output json` stays machine-readable. */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    { level, base: { app: 'edaguard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}
