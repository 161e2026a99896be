import { Writable } from 'node:stream';
import type pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, createServiceLogger } from '../../../src/logger.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream: stream as unknown as pino.DestinationStream, text: () => text };
}

describe('logger', () => {
  it('redacts secrets at the top level and one level down', () => {
    const out = sink();
    const logger = createLogger('info', out.stream);
    logger.info(
      {
        webhookUrl: 'https://hooks.slack.com/services/T0/B0/SECRET1',
        config: { notifyWebhookUrl: 'https://hooks.example/SECRET2', password: 'SECRET3' },
        headers: { authorization: 'Bearer SECRET4' },
        credentials: { secretAccessKey: 'SECRET5' },
        fencingToken: 4,
      },
      'hello',
    );
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(out.text()).not.toMatch(/SECRET/);
    expect(line.webhookUrl).toBe('[redacted]');
    expect(line.config).toEqual({ notifyWebhookUrl: '[redacted]', password: '[redacted]' });
    // The lease's fencing token is not a secret and stays readable.
    expect(line.fencingToken).toBe(4);
  });

  it('JSON lines unless on a terminal; pretty when pino-pretty can be loaded', async () => {
    const json = await createServiceLogger('info', 'auto', { isTerminal: false, destination: sink().stream });
    expect(json.level).toBe('info');
    // pretty asked for, pino-pretty missing (the production image): JSON, with one warning.
    let imported = 0;
    const out = sink();
    const fallback = await createServiceLogger('debug', 'pretty', {
      isTerminal: true,
      destination: out.stream,
      importPretty: async () => {
        imported += 1;
        throw Object.assign(new Error("Cannot find package 'pino-pretty'"), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    expect(imported).toBe(1);
    expect(fallback.level).toBe('debug');
    expect(JSON.parse(out.text())).toMatchObject({
      level: 40,
      msg: 'pino-pretty is not installed; logging JSON lines',
    });
    // Not asked, not a terminal: pino-pretty is never loaded.
    await createServiceLogger('info', 'auto', {
      isTerminal: false,
      destination: sink().stream,
      importPretty: async () => {
        imported += 1;
        return {};
      },
    });
    expect(imported).toBe(1);
  });

  it('pretty form: readable lines, still redacted', async () => {
    let text = '';
    const logger = await createServiceLogger('info', 'pretty', {
      isTerminal: false,
      importPretty: async () => ({
        default: (options: Record<string, unknown>) => {
          expect(options.colorize).toBe(false);
          return new Writable({
            write(chunk, _enc, done) {
              text += chunk.toString();
              done();
            },
          });
        },
      }),
    });
    logger.info({ token: 'SECRET' }, 'pretty hello');
    expect(text).toContain('pretty hello');
    expect(text).not.toContain('SECRET');
  });
});
