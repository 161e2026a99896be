/**
 * Bad flags, environment values and config files, through the real CLI in-process: each exits 2
 * with a message naming the flag, the variable or the file and line, never a stack trace, and
 * before any AWS call (plan and reconcile point at a local server that records requests).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../support/harness.js';
import { type RecordingServer, startRecordingServer } from '../../support/recordingServer.js';

const POLICIES = 'examples/sandbox/policies';

let aws: RecordingServer;
let tmp: string;
beforeAll(async () => {
  aws = await startRecordingServer();
  tmp = await mkdtemp(path.join(tmpdir(), 'edaguard-flags-'));
});
afterAll(async () => {
  await aws.close();
  await rm(tmp, { recursive: true, force: true });
});

/** The region and the recording endpoint; the settings under test unset (cli() starts from process.env). */
const baseEnv = (): NodeJS.ProcessEnv => ({
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: aws.url,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  EDAGUARD_MAX_ATTEMPTS: '1',
  EDAGUARD_LOG_LEVEL: undefined,
  EDAGUARD_LAMBDA_RPS: undefined,
  EDAGUARD_VERIFY_DELAY_MS: undefined,
  EDAGUARD_CONFIG: undefined,
});

async function expectBadInput(args: string[], env: NodeJS.ProcessEnv, message: RegExp) {
  const before = aws.requests.length;
  const run = await cli(args, { ...baseEnv(), ...env });
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(run.stderr).not.toMatch(/cycle failed/);
  expect(run.stdout).toBe('');
  expect(aws.requests.length - before, 'AWS requests').toBe(0);
  return run;
}

describe('bad flags', () => {
  it.each<[string, string[], RegExp]>([
    [
      '--max-changes abc',
      ['reconcile', '--policies', POLICIES, '--max-changes', 'abc'],
      /^edaguard: --max-changes must be an integer, got "abc"$/m,
    ],
    [
      '--max-changes -1',
      ['reconcile', '--policies', POLICIES, '--max-changes', '-1'],
      /^edaguard: maxChanges: .*>=0 \(--max-changes="-1"\)$/m,
    ],
    [
      '--max-changes 1.5',
      ['reconcile', '--policies', POLICIES, '--max-changes', '1.5'],
      /^edaguard: --max-changes must be an integer, got "1.5"$/m,
    ],
    [
      '--region ""',
      ['--region', '', 'plan', '--policies', POLICIES],
      /^edaguard: region: no AWS region: set --region/m,
    ],
    [
      '--max-attempts 0',
      ['--max-attempts', '0', 'plan', '--policies', POLICIES],
      /^edaguard: maxAttempts: .*>=1 \(--max-attempts="0"\)$/m,
    ],
    [
      '--endpoint-url that is not a URL',
      ['--endpoint-url', 'localhost 4566', 'plan', '--policies', POLICIES],
      /^edaguard: endpoint: must be an http\(s\) URL \(--endpoint-url="localhost 4566"\)$/m,
    ],
    [
      '--log-level loud',
      ['--log-level', 'loud', 'plan', '--policies', POLICIES],
      /^edaguard: logLevel \(--log-level, EDAGUARD_LOG_LEVEL\): must be one of fatal, .*, got "loud"$/m,
    ],
    [
      'an unknown flag',
      ['plan', '--policies', POLICIES, '--frobnicate'],
      /^error: unknown option '--frobnicate'$/m,
    ],
    ['an unknown command', ['frobnicate'], /^error: unknown command 'frobnicate'$/m],
    [
      'plan with neither --policies nor EDAGUARD_POLICIES',
      ['plan'],
      /^edaguard: no policy directory: pass --policies <dir> or set EDAGUARD_POLICIES \(the same variable `run` reads\)$/m,
    ],
    [
      'an --output that is not a choice',
      ['plan', '--policies', POLICIES, '--output', 'xml'],
      /^error: option '-o, --output <format>' argument 'xml' is invalid/m,
    ],
    [
      'a validate --format that is not a choice',
      ['validate', POLICIES, '--format', 'sarif'],
      /^error: option '--format <format>' argument 'sarif' is invalid/m,
    ],
    [
      'run --http-port 70000',
      ['run', '--policies', POLICIES, '--http-port', '70000', '--no-leader-election'],
      /httpPort \(--http-port, EDAGUARD_HTTP_PORT, httpPort in the config file\): must be at most 65535, got 70000/,
    ],
    [
      'run --cycle-timeout of 30 days (a timer over 2^31-1 ms would fire at once)',
      ['run', '--policies', POLICIES, '--cycle-timeout', '2592000', '--no-leader-election'],
      /cycleTimeout \(--cycle-timeout, EDAGUARD_CYCLE_TIMEOUT, cycleTimeout in the config file\): must be at most 86400 s, got 2592000 \(from --cycle-timeout\)$/m,
    ],
    [
      'run --lease-duration and --lease-renew-interval too long',
      [
        'run',
        '--policies',
        POLICIES,
        '--lease-duration',
        '2592000',
        '--lease-renew-interval',
        '1e9',
        '--no-leader-election',
      ],
      /leaseDuration \(.*\): must be at most 3600 s, got 2592000 \(from --lease-duration\)\n\s*leaseRenewInterval \(.*\): must be at most 1800 s, got 1000000000 \(from --lease-renew-interval\)/,
    ],
    [
      'run --schedule "every minute"',
      ['run', '--policies', POLICIES, '--schedule', 'every minute', '--no-leader-election'],
      /schedule \(--schedule, .*\): is not a valid cron expression "every minute"/,
    ],
  ])('%s', async (_, args, message) => {
    await expectBadInput(args, {}, message);
  });
});

describe('bad environment values', () => {
  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    [
      'EDAGUARD_LAMBDA_RPS=0',
      { EDAGUARD_LAMBDA_RPS: '0' },
      /^edaguard: lambdaRequestsPerSecond: .*>=1 \(EDAGUARD_LAMBDA_RPS="0"\)$/m,
    ],
    [
      'EDAGUARD_LAMBDA_RPS=16',
      { EDAGUARD_LAMBDA_RPS: '16' },
      /lambdaRequestsPerSecond: .*<=15 \(EDAGUARD_LAMBDA_RPS="16"\)$/m,
    ],
    [
      'EDAGUARD_LAMBDA_RPS=abc',
      { EDAGUARD_LAMBDA_RPS: 'abc' },
      /^edaguard: EDAGUARD_LAMBDA_RPS must be an integer, got "abc"$/m,
    ],
    [
      'EDAGUARD_VERIFY_DELAY_MS=-5',
      { EDAGUARD_VERIFY_DELAY_MS: '-5' },
      /^edaguard: verifyDelayMs: .*>=0 \(EDAGUARD_VERIFY_DELAY_MS="-5"\)$/m,
    ],
    [
      'EDAGUARD_MAX_CHANGES=lots',
      { EDAGUARD_MAX_CHANGES: 'lots' },
      /^edaguard: EDAGUARD_MAX_CHANGES must be an integer, got "lots"$/m,
    ],
    [
      'AWS_ENDPOINT_URL=ftp://…',
      { AWS_ENDPOINT_URL: 'ftp://127.0.0.1:21' },
      /^edaguard: endpoint: must be an http\(s\) URL \(AWS_ENDPOINT_URL="ftp:\/\/127.0.0.1:21"\)$/m,
    ],
    [
      'EDAGUARD_LOG_LEVEL=loud',
      { EDAGUARD_LOG_LEVEL: 'loud' },
      /logLevel \(--log-level, EDAGUARD_LOG_LEVEL\): .*got "loud"/,
    ],
    ['no region at all', { AWS_REGION: '', AWS_DEFAULT_REGION: '' }, /^edaguard: region: no AWS region/m],
    [
      'EDAGUARD_REQUEST_TIMEOUT_MS over 2^31-1',
      { EDAGUARD_REQUEST_TIMEOUT_MS: '2147483648' },
      /^edaguard: requestTimeoutMs: must be at most 900000 ms \(15 minutes\) \(EDAGUARD_REQUEST_TIMEOUT_MS="2147483648"\)$/m,
    ],
    [
      'EDAGUARD_CONNECT_TIMEOUT_MS, EDAGUARD_VERIFY_DELAY_MS and EDAGUARD_FLAP_WINDOW_SECONDS too long',
      {
        EDAGUARD_CONNECT_TIMEOUT_MS: '3600000',
        EDAGUARD_VERIFY_DELAY_MS: '86400000',
        EDAGUARD_FLAP_WINDOW_SECONDS: '31536000',
      },
      /connectionTimeoutMs: must be at most 300000 ms \(5 minutes\) \(EDAGUARD_CONNECT_TIMEOUT_MS="3600000"\); flapWindowSeconds: must be at most 2592000 s \(30 days\) \(EDAGUARD_FLAP_WINDOW_SECONDS="31536000"\); verifyDelayMs: must be at most 60000 ms \(1 minute\) \(EDAGUARD_VERIFY_DELAY_MS="86400000"\)$/m,
    ],
  ])('%s', async (_, env, message) => {
    for (const command of [['plan'], ['reconcile', '--once']]) {
      await expectBadInput([...command, '--policies', POLICIES], env, message);
    }
  });

  it('run names the variable a too long duration came from', async () => {
    await expectBadInput(
      ['run', '--policies', POLICIES, '--no-leader-election'],
      { EDAGUARD_SHUTDOWN_GRACE: '2592000' },
      /shutdownGrace \(--shutdown-grace, EDAGUARD_SHUTDOWN_GRACE, .*\): must be at most 3600 s, got 2592000 \(from EDAGUARD_SHUTDOWN_GRACE\)$/m,
    );
  });

  it('run reports the variable too', async () => {
    await expectBadInput(
      ['run', '--policies', POLICIES, '--no-leader-election'],
      { EDAGUARD_LAMBDA_RPS: '0', EDAGUARD_CYCLE_TIMEOUT: 'soon' },
      /lambdaRequestsPerSecond: .*\(EDAGUARD_LAMBDA_RPS="0"\)[\s\S]*cycleTimeout \(--cycle-timeout, EDAGUARD_CYCLE_TIMEOUT, .*\): must be a number of seconds, got "soon"/,
    );
  });
});

describe('bad config files (edaguard run --config)', () => {
  const configFile = async (name: string, content: string | Uint8Array) => {
    const file = path.join(tmp, name);
    await writeFile(file, content);
    return file;
  };
  const run = (file: string) => ['run', '--config', file, '--policies', POLICIES, '--no-leader-election'];
  const escaped = (file: string) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it.each<[string, string | Uint8Array, (file: string) => RegExp]>([
    [
      'a YAML syntax error',
      'schedule: "*/5 * * * *\nhttpPort: 8080\n',
      (f) => new RegExp(`${escaped(f)}:\\d+:\\d+: YAML: `),
    ],
    [
      'a duplicate key',
      'httpPort: 8080\nhttpPort: 9090\n',
      (f) => new RegExp(`${escaped(f)}:2:1: YAML: Map keys must be unique`),
    ],
    [
      'an unknown setting',
      'httpPort: 8080\nhttpPrt: 9090\n',
      (f) => new RegExp(`${escaped(f)}:2:1: unknown setting "httpPrt"`),
    ],
    [
      'a value of the wrong type',
      'httpPort: [8080]\n',
      (f) => new RegExp(`${escaped(f)}:1:1: httpPort: expected a single value`),
    ],
    [
      'a shared setting out of range, named with its line',
      'httpPort: 8080\nlambdaRequestsPerSecond: 0\n',
      (f) => new RegExp(`${escaped(f)}:2:26: lambdaRequestsPerSecond: .*>=1`),
    ],
    [
      'a negative verify delay',
      'verifyDelayMs: -5\n',
      (f) => new RegExp(`${escaped(f)}:1:16: verifyDelayMs: .*>=0`),
    ],
    [
      'durations too long, named with their lines',
      'shutdownGrace: 2592000\nrequestTimeoutMs: 2147483648\n',
      (f) =>
        new RegExp(
          `${escaped(f)}:1:16: shutdownGrace: must be at most 3600 s, got 2592000\\n${escaped(f)}:2:19: requestTimeoutMs: must be at most 900000 ms \\(15 minutes\\)`,
        ),
    ],
    [
      'a file over 64 KiB, refused before it is parsed',
      `${`httpPort: 8080\n${'#'.repeat(99)}\n`.repeat(700)}bogus: 1\n`,
      (f) =>
        new RegExp(
          `^edaguard: ${escaped(f)}: config file is 80509 bytes; a config file may hold at most 65536 bytes \\(64 KiB\\)$`,
          'm',
        ),
    ],
    [
      'a list instead of a mapping',
      '- httpPort: 8080\n',
      (f) => new RegExp(`${escaped(f)}:1:1: a config file is a mapping`),
    ],
    [
      'a Latin-1 byte',
      Buffer.concat([Buffer.from('httpPort: 8080\nholderId: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      (f) => new RegExp(`${escaped(f)}:2:14: file is not valid UTF-8: byte 0xe9`),
    ],
  ])('%s', async (name, content, message) => {
    const file = await configFile(`${name.replace(/\W+/g, '-')}.yaml`, content);
    await expectBadInput(run(file), {}, message(file));
  });

  it('a config file that does not exist, named by flag or by EDAGUARD_CONFIG', async () => {
    const missing = path.join(tmp, 'nope.yaml');
    await expectBadInput(run(missing), {}, /cannot read config file .*nope\.yaml: ENOENT/);
    await expectBadInput(
      ['run', '--policies', POLICIES, '--no-leader-election'],
      { EDAGUARD_CONFIG: missing },
      /cannot read config file .*nope\.yaml: ENOENT/,
    );
  });

  it('control: the recording server does see a valid plan’s requests', async () => {
    const before = aws.requests.length;
    await cli(['plan', '--policies', POLICIES], baseEnv());
    expect(aws.requests.length - before).toBeGreaterThan(0);
  });
});
