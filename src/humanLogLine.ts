/**
 * Pure: a pino JSON line as a person reads it on a terminal, `WARN  message  key=value …`. One-shot
 * commands log this way on a terminal (no dependency: pino-pretty is not in the production image).
 */

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** What a person does not need on every line: pino's and the app's bookkeeping. */
const OMITTED = new Set(['level', 'time', 'pid', 'hostname', 'app', 'msg']);

const valueText = (value: unknown): string => {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
};

/** The line, or the input itself when it is not a JSON object (nothing is ever dropped). */
export function humanLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (typeof entry !== 'object' || entry === null) return `${line.trimEnd()}\n`;
  const level = LEVEL_NAMES[entry.level as number] ?? String(entry.level ?? '').toUpperCase();
  const fields = Object.entries(entry)
    .filter(([key, value]) => !OMITTED.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${valueText(value)}`);
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  return `${level.padEnd(5)} ${msg}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}\n`;
}
