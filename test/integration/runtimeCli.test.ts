/**
 * `edaguard run` from the command line, in-process: settings are validated at start with clear
 * errors (exit 2) from flags, the environment and a config file; the state table must exist.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, useCleanEmulator } from '../support/harness.js';
import { policyDir } from '../support/runtime.js';

useCleanEmulator();

describe('edaguard run: settings', () => {
  it('--help lists the loop, HA and shutdown settings', async () => {
    const run = await cli(['run', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--schedule <cron>',
      '--cycle-timeout <seconds>',
      '--max-change-percent <n>',
      '--no-leader-election',
      '--lease-duration <seconds>',
      '--shutdown-grace <seconds>',
      '--config <file>',
      '--log-format <format>',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('lists every invalid setting at once and exits 2 before starting anything', async () => {
    const run = await cli(
      [
        'run',
        '--lease-duration',
        '1',
        '--lease-renew-interval',
        '0.9',
        '--schedule',
        '61 * * * *',
        '--log-level',
        'loud',
      ],
      { EDAGUARD_HTTP_PORT: 'eighty', EDAGUARD_POLICIES: '' },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^edaguard: invalid settings:\n/);
    for (const expected of [
      'schedule (--schedule, EDAGUARD_SCHEDULE, schedule in the config file): is not a valid cron expression "61 * * * *" (minute: 61 is a invalid expression for minute)',
      'httpPort (--http-port, EDAGUARD_HTTP_PORT, httpPort in the config file): must be an integer, got "eighty"',
      'policies (--policies, EDAGUARD_POLICIES, policies in the config file): required',
      'leaseRenewInterval (0.9 s) must be at most half of leaseDuration (1 s)',
      'logLevel (--log-level, EDAGUARD_LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]) {
      expect(run.stderr).toContain(expected);
    }
    expect(run.logLines()).toEqual([]);
  });

  it('a config file with errors names file, line and column; exit 2', async () => {
    const { dir } = await policyDir();
    const config = path.join(dir, 'edaguard.yaml');
    await writeFile(config, `policies: ${dir}\nleaseDuration: soon\nscheduel: "* * * * *"\n`);
    const run = await cli(['run', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${config}:2:16: leaseDuration: must be a number of seconds, got "soon"`);
    expect(run.stderr).toContain(`${config}:3:1: unknown setting "scheduel"`);
  });

  it('refuses to start without the state table, and says how to get one (exit 2)', async () => {
    const { dir } = await policyDir();
    const run = await cli(['run', '--policies', dir, '--http-port', '0', '--http-host', '127.0.0.1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'edaguard: the state table "edaguard-state" does not exist: deploy it (deploy/ecs/edaguard.yaml, or a table with partition key "pk" of type String), name another with --state-table, or pass --create-state-table\n',
    );
    const messages = run.logLines().map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining(['starting edaguard run', 'cannot start', 'shutdown complete']),
    );
    // The config it started with was logged, from the config file, the environment and the flags.
    const starting = run.logLines().find((l) => l.msg === 'starting edaguard run');
    expect(starting?.config).toMatchObject({
      policies: dir,
      leaderElection: true,
      stateTable: 'edaguard-state',
      httpPort: 0,
    });
    // The Node.js version the AWS SDK drops next is named once, here (its own warning is off).
    expect(starting).toMatchObject({ node: process.version, version: expect.any(String) });
    expect(String(starting?.nodeSupport)).toMatch(/require (Node\.js )?>=\d+/);
  });
});
