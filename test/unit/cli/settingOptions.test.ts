import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addGlobalSettingOptions, addSettingOptions, settingHelp } from '../../../src/cli/settingOptions.js';
import { SERVICE_SETTINGS, SETTINGS } from '../../../src/config/settingsTable.js';

const io = (env: NodeJS.ProcessEnv = {}) => ({ stdout: () => {}, stderr: () => {}, env });
const flagsOf = (cmd: Command) => cmd.options.map((o) => o.flags);

describe('commander options from the settings table', () => {
  it('the program takes the global ones', () => {
    expect(flagsOf(addGlobalSettingOptions(new Command(), io()))).toEqual([
      '--region <region>',
      '--endpoint-url <url>',
      '--max-attempts <n>',
      '--log-level <level>',
      '--log-format <format>',
    ]);
  });

  it('the log level defaults to EDAGUARD_LOG_LEVEL, then info', () => {
    const level = (env: NodeJS.ProcessEnv) =>
      addGlobalSettingOptions(new Command(), io(env)).options.find((o) => o.long === '--log-level')
        ?.defaultValue;
    expect(level({ EDAGUARD_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(level({ EDAGUARD_LOG_LEVEL: '' })).toBe('info');
  });

  it('reconcile takes --max-changes; run takes every run setting and the change caps', () => {
    expect(flagsOf(addSettingOptions(new Command(), 'reconcile'))).toEqual(['--max-changes <n>']);
    const run = flagsOf(addSettingOptions(new Command(), 'run'));
    // --log-format is a global flag (every command logs): `run` reads it from the program.
    const own = SERVICE_SETTINGS.filter((spec) => spec.key !== 'logFormat');
    for (const spec of own) expect(run.some((f) => f.includes(spec.flag))).toBe(true);
    expect(run).toEqual(expect.arrayContaining(['--max-changes <n>', '--max-change-percent <n>']));
    expect(run).toHaveLength(own.length + 2);
  });

  it('a run option parses to its row key, and an enum of run lists its choices', () => {
    const cmd = addSettingOptions(new Command().exitOverride(), 'run');
    cmd.parse(['--no-leader-election', '--lease-duration', '9', '-o', 'json'], { from: 'user' });
    expect(cmd.opts()).toMatchObject({ leaderElection: false, leaseDuration: '9', output: 'json' });
    expect(() =>
      addSettingOptions(new Command().exitOverride().configureOutput({ writeErr: () => {} }), 'run').parse(
        ['--output', 'xml'],
        { from: 'user' },
      ),
    ).toThrow(/argument 'xml' is invalid/);
  });

  it('help names the default and the variable', () => {
    const httpPort = SETTINGS.find((s) => s.key === 'httpPort');
    expect(httpPort && settingHelp(httpPort)).toBe(
      'port of the health and metrics server (0: any free port) (default: 8080); env EDAGUARD_HTTP_PORT',
    );
  });
});
