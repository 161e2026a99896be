/** Per-test access to the shared emulator: a clean account for each test. */

import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { beforeEach, inject } from 'vitest';
import { type AwsClients, createAwsClients } from '../../src/aws/clients.js';
import { runCli } from '../../src/cli/program.js';
import { type RuntimeSettings, resolveRuntimeSettings } from '../../src/config/runtime.js';
import { runCycle } from '../../src/cycle.js';
import type { PolicySet } from '../../src/policy/model.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import type { FixHistoryStore } from '../../src/state/fixHistory.js';
import { createSeeder, type Seeder } from './seed.js';

export function emulatorEndpoint(): string {
  return inject('emulatorEndpoint');
}

export async function resetEmulator(): Promise<void> {
  const res = await fetch(`${emulatorEndpoint()}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
}

/** Resets the emulator before each test of the calling file. */
export function useCleanEmulator(): void {
  beforeEach(resetEmulator);
}

export function testSettings(overrides: Partial<RuntimeSettings> = {}): RuntimeSettings {
  return { ...resolveRuntimeSettings({}, { ...process.env, EDAGUARD_VERIFY_DELAY_MS: '50' }), ...overrides };
}

export function testClients(overrides: Partial<RuntimeSettings> = {}) {
  return createAwsClients(testSettings(overrides));
}

export function testSeeder(): Seeder {
  return createSeeder(emulatorEndpoint());
}

/** A pino logger whose JSON lines are kept in memory for assertions. */
export function recordingLogger(level = 'debug'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  raw: () => string;
} {
  let buffer = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      buffer += chunk.toString();
      done();
    },
  });
  const logger = pino({ level }, stream);
  return {
    logger,
    raw: () => buffer,
    lines: () =>
      buffer
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Runs the CLI in-process against the emulator and captures what it prints. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const log = recordingLogger('info');
  const code = await runCli(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: { ...process.env, EDAGUARD_VERIFY_DELAY_MS: '50', ...env },
    logger: () => log.logger,
  });
  return { code, stdout, stderr, logLines: log.lines };
}

/** One reconcile cycle against the emulator, with fresh clients, as a test wants it. */
export async function reconcileOnce(
  policySet: PolicySet,
  options: {
    dryRun?: boolean;
    settings?: Partial<RuntimeSettings>;
    fixHistory?: (aws: AwsClients) => FixHistoryStore;
    /** The cycle's clock (waivers are judged on its day). */
    now?: () => Date;
  } = {},
): Promise<{ report: DriftReport; writes: number; log: ReturnType<typeof recordingLogger> }> {
  const aws = testClients(options.settings);
  const log = recordingLogger();
  try {
    const report = await runCycle(policySet, aws, {
      settings: testSettings(options.settings),
      dryRun: options.dryRun ?? false,
      logger: log.logger,
      ...(options.fixHistory ? { fixHistory: options.fixHistory(aws) } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    return { report, writes: aws.counter.writes(), log };
  } finally {
    aws.destroy();
  }
}
