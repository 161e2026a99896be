/**
 * Helpers for the `edaguard run` tests: policy directories on disk, in-process controllers with
 * fast settings, `edaguard run` as a child process (killed reliably), and polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { RuntimeSettings } from '../../src/config/runtime.js';
import type { ServiceSettings } from '../../src/config/service.js';
import { Controller, type ControllerOptions, type CycleRecord } from '../../src/runtime/controller.js';
import { recordingLogger, testClients, testSettings } from './harness.js';

export { metric } from './promText.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A policy that creates a DLQ for every queue tagged team=runtime (the DLQ rule only). */
export function dlqPolicy(options: { enforcement?: 'enforce' | 'audit'; team?: string; name?: string } = {}) {
  return `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata:
  name: ${options.name ?? 'runtime'}
spec:
  enforcement: ${options.enforcement ?? 'enforce'}
  match:
    resourceTypes: [sqs:queue]
    tags: { team: ${options.team ?? 'runtime'} }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
`;
}

/** A policy file whose maxReceiveCount.default lies outside [min, max]: invalid at line 12. */
export const INVALID_POLICY = dlqPolicy().replace('default: 3 }', 'default: 9 }');

export async function policyDir(text = dlqPolicy()): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-run-'));
  const file = path.join(dir, 'runtime.yaml');
  await writeFile(file, text);
  return { dir, file };
}

export function testService(overrides: Partial<ServiceSettings> = {}): ServiceSettings {
  return {
    policies: '',
    schedule: '0 0 1 1 *',
    cycleTimeoutMs: 20_000,
    dryRun: false,
    output: 'none',
    httpHost: '127.0.0.1',
    httpPort: 0,
    leaderElection: false,
    stateTable: 'edaguard-state',
    createStateTable: true,
    leaseDurationMs: 2000,
    leaseRenewIntervalMs: 500,
    holderId: `test-${Math.random().toString(36).slice(2, 8)}`,
    shutdownGraceMs: 10_000,
    readyFailureThreshold: 3,
    targetConcurrency: 4,
    targetRefreshMs: 3_600_000,
    logFormat: 'json',
    ...overrides,
  };
}

const running = new Set<Controller>();
afterEach(async () => {
  await Promise.all([...running].map((c) => c.stop({ reason: 'test over' })));
  running.clear();
});

/** An in-process controller against the emulator, stopped after the test. */
export function testController(
  service: Partial<ServiceSettings>,
  options: Partial<Omit<ControllerOptions, 'service' | 'settings'>> & {
    settings?: Partial<RuntimeSettings>;
  } = {},
) {
  const log = recordingLogger('debug');
  const { settings, ...rest } = options;
  const controller = new Controller({
    service: testService(service),
    settings: testSettings(settings),
    logger: log.logger,
    aws: testClients(),
    stateAws: testClients(),
    defaultMetrics: false,
    ...rest,
  });
  running.add(controller);
  const cycles: CycleRecord[] = [];
  controller.onCycle((c) => cycles.push(c));
  return { controller, log, cycles };
}

/** Resolves with the next cycle record the controller completes. */
export function nextCycle(controller: Controller, timeoutMs = 20_000): Promise<CycleRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no cycle within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = controller.onCycle((record) => {
      clearTimeout(timer);
      off();
      resolve(record);
    });
  });
}

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`);
  return res.text();
}

/** `edaguard run` (or any command) as a child process: node --import tsx src/main.ts. */
export interface ChildRun {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  stdout(): string;
  stderr(): string;
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** The health server's URL, from its "http server listening" line. */
  httpUrl(timeoutMs?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

export function spawnRun(args: string[], env: NodeJS.ProcessEnv = {}): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      EDAGUARD_VERIFY_DELAY_MS: '50',
      EDAGUARD_LOG_FORMAT: 'json',
      NODE_OPTIONS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  let partial = '';
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    err += text;
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line (a Node warning): kept in stderr()
      }
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal, at: Date.now() });
    }),
  );
  const waitForLog: ChildRun['waitForLog'] = (predicate, what, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.find(predicate);
        if (found) {
          done();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`process exited before ${what}:\n${err.slice(-3000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}:\n${err.slice(-3000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    waitForLog,
    async httpUrl(timeoutMs = 20_000) {
      const line = await waitForLog((l) => l.msg === 'http server listening', 'the http server', timeoutMs);
      return String(line.url);
    },
    exited,
  };
}
