import { describe, expect, it } from 'vitest';
import { layerConfigFile, parseConfigFile } from '../../../src/config/file.js';
import { resolveRuntimeSettings } from '../../../src/config/runtime.js';
import { resolveServiceSettings, SERVICE_SETTINGS, type ServiceFlags } from '../../../src/config/service.js';
import { ConfigError } from '../../../src/errors.js';

const holder = () => 'replica-1';
const resolve = (flags: ServiceFlags, env: Record<string, string> = {}) =>
  resolveServiceSettings(flags, env, holder);

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveServiceSettings', () => {
  it('defaults, with only a policy directory', () => {
    expect(resolve({ policies: '/policies' })).toEqual({
      policies: '/policies',
      schedule: '*/5 * * * *',
      cycleTimeoutMs: 240_000,
      dryRun: false,
      output: 'none',
      httpHost: '0.0.0.0',
      httpPort: 8080,
      leaderElection: true,
      stateTable: 'edaguard-state',
      createStateTable: false,
      leaseDurationMs: 30_000,
      leaseRenewIntervalMs: 10_000,
      holderId: 'replica-1',
      shutdownGraceMs: 25_000,
      readyFailureThreshold: 3,
      logFormat: 'auto',
      targetConcurrency: 4,
      targetRefreshMs: 3_600_000,
    });
  });

  it('flags beat the environment; the environment fills in the rest', () => {
    const settings = resolve(
      { leaseDuration: '2', schedule: '*/1 * * * * *', leaderElection: false, dryRun: true },
      {
        EDAGUARD_POLICIES: '/env-policies',
        EDAGUARD_LEASE_DURATION: '60',
        EDAGUARD_LEASE_RENEW_INTERVAL: '0.5',
        EDAGUARD_LEADER_ELECTION: 'true',
        EDAGUARD_HTTP_PORT: '9090',
        EDAGUARD_CYCLE_TIMEOUT: '1.5',
        EDAGUARD_STATE_TABLE: 'ops-state',
        EDAGUARD_ACCOUNT_ID: '111122223333',
        EDAGUARD_DRY_RUN: 'no',
      },
    );
    expect(settings).toMatchObject({
      policies: '/env-policies',
      leaseDurationMs: 2000,
      leaseRenewIntervalMs: 500,
      schedule: '*/1 * * * * *',
      leaderElection: false,
      dryRun: true,
      httpPort: 9090,
      cycleTimeoutMs: 1500,
      stateTable: 'ops-state',
      accountId: '111122223333',
    });
  });

  it('the renew interval defaults to a third of the lease', () => {
    expect(resolve({ policies: 'p', leaseDuration: '9' }).leaseRenewIntervalMs).toBe(3000);
  });

  it('lists every problem at once, naming the flag, the variable and the config key', () => {
    const message = configError(() =>
      resolve(
        { schedule: 'every 5 minutes', httpPort: '70000' },
        {
          EDAGUARD_LEASE_DURATION: 'thirty',
          EDAGUARD_DRY_RUN: 'maybe',
          EDAGUARD_OUTPUT: 'xml',
          EDAGUARD_ACCOUNT_ID: '12',
        },
      ),
    );
    const lines = message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'schedule (--schedule, EDAGUARD_SCHEDULE, schedule in the config file): is not a valid cron expression "every 5 minutes" (expression: expected 5 or 6 fields but got 3) (from --schedule)',
        'dryRun (--dry-run, EDAGUARD_DRY_RUN, dryRun in the config file): must be true or false, got "maybe" (from EDAGUARD_DRY_RUN)',
        'output (--output, EDAGUARD_OUTPUT, output in the config file): must be one of none, json, got "xml" (from EDAGUARD_OUTPUT)',
        'httpPort (--http-port, EDAGUARD_HTTP_PORT, httpPort in the config file): must be at most 65535, got 70000 (from --http-port)',
        'leaseDuration (--lease-duration, EDAGUARD_LEASE_DURATION, leaseDuration in the config file): must be a number of seconds, got "thirty" (from EDAGUARD_LEASE_DURATION)',
        'policies (--policies, EDAGUARD_POLICIES, policies in the config file): required',
        'accountId (--account-id, EDAGUARD_ACCOUNT_ID): must be 12 digits, got "12"',
      ]),
    );
  });

  it('a renew interval above half the lease is refused', () => {
    expect(
      configError(() => resolve({ policies: 'p', leaseDuration: '2', leaseRenewInterval: '1.5' })),
    ).toMatch(/leaseRenewInterval \(1\.5 s\) must be at most half of leaseDuration \(2 s\)/);
  });

  it('every setting has an environment variable, and every flag is spelled like its key', () => {
    for (const spec of SERVICE_SETTINGS) {
      expect(spec.env).toMatch(/^EDAGUARD_[A-Z_]+$/);
      if ('flag' in spec) {
        const camel = spec.flag
          .replace(/^--(no-)?/, '')
          .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        expect(camel).toBe(spec.key);
      }
    }
  });
});

describe('config file', () => {
  const FILE = `# edaguard run settings
policies: /policies
schedule: "*/10 * * * *"
leaseDuration: 15
dryRun: true
maxChangePercent: 25
region: eu-west-1
logLevel: debug
`;

  it('turns settings into environment variables, validated', () => {
    expect(parseConfigFile('edaguard.yaml', FILE).env).toEqual({
      EDAGUARD_POLICIES: '/policies',
      EDAGUARD_SCHEDULE: '*/10 * * * *',
      EDAGUARD_LEASE_DURATION: '15',
      EDAGUARD_DRY_RUN: 'true',
      EDAGUARD_MAX_CHANGE_PERCENT: '25',
      AWS_REGION: 'eu-west-1',
      EDAGUARD_LOG_LEVEL: 'debug',
    });
  });

  it('precedence: flags, then the environment, then the file, then defaults', () => {
    const file = parseConfigFile('edaguard.yaml', FILE);
    const env = layerConfigFile(file, {
      EDAGUARD_LEASE_DURATION: '20',
      EDAGUARD_DRY_RUN: '',
      AWS_DEFAULT_REGION: 'us-west-2',
    });
    const service = resolveServiceSettings({ schedule: '*/1 * * * *' }, env, holder);
    expect(service).toMatchObject({
      policies: '/policies', // file
      schedule: '*/1 * * * *', // flag beats file
      leaseDurationMs: 20_000, // environment beats file
      dryRun: true, // an empty variable does not hide the file
    });
    const runtime = resolveRuntimeSettings({}, env);
    // AWS_DEFAULT_REGION in the environment beats the file's region.
    expect(runtime.region).toBe('us-west-2');
    expect(runtime.maxChangePercent).toBe(25);
    expect(resolveRuntimeSettings({}, layerConfigFile(file, {})).region).toBe('eu-west-1');
  });

  it('JSON is YAML: a JSON config file works too', () => {
    expect(parseConfigFile('c.json', '{"policies": "/p", "httpPort": 9000}').env).toEqual({
      EDAGUARD_POLICIES: '/p',
      EDAGUARD_HTTP_PORT: '9000',
    });
  });

  it('an empty file sets nothing', () => {
    expect(parseConfigFile('c.yaml', '# nothing yet\n').env).toEqual({});
  });

  it('every error has its file, line and column', () => {
    const message = configError(() =>
      parseConfigFile(
        'edaguard.yaml',
        'policies: /p\nleaseDurationSeconds: 10\nhttpPort: lots\nschedule:\n  every: 5m\n',
      ),
    );
    expect(message.split('\n')).toEqual([
      expect.stringMatching(
        /^edaguard\.yaml:2:1: unknown setting "leaseDurationSeconds"; known settings: region, /,
      ),
      'edaguard.yaml:3:11: httpPort: must be an integer, got "lots"',
      'edaguard.yaml:4:1: schedule: expected a single value',
    ]);
  });

  it('YAML syntax errors and a non-mapping are reported with their place', () => {
    expect(configError(() => parseConfigFile('c.yaml', 'policies: [unclosed\n'))).toMatch(
      /^c\.yaml:\d+:\d+: YAML: /,
    );
    expect(configError(() => parseConfigFile('c.yaml', '- a\n- b\n'))).toBe(
      'c.yaml:1:1: a config file is a mapping of setting: value',
    );
  });
});
