/**
 * How one-shot commands log: JSON lines unless stderr is a terminal or `pretty` is asked for; on a
 * terminal readable lines at `warn` and above unless a level was given; `--log-format` and
 * EDAGUARD_LOG_FORMAT checked like every setting.
 */
import { describe, expect, it } from 'vitest';
import { commandLogging } from '../../../src/cli/commandLogging.js';
import { humanLogLine } from '../../../src/humanLogLine.js';
import { createHumanLogger } from '../../../src/logger.js';
import { SecretValues } from '../../../src/notify/redact.js';

describe('commandLogging', () => {
  it.each([
    // [case, input, expected]
    ['not a terminal: JSON at the level', { isTerminal: false }, { level: 'info', lines: 'json' }],
    ['a terminal: readable, warn and above', { isTerminal: true }, { level: 'warn', lines: 'human' }],
    [
      'a terminal with a level given: that level',
      { isTerminal: true, level: 'debug', levelGiven: true },
      { level: 'debug', lines: 'human' },
    ],
    [
      'a terminal with --log-format json',
      { isTerminal: true, formatFlag: 'json' },
      { level: 'info', lines: 'json' },
    ],
    [
      '--log-format pretty off a terminal',
      { isTerminal: false, formatFlag: 'pretty' },
      { level: 'warn', lines: 'human' },
    ],
    [
      'EDAGUARD_LOG_FORMAT=json on a terminal',
      { isTerminal: true, env: { EDAGUARD_LOG_FORMAT: 'json' } },
      { level: 'info', lines: 'json' },
    ],
    [
      'the flag over the variable',
      { isTerminal: false, formatFlag: 'pretty', env: { EDAGUARD_LOG_FORMAT: 'json' } },
      { level: 'warn', lines: 'human' },
    ],
    [
      'an empty variable is unset',
      { isTerminal: false, env: { EDAGUARD_LOG_FORMAT: '' } },
      { level: 'info', lines: 'json' },
    ],
  ] as const)('%s', (_case, input, expected) => {
    expect(commandLogging({ level: 'info', levelGiven: false, env: {}, ...input })).toEqual(expected);
  });

  it('a bad EDAGUARD_LOG_FORMAT is bad input naming the variable', () => {
    expect(() =>
      commandLogging({
        level: 'info',
        levelGiven: false,
        isTerminal: true,
        env: { EDAGUARD_LOG_FORMAT: 'xml' },
      }),
    ).toThrow(
      /logFormat \(--log-format, EDAGUARD_LOG_FORMAT.*must be one of auto, json, pretty, got "xml" \(from EDAGUARD_LOG_FORMAT\)/,
    );
  });
});

describe('humanLogLine', () => {
  it('is LEVEL, message, then the fields as key=value; pino’s bookkeeping left out', () => {
    const line = JSON.stringify({
      level: 40,
      time: 1,
      pid: 2,
      hostname: 'h',
      app: 'edaguard',
      resource: 'arn:aws:sqs:us-east-1:1:orders',
      status: 'deferred',
      writes: ['SetQueueAttributes orders'],
      msg: 'deferred: change budget spent',
    });
    expect(humanLogLine(line)).toBe(
      'WARN  deferred: change budget spent  resource=arn:aws:sqs:us-east-1:1:orders status=deferred writes=["SetQueueAttributes orders"]\n',
    );
  });

  it('quotes a value with spaces, and passes through what is not JSON', () => {
    expect(humanLogLine('{"level":50,"msg":"x","err":"a b"}')).toBe('ERROR x  err="a b"\n');
    expect(humanLogLine('not json')).toBe('not json\n');
  });
});

describe('createHumanLogger', () => {
  it('writes readable lines through the given writer, secrets scrubbed', () => {
    const out: string[] = [];
    const secrets = new SecretValues();
    secrets.add(['hunter2-secret-value']);
    const logger = createHumanLogger('warn', (t) => out.push(t), { secrets });
    logger.info('not shown at warn');
    logger.warn({ url: 'https://x/hunter2-secret-value', token: 'abc' }, 'slack failed');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^WARN {2}slack failed {2}url=/);
    expect(out[0]).not.toContain('hunter2-secret-value');
    expect(out[0]).not.toContain('abc');
  });
});
