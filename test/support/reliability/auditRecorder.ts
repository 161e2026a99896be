/**
 * A pino logger that keeps its JSON lines in memory: the audit trail of one cycle. The harness has
 * the same helper, but it imports vitest, which the reliability script cannot.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export function auditRecorder(level = 'info'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  let buffer = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      buffer += chunk.toString();
      done();
    },
  });
  return {
    logger: pino({ level }, stream),
    lines: () =>
      buffer
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
