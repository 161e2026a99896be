/** One concurrency run of the many-targets bench: fresh accounts, the fixing cycle, then steady ones. */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { prepareTargets, reconcileTargets, type TargetScope } from '../../src/cli/multiTarget.js';
import type { RuntimeSettings } from '../../src/config/runtime.js';
import type { PolicySet } from '../../src/policy/model.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import type { TargetsConfig } from '../../src/targets/schema.js';

export interface PhaseRun {
  concurrency: number;
  phase: 'reconcile #1' | 'steady';
  /** 1 for the fixing cycle, 2.. for the steady ones. */
  cycle: number;
  wallMs: number;
  cpuMs: number;
  motoCpuMs: number | undefined;
  peakRssBytes: number;
  /** AssumeRole calls during this cycle (every account's provider together). */
  assumeRoles: number;
  reports: DriftReport[];
}

export interface RunInput {
  targets: TargetsConfig;
  concurrency: number;
  steadyCycles: number;
  settings: RuntimeSettings;
  policySet: PolicySet;
  logger: Logger;
  motoCpu: () => number | undefined;
}

/** Runs `fn` and records its wall time, this process's CPU, moto's CPU and peak RSS. */
async function timed<T>(motoCpu: () => number | undefined, fn: () => Promise<T>) {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const motoBefore = motoCpu();
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    const value = await fn();
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const motoAfter = motoCpu();
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      value,
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      motoCpuMs: motoBefore !== undefined && motoAfter !== undefined ? motoAfter - motoBefore : undefined,
      peakRssBytes: peak,
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * The fixing cycle and `steadyCycles` converged ones, all with one TargetClientSets, as a
 * long-running controller keeps it: credentials are assumed once per account and then cached.
 */
export async function runConcurrency(input: RunInput): Promise<PhaseRun[]> {
  const env = { ...process.env };
  const scope: TargetScope = {
    io: { stdout: () => {}, stderr: () => {}, env },
    targets: input.targets,
    concurrency: input.concurrency,
  };
  const run = {
    settings: input.settings,
    logger: input.logger,
    policySet: input.policySet,
    output: 'json',
    dryRun: false,
    concurrency: input.concurrency,
  };
  const { selected, clientSets } = await prepareTargets(scope, run);
  const out: PhaseRun[] = [];
  try {
    for (let cycle = 1; cycle <= 1 + input.steadyCycles; cycle++) {
      const stsBefore = clientSets.stsCounter.total({ operation: 'AssumeRole' });
      const t = await timed(input.motoCpu, () => reconcileTargets(selected, clientSets, run));
      out.push({
        concurrency: input.concurrency,
        phase: cycle === 1 ? 'reconcile #1' : 'steady',
        cycle,
        wallMs: t.wallMs,
        cpuMs: t.cpuMs,
        motoCpuMs: t.motoCpuMs,
        peakRssBytes: t.peakRssBytes,
        assumeRoles: clientSets.stsCounter.total({ operation: 'AssumeRole' }) - stsBefore,
        reports: t.value,
      });
    }
  } finally {
    clientSets.destroy();
  }
  return out;
}
