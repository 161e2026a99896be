/**
 * Process-level handlers on a real `edaguard run` (against the emulator): a fault is injected
 * into the process by a preloaded module (NODE_OPTIONS=--import) on SIGUSR2. A connection's I/O
 * error that reaches the top level is logged and survived; anything else is logged with its
 * context and ends the process with 70, never silently.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCleanEmulator } from '../support/harness.js';
import { type ChildRun, policyDir, spawnRun } from '../support/runtime.js';

useCleanEmulator();

/** Throws or rejects, outside any handler of edaguard's, the fault named in EDAGUARD_TEST_FAULTS. */
const INJECTOR = `
const faults = (process.env.EDAGUARD_TEST_FAULTS ?? '').split(',');
let next = 0;
const socketError = (message, code) => Object.assign(new Error(message), { code, syscall: 'read' });
process.on('SIGUSR2', () => setImmediate(() => {
  const fault = faults[next++];
  if (fault === 'socket-exception') throw socketError('write EPIPE', 'EPIPE');
  if (fault === 'socket-rejection') Promise.reject(socketError('read ECONNRESET', 'ECONNRESET'));
  if (fault === 'bug-exception')
    throw new TypeError("Cannot read properties of undefined (reading 'token') posting to https://hooks.example.com/services/T0/B0/s3cr3t");
  if (fault === 'bug-rejection') Promise.reject('a bare string');
}));
`;

let injector: string;
beforeAll(async () => {
  injector = path.join(await mkdtemp(path.join(tmpdir(), 'edaguard-faults-')), 'inject.mjs');
  await writeFile(injector, INJECTOR);
});

async function runWithFaults(faults: string[]): Promise<{ run: ChildRun; url: string }> {
  const { dir } = await policyDir();
  const run = spawnRun(['run'], {
    EDAGUARD_POLICIES: dir,
    EDAGUARD_SCHEDULE: '0 0 1 1 *',
    EDAGUARD_LEADER_ELECTION: 'false',
    EDAGUARD_HTTP_HOST: '127.0.0.1',
    EDAGUARD_HTTP_PORT: '0',
    EDAGUARD_TEST_FAULTS: faults.join(','),
    NODE_OPTIONS: `--import ${injector}`,
  });
  const url = await run.httpUrl();
  await run.waitForLog((l) => l.msg === 'controller started', 'the controller');
  return { run, url };
}

const isGuardLine = (event: string, action: string) => (l: Record<string, unknown>) =>
  l.event === event && l.action === action && l.component === 'process';

describe('process-level handlers of edaguard run', () => {
  it('a connection error thrown or rejected at the top level is logged at warn and survived', async () => {
    const { run, url } = await runWithFaults(['socket-exception', 'socket-rejection']);
    run.child.kill('SIGUSR2');
    const thrown = await run.waitForLog(isGuardLine('uncaughtException', 'continue'), 'the EPIPE line');
    run.child.kill('SIGUSR2');
    const rejected = await run.waitForLog(
      isGuardLine('unhandledRejection', 'continue'),
      'the ECONNRESET line',
    );
    expect(thrown).toMatchObject({ level: 40, command: 'run', error: { type: 'Error', code: 'EPIPE' } });
    expect(rejected).toMatchObject({ level: 40, error: { code: 'ECONNRESET', message: 'read ECONNRESET' } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(run.child.exitCode).toBeNull();
  });

  it('an unexpected exception is logged at fatal with its stack (URLs scrubbed) and ends the process with 70', async () => {
    const { run } = await runWithFaults(['bug-exception']);
    run.child.kill('SIGUSR2');
    const exit = await run.exited;
    expect(exit.code).toBe(70);
    const line = run.lines.find(isGuardLine('uncaughtException', 'exit'));
    expect(line).toMatchObject({
      level: 60,
      exitCode: 70,
      command: 'run',
      error: { type: 'TypeError', message: expect.stringContaining("reading 'token'") },
    });
    expect(String((line?.error as { stack?: string } | undefined)?.stack)).toMatch(/^TypeError: .*\n\s+at /);
    expect(run.stderr()).not.toContain('s3cr3t');
  });

  it('an unhandled rejection of a non-Error value ends the process with 70, logged', async () => {
    const { run } = await runWithFaults(['bug-rejection']);
    run.child.kill('SIGUSR2');
    expect((await run.exited).code).toBe(70);
    expect(run.lines.find(isGuardLine('unhandledRejection', 'exit'))).toMatchObject({
      level: 60,
      error: { type: 'string', message: 'a bare string' },
    });
  });
});
