/**
 * What a person sees when AWS is not there: a command names itself, the AWS call and what to
 * check (the endpoint, the default credential chain); on a terminal it says when it waits on a slow
 * endpoint, and logs readable lines instead of JSON. In-process, with the real SDK clients.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/program.js';
import { freePort } from '../support/emulator.js';
import { emulatorEndpoint, useCleanEmulator } from '../support/harness.js';
import { startHoldingProxy } from '../support/holdingProxy.js';
import { SANDBOX_POLICY_DIR } from '../support/sandbox.js';

useCleanEmulator();

/** Runs the CLI with its own logger (no recording one) and the terminal question answered. */
function run(args: string[], env: NodeJS.ProcessEnv, stderrIsTerminal = false, extra: Partial<CliIo> = {}) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    env: { ...process.env, EDAGUARD_MAX_ATTEMPTS: '1', EDAGUARD_LOG_LEVEL: undefined, ...env },
    stderrIsTerminal,
    ...extra,
  };
  const done = runCli(args, io);
  return { out, done };
}

/** The SDK's default credential chain reads process.env itself: these tests unset it for a while. */
const saved: NodeJS.ProcessEnv = {};
function setProcessEnv(values: NodeJS.ProcessEnv) {
  for (const [key, value] of Object.entries(values)) {
    if (!(key in saved)) saved[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
    delete saved[key];
  }
});

describe('AWS errors name the command, the call and what to check', () => {
  it('plan against a closed endpoint: exit 1, "plan failed", the endpoint named', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { out, done } = run(['plan', '--policies', SANDBOX_POLICY_DIR], { AWS_ENDPOINT_URL: endpoint });
    expect(await done).toBe(1);
    expect(out.stderr).toMatch(/^edaguard: plan failed: [A-Za-z]+ [A-Za-z]+: endpoint unreachable \(/);
    expect(out.stderr).toContain(`hint: cannot connect to ${endpoint}/`);
    expect(out.stderr).not.toMatch(/cycle failed/);
  });

  it('plan with no credentials: the default chain explained, with the files it looked at', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const noCredentials = {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    setProcessEnv(noCredentials);
    const { out, done } = run(['plan', '--policies', SANDBOX_POLICY_DIR], {
      ...noCredentials,
      AWS_ENDPOINT_URL: endpoint,
    });
    expect(await done).toBe(1);
    expect(out.stderr).toMatch(
      /^edaguard: plan failed: [A-Za-z]+ [A-Za-z]+: no AWS credentials \(CredentialsProviderError/,
    );
    for (const part of [
      'AWS_ACCESS_KEY_ID',
      'AWS_PROFILE',
      '/nonexistent',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'ECS task role',
    ])
      expect(out.stderr).toContain(part);
    expect(out.stderr).toContain('turned off by AWS_EC2_METADATA_DISABLED');
  });

  it('redrive against a closed endpoint says "redrive failed", not "cycle failed"', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { out, done } = run(['redrive', 'orders-dlq', '--dry-run'], { AWS_ENDPOINT_URL: endpoint });
    expect(await done).toBe(1);
    expect(out.stderr).toMatch(/^edaguard: redrive failed: SQS GetQueueUrl: endpoint unreachable/);
    expect(out.stderr).not.toMatch(/cycle failed/);
  });
});

describe('on a terminal', () => {
  it('a command waiting on a slow endpoint says so within a few seconds', async () => {
    const proxy = await startHoldingProxy(emulatorEndpoint());
    try {
      proxy.hold(() => true);
      const { out, done } = run(
        ['plan', '--policies', SANDBOX_POLICY_DIR],
        { AWS_ENDPOINT_URL: proxy.url },
        true,
      );
      await proxy.nextHeld();
      const started = Date.now();
      while (!out.stderr.includes('waiting on') && Date.now() - started < 8_000)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const host = new URL(proxy.url).host;
      expect(out.stderr).toMatch(
        new RegExp(`^edaguard: waiting on ${host} \\([A-Za-z]+ [A-Za-z]+\\) for 3 s…`),
      );
      expect(Date.now() - started).toBeLessThan(6_000);
      proxy.hold(() => false);
      proxy.releaseAll();
      expect(await done).toBe(0);
    } finally {
      proxy.releaseAll();
      await proxy.close();
    }
  });

  it('plan over config-file targets says so too, naming the target’s endpoint', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-slow-targets-'));
    const config = path.join(dir, 'edaguard.yaml');
    await writeFile(
      config,
      'targets: { regions: [eu-west-1], roleName: edaguard, accounts: ["111111111111"] }\n',
    );
    const proxy = await startHoldingProxy(emulatorEndpoint());
    try {
      // STS (AssumeRole, a query-protocol POST /) goes through; the target's own calls wait.
      proxy.hold((target) => !target.startsWith('POST /'));
      const { out, done } = run(
        ['plan', '--policies', SANDBOX_POLICY_DIR, '--config', config],
        { AWS_ENDPOINT_URL: proxy.url },
        true,
      );
      await proxy.nextHeld();
      const started = Date.now();
      while (!out.stderr.includes('waiting on') && Date.now() - started < 8_000)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(out.stderr).toContain(`edaguard: waiting on ${new URL(proxy.url).host}`);
      proxy.hold(() => false);
      proxy.releaseAll();
      expect(await done).toBe(0);
    } finally {
      proxy.releaseAll();
      await proxy.close();
    }
  });

  it('off a terminal the same wait is silent', async () => {
    const proxy = await startHoldingProxy(emulatorEndpoint());
    try {
      proxy.hold(() => true);
      const { out, done } = run(['plan', '--policies', SANDBOX_POLICY_DIR], { AWS_ENDPOINT_URL: proxy.url });
      await proxy.nextHeld();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      proxy.hold(() => false);
      proxy.releaseAll();
      expect(await done).toBe(0);
      expect(out.stderr).not.toContain('waiting on');
    } finally {
      proxy.releaseAll();
      await proxy.close();
    }
  });

  it('one-shot commands log readable lines, warn and above unless a level is given', async () => {
    const quiet = run(['reconcile', '--dry-run', '--policies', SANDBOX_POLICY_DIR], {}, true);
    expect(await quiet.done).toBe(0);
    expect(quiet.out.stderr).toBe('');
    const verbose = run(
      ['--log-level', 'info', 'reconcile', '--dry-run', '--policies', SANDBOX_POLICY_DIR],
      {},
      true,
    );
    expect(await verbose.done).toBe(0);
    const lines = verbose.out.stderr.trimEnd().split('\n');
    expect(
      lines.some((l) => /^INFO {2}cycle finished {2}cycleId=\S+ summary=\{/.test(l)),
      verbose.out.stderr,
    ).toBe(true);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
  });

  it('--log-format json (or EDAGUARD_LOG_FORMAT=json) keeps the JSON audit trail at info on a terminal', async () => {
    for (const [args, env] of [
      [['--log-format', 'json'], {}],
      [[], { EDAGUARD_LOG_FORMAT: 'json' }],
    ] as const) {
      const made: string[] = [];
      const { done } = run(['reconcile', '--dry-run', ...args, '--policies', SANDBOX_POLICY_DIR], env, true, {
        logger: (level, lines) => {
          made.push(`${level} ${lines}`);
          return pino({ level: 'silent' });
        },
      });
      expect(await done).toBe(0);
      expect(made).toEqual(['info json']);
    }
  });
});
