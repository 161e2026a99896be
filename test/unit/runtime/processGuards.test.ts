import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  classifyProcessError,
  EXIT_UNSAFE_TO_CONTINUE,
  installProcessGuards,
  type ProcessLike,
} from '../../../src/runtime/processGuards.js';
import { recordingLogger } from '../../support/harness.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

function guarded() {
  const source = new EventEmitter();
  const log = recordingLogger('trace');
  const exits: number[] = [];
  const uninstall = installProcessGuards({
    logger: log.logger,
    source: source as unknown as ProcessLike,
    exit: (code) => exits.push(code),
    context: { command: 'run' },
  });
  return { source, log, exits, uninstall };
}

describe('classifyProcessError', () => {
  it.each([
    ['ECONNRESET'],
    ['EPIPE'],
    ['ETIMEDOUT'],
    ['EMFILE'],
    ['ERR_STREAM_PREMATURE_CLOSE'],
    ['HPE_INVALID_METHOD'],
  ])('%s (one connection) is survivable', (code) => {
    expect(classifyProcessError(withCode('x', code)).survivable).toBe(true);
  });

  it.each([
    ['a TypeError', new TypeError('x is undefined')],
    ['a RangeError', new RangeError('Maximum call stack size exceeded')],
    ['an error with another code', withCode('boom', 'ERR_ASSERTION')],
    ['a string', 'just text'],
    ['undefined', undefined],
    ['null', null],
    ['an object with a numeric code', { code: 104 }],
  ])('%s is not', (_, error) => {
    expect(classifyProcessError(error).survivable).toBe(false);
  });
});

describe('installProcessGuards', () => {
  it('a logger given as a function is made once, when the first event comes (main.ts: pino loads only then)', () => {
    const source = new EventEmitter();
    const log = recordingLogger('trace');
    let made = 0;
    const exits: number[] = [];
    const uninstall = installProcessGuards({
      logger: () => {
        made += 1;
        return log.logger;
      },
      source: source as unknown as ProcessLike,
      exit: (code) => exits.push(code),
    });
    expect(made).toBe(0);
    source.emit('uncaughtException', withCode('read ECONNRESET', 'ECONNRESET'));
    source.emit('uncaughtException', new TypeError('x is undefined'));
    expect(made).toBe(1);
    expect(exits).toEqual([EXIT_UNSAFE_TO_CONTINUE]);
    expect(log.lines().map((l) => l.level)).toEqual([40, 60]);
    uninstall();
  });

  it('a connection error: one warn line with its context, no exit', () => {
    const { source, log, exits } = guarded();
    source.emit('uncaughtException', withCode('read ECONNRESET', 'ECONNRESET'));
    source.emit('unhandledRejection', withCode('write EPIPE', 'EPIPE'));
    expect(exits).toEqual([]);
    expect(log.lines()).toMatchObject([
      {
        level: 40,
        component: 'process',
        command: 'run',
        event: 'uncaughtException',
        action: 'continue',
        error: { type: 'Error', code: 'ECONNRESET', message: 'read ECONNRESET' },
        msg: 'uncaughtException: survived',
      },
      { level: 40, event: 'unhandledRejection', action: 'continue', error: { code: 'EPIPE' } },
    ]);
  });

  it('anything else: one fatal line with the stack, then exit 70 (once, however many follow)', () => {
    const { source, log, exits } = guarded();
    source.emit('unhandledRejection', new TypeError('cannot read x of undefined'));
    source.emit('uncaughtException', new Error('a second one while exiting'));
    expect(EXIT_UNSAFE_TO_CONTINUE).toBe(70);
    expect(exits).toEqual([70]);
    const lines = log.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 60,
      event: 'unhandledRejection',
      action: 'exit',
      exitCode: 70,
      error: { type: 'TypeError', message: 'cannot read x of undefined' },
      msg: 'unhandledRejection: exiting',
    });
    expect((lines[0]?.error as { stack?: string } | undefined)?.stack).toMatch(
      /^TypeError: cannot read x of undefined\n\s+at /,
    );
    expect(lines[1]).toMatchObject({ level: 60, event: 'uncaughtException' });
  });

  it('URLs in messages and stacks (webhook secrets) never reach the log; odd reasons are rendered', () => {
    const { source, log } = guarded();
    source.emit('uncaughtException', new Error('POST https://hooks.slack.com/services/T0/B0/s3cr3t failed'));
    source.emit('unhandledRejection', { why: 'see http://user:pw@host/x' });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    source.emit('unhandledRejection', circular);
    expect(log.raw()).not.toMatch(/s3cr3t|user:pw/);
    expect(log.lines().map((l) => l.error)).toMatchObject([
      { message: 'POST [url] failed' },
      { type: 'object', message: '{"why":"see [url]"}' },
      { type: 'object', message: '[object Object]' },
    ]);
  });

  it('the returned function removes the handlers', () => {
    const { source, uninstall } = guarded();
    expect(source.listenerCount('uncaughtException')).toBe(1);
    expect(source.listenerCount('unhandledRejection')).toBe(1);
    uninstall();
    expect(source.listenerCount('uncaughtException')).toBe(0);
    expect(source.listenerCount('unhandledRejection')).toBe(0);
  });
});
