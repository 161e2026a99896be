/**
 * The scale benchmark: `npm run bench` (this file is its entry point).
 *
 * Seeds the emulator (moto) with N selected queues (default 1,000; ¾ drifted in a known mix) and
 * the Lambda side of the same account: N/2 functions tagged team=orders (default 500), N/2 event
 * source mappings (default 500: the SQS consumers of the queues, the rest Kinesis and DynamoDB
 * stream mappings, some compliant, some drifted), a share of the functions invoked asynchronously
 * (SNS subscriptions, a few EventBridge rules and S3 notifications), most without an event-invoke
 * config. The policy dir holds the SQS policy and the Lambda-side policy of examples/sandbox.
 * Then it measures three phases, each with its own CallCounter and its own clients (and so its own
 * Lambda rate limiter):
 *   (a) plan           discoverAndPlan on the drifted account (read-only)
 *   (b) reconcile #1   runCycle: fixes every drift it may fix
 *   (c) reconcile #2   runCycle on the converged account: must write nothing
 * It writes its own section of docs/benchmarks.md (wall time, peak RSS, AWS calls per operation
 * beside the minimum needed, the Lambda request rate), leaving the other benches' sections as they
 * are, and exits non-zero when an assertion fails.
 *
 * The seeding knows every resource's drift, so it derives, independently of the controller, how
 * many writes are needed and how many reads are the least any controller could make.
 *
 * Environment: EDAGUARD_BENCH_QUEUES (default 1000, at least 20: the size knob),
 * EDAGUARD_BENCH_FUNCTIONS (default queues/2), EDAGUARD_BENCH_MAPPINGS (default queues/2; they
 * must hold the queues' SQS consumers, which small sizes need more of), EDAGUARD_LAMBDA_RPS (the controller's setting; the
 * bench uses 15, the most the settings allow, unless it is set), EDAGUARD_LOG_LEVEL (default warn),
 * EDAGUARD_BENCH_TRACE (a file: every HTTP request of every phase, with its start and end, as JSON).
 * A quick run that checks the bench itself (under a minute; it rewrites the section with its figures):
 *   EDAGUARD_BENCH_QUEUES=20 EDAGUARD_BENCH_MAPPINGS=16 EDAGUARD_BENCH_FUNCTIONS=12 npx tsx bench/reconcile/main.ts
 */

import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { type RuntimeSettings, resolveRuntimeSettings } from '../../src/config/runtime.js';
import { type Emulator, emulatorEnv, startEmulator } from '../../test/support/emulator.js';
import { createSeeder } from '../../test/support/seed.js';
import { checksFor, notesFor } from './checks.js';
import { printSummary } from './console.js';
import { describeAccount } from './describeAccount.js';
import { expectedFor } from './expectations.js';
import { secs } from './format.js';
import { motoCpuReader } from './moto.js';
import { BENCH_LAMBDA_RPS, MAX_CHANGES, N, OUTPUT, REGION, VERIFY_DELAY_MS } from './parameters.js';
import { runPhases, writeTrace } from './phases.js';
import { loadBenchPolicies } from './policies.js';
import { writeReport } from './report.js';
import { extraSeedClients, seedAccount } from './seed.js';

/** The controller's settings from the environment, with the bench's Lambda rate unless one is set. */
function benchSettings(): { settings: RuntimeSettings; rpsFromEnv: boolean } {
  const rpsFromEnv = (process.env.EDAGUARD_LAMBDA_RPS ?? '') !== '';
  const env = {
    ...process.env,
    EDAGUARD_LAMBDA_RPS: rpsFromEnv ? process.env.EDAGUARD_LAMBDA_RPS : BENCH_LAMBDA_RPS,
  };
  const settings: RuntimeSettings = {
    ...resolveRuntimeSettings({}, env),
    maxChanges: MAX_CHANGES,
    verifyDelayMs: VERIFY_DELAY_MS,
  };
  return { settings, rpsFromEnv };
}

async function main(): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const runStart = performance.now();
  const account = describeAccount(N);
  const { dir: policyDir, policySet, rules } = await loadBenchPolicies();
  let t = performance.now();
  const emulator: Emulator = await startEmulator({ timeoutMs: 60_000 });
  const emulatorStartMs = performance.now() - t;
  Object.assign(process.env, emulatorEnv(emulator.endpoint, REGION), {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const { settings, rpsFromEnv } = benchSettings();
  const expected = expectedFor(account, rules, { sqsReadBack: settings.sqsVerification === 'read-back' });
  log(
    `edaguard bench: ${N} selected queues (${N - (account.mixCounts.get('compliant') ?? 0)} drifted), ` +
      `${account.dlqs.length} DLQs, ${account.others.length} other queues, ${expected.functions} functions ` +
      `(${expected.asyncFunctions} invoked asynchronously), ${expected.mappings} mappings ` +
      `(${expected.sqsMappings} SQS, ${expected.streamMappings} streams); ${expected.writes} writes needed (${expected.minWrites} at least)`,
  );
  const seeder = createSeeder(emulator.endpoint, REGION);
  const extra = extraSeedClients(emulator.endpoint);
  try {
    log(`moto on ${emulator.endpoint}; seeding...`);
    t = performance.now();
    await seedAccount(seeder, extra, account);
    const seedMs = performance.now() - t;
    log(`seeded in ${secs(seedMs)}`);

    const logger = pino({ level: process.env.EDAGUARD_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const rps = settings.lambdaRequestsPerSecond;
    log(`Lambda rate limit: ${rps}/s${rpsFromEnv ? ' (EDAGUARD_LAMBDA_RPS)' : ' (bench default)'}`);
    const motoCpu = motoCpuReader(emulator.port);
    const { phases, planned, planReadErrors } = await runPhases(
      policySet,
      expected,
      { settings, logger, motoCpu },
      log,
    );
    const checks = checksFor({ phases, expected, planned, planReadErrors, rps });
    const notes = notesFor(phases);

    const maxRssKiB = process.resourceUsage().maxRSS;
    const totalMs = performance.now() - runStart;
    await writeReport({
      account,
      expected,
      phases,
      checks,
      notes,
      seedMs,
      emulatorStartMs,
      settings,
      rpsFromEnv,
      maxRssKiB,
      totalMs,
    });
    const trace = process.env.EDAGUARD_BENCH_TRACE;
    if (trace) await writeTrace(trace, phases);
    printSummary(log, { phases, checks, notes, maxRssKiB, totalMs, output: OUTPUT });
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      process.stderr.write(
        `bench: ${failed.length} assertion(s) failed: ${failed.map((c) => c.name).join('; ')}\n`,
      );
      return 1;
    }
    return 0;
  } finally {
    seeder.destroy();
    extra.destroy();
    await rm(policyDir, { recursive: true, force: true });
    await emulator.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
