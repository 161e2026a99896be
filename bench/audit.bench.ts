/**
 * The "no DLQ" audit benchmark (issue #15): `npm run bench:audit` (also run by `npm run bench`).
 *
 * One account of 1,250 queues, 1,000 of them tagged (see bench/audit/account.ts), audited with
 * sqs-dead-letter-queue in audit mode, the DLQ-of-DLQ check included (a queue that is some
 * queue's DLQ needs no DLQ): with the strategy discovery chooses, with each of the two strategies
 * forced (DiscoverOptions.dlqSourceStrategy), and on the converged account. Each case is one cycle
 * (discover and plan: what `reconcile --once` reads for an audit-mode policy, which writes
 * nothing) in a fresh process, so that its peak RSS and CPU are its own. Requests per operation
 * beside the least any controller needs; CPU; peak RSS. Cloud Custodian's figure for the same
 * audit (about 1,270 requests, measured for issue #15 on the same emulator) is the reference:
 * Custodian cannot be installed here (PyPI is unreachable), so it is quoted, not re-measured.
 *
 * moto runs with bench/audit/moto_paged_list_queues.py: ListQueues paged as on AWS, so that an
 * account of more than 1,000 queues can be listed at all.
 *
 *   tsx bench/audit.bench.ts                    every case, then docs/benchmarks.md
 *   tsx bench/audit.bench.ts --case <strategy>  one cycle (what the parent runs in each child)
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { CallCounter, type CallRecord } from '../src/aws/callCounter.js';
import { createAwsClients } from '../src/aws/clients.js';
import { resolveRuntimeSettings } from '../src/config/runtime.js';
import { discover } from '../src/discovery/discover.js';
import type { DlqSourceChoice, DlqSourceStrategy } from '../src/discovery/dlqSourceStrategy.js';
import { parsePolicySources } from '../src/policy/loader.js';
import { plan } from '../src/reconcile/plan.js';
import { emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { createSeeder } from '../test/support/seed.js';
import { type AccountShape, CONVERGED, DRIFTED, POLICY, seedAccount } from './audit/account.js';
import { type AuditCase, renderSection, SECTION_END, SECTION_START } from './audit/section.js';
import { replaceDocSection } from './docSection.js';
import { motoVersion } from './reconcile/moto.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = path.join(ROOT, 'docs/benchmarks.md');
const MOTO_SERVER = path.join(ROOT, 'bench/audit/moto_paged_list_queues.py');
const REGION = 'us-east-1';
const execFileAsync = promisify(execFile);

/** What a child measured, as JSON on its last stdout line. */
export interface CaseMeasure {
  calls: CallRecord[];
  wallMs: number;
  /** The cycle's CPU (discover and plan). */
  cycleCpuMs: number;
  /** The whole process: start-up, module loading and the cycle. */
  processCpuMs: number;
  maxRssKiB: number;
  dlqSources?: DlqSourceChoice;
  verdicts: Record<string, number>;
}

type Strategy = 'auto' | DlqSourceStrategy;

/** In the child: one audit cycle against the emulator the environment names. */
async function runCase(strategy: Strategy): Promise<void> {
  const settings = resolveRuntimeSettings({}, process.env);
  const counter = new CallCounter();
  const aws = createAwsClients(settings, counter);
  const policySet = parsePolicySources([{ file: 'audit.yaml', text: POLICY }]);
  const logger = pino({ level: process.env.EDAGUARD_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const progress = process.env.EDAGUARD_BENCH_DEBUG
    ? setInterval(() => process.stderr.write(`${JSON.stringify(counter.snapshot())}\n`), 5000)
    : undefined;
  try {
    const inventory = await discover(policySet, aws, {
      region: settings.region,
      readConcurrency: settings.readConcurrency,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      logger,
      ...(strategy === 'auto' ? {} : { dlqSourceStrategy: strategy }),
    });
    const { findings } = plan(policySet, inventory);
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const total = process.cpuUsage();
    const verdicts: Record<string, number> = {};
    for (const f of findings)
      if (f.rule === 'sqs-dead-letter-queue') verdicts[f.status] = (verdicts[f.status] ?? 0) + 1;
    const measured: CaseMeasure = {
      calls: counter.snapshot(),
      wallMs,
      cycleCpuMs: (used.user + used.system) / 1000,
      processCpuMs: (total.user + total.system) / 1000,
      maxRssKiB: process.resourceUsage().maxRSS,
      ...(inventory.dlqSources ? { dlqSources: inventory.dlqSources } : {}),
      verdicts,
    };
    process.stdout.write(`${JSON.stringify(measured)}\n`);
  } finally {
    if (progress) clearInterval(progress);
    aws.destroy();
  }
}

/**
 * One case in a child process. Asynchronously: moto is this process's child and writes a log line
 * per request into a pipe this process drains; a synchronous wait would leave the pipe full and
 * moto stuck after a few hundred requests.
 */
async function runChild(strategy: Strategy, env: NodeJS.ProcessEnv): Promise<CaseMeasure> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--case', strategy],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as CaseMeasure;
}

async function runAll(): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const runStart = performance.now();
  const emulator = await startEmulator({ timeoutMs: 60_000, serverScript: MOTO_SERVER });
  const env = { ...process.env, ...emulatorEnv(emulator.endpoint, REGION) };
  const cases: AuditCase[] = [];
  const seedMs: number[] = [];
  try {
    const plans: Array<{ shape: AccountShape; strategies: Strategy[] }> = [
      { shape: DRIFTED, strategies: ['auto', 'list-dead-letter-source-queues', 'read-unread-attributes'] },
      { shape: CONVERGED, strategies: ['auto'] },
    ];
    for (const { shape, strategies } of plans) {
      await emulator.reset();
      const seeder = createSeeder(emulator.endpoint, REGION);
      const t = performance.now();
      try {
        await seedAccount(seeder, shape);
      } finally {
        seeder.destroy();
      }
      seedMs.push(performance.now() - t);
      log(`${shape.kind} account seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      for (const strategy of strategies) {
        const measured = await runChild(strategy, env);
        cases.push({ shape, strategy, measured });
        const requests = measured.calls.reduce((n, c) => n + c.count, 0);
        log(
          `${shape.kind} / ${strategy}: ${requests} requests, CPU ${(measured.cycleCpuMs / 1000).toFixed(2)} s (process ${(measured.processCpuMs / 1000).toFixed(2)} s), peak RSS ${(measured.maxRssKiB / 1024).toFixed(1)} MiB`,
        );
      }
    }
  } finally {
    await emulator.stop();
  }
  const { section, failures } = renderSection({
    cases,
    seedMs,
    motoVersion: motoVersion(),
    totalMs: performance.now() - runStart,
  });
  await replaceDocSection(OUTPUT, SECTION_START, SECTION_END, section);
  log(`wrote ${path.relative(ROOT, OUTPUT)}`);
  for (const f of failures) process.stderr.write(`bench:audit: ${f}\n`);
  return failures.length > 0 ? 1 : 0;
}

const caseIndex = process.argv.indexOf('--case');
const main = caseIndex >= 0 ? runCase(process.argv[caseIndex + 1] as Strategy).then(() => 0) : runAll();
main.then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `bench:audit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
