/**
 * The many-targets benchmark (issue #16), part of `npm run bench`: A accounts × 2 regions × Q
 * drifted queues in one moto server, reconciled through the config file's targets with target
 * concurrency 1 and then 4 (fresh accounts for each, so both fix the same drift). It measures the
 * fixing cycle and the steady ones (wall, CPU, peak RSS), the calls per target by operation
 * against the minimum derived from the seeded shape, and the AssumeRole calls per cycle (one per
 * account in the first, none in a steady one). It exits non-zero when a check fails, and writes
 * its section of docs/benchmarks.md.
 *
 * Environment: EDAGUARD_BENCH_ACCOUNTS (default 20), EDAGUARD_BENCH_TARGET_QUEUES (default 50),
 * EDAGUARD_BENCH_STEADY_CYCLES (default 2).
 *   Quick check (3 accounts × 2 regions × 10 queues, docs untouched): npx tsx bench/manyTargets.bench.ts --quick
 */
import pino from 'pino';
import { resolveRuntimeSettings } from '../src/config/runtime.js';
import { parsePolicySources } from '../src/policy/loader.js';
import type { TargetsConfig } from '../src/targets/schema.js';
import { emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { replaceDocSection } from './docSection.js';
import { checkRuns } from './manyTargets/checks.js';
import { type PhaseRun, runConcurrency } from './manyTargets/run.js';
import { renderSection, SECTION_END, SECTION_START } from './manyTargets/section.js';
import { seedTargets, type TargetShape } from './manyTargets/seed.js';
import { motoCpuReader, motoVersion } from './reconcile/moto.js';
import { OUTPUT } from './reconcile/parameters.js';

const QUICK = process.argv.includes('--quick');
const intEnv = (name: string, fallback: number, min: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
  return n;
};
const ACCOUNTS = QUICK ? 3 : intEnv('EDAGUARD_BENCH_ACCOUNTS', 20, 1);
const QUEUES = QUICK ? 10 : intEnv('EDAGUARD_BENCH_TARGET_QUEUES', 50, 5);
const STEADY_CYCLES = QUICK ? 1 : intEnv('EDAGUARD_BENCH_STEADY_CYCLES', 2, 1);
const REGIONS = ['us-east-1', 'eu-west-1'];
const CONCURRENCIES = [1, 4];
const SHAPE: TargetShape = { queues: QUEUES, withSharedDlq: Math.floor(QUEUES / 5) };
const ROLE = 'edaguard';
const COMMAND =
  `EDAGUARD_BENCH_ACCOUNTS=${ACCOUNTS} EDAGUARD_BENCH_TARGET_QUEUES=${QUEUES} ` +
  `EDAGUARD_BENCH_STEADY_CYCLES=${STEADY_CYCLES} npx tsx bench/manyTargets.bench.ts`;

/** The sandbox's queue policy (examples/sandbox/policies/orders.yaml) without the Lambda-side rule. */
const POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: bench-many-targets }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
    sqs-dlq-retention:
      minSeconds: 1209600
`;

/** 12-digit account ids 200000000001, 200000000002, … (none is the controller's 123456789012). */
const ACCOUNT_IDS = Array.from({ length: ACCOUNTS }, (_, i) => String(200_000_000_001 + i));

async function main(): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const emulator = await startEmulator({ timeoutMs: 60_000 });
  Object.assign(process.env, emulatorEnv(emulator.endpoint), {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  try {
    const targets: TargetsConfig = { regions: REGIONS, roleName: ROLE, accounts: ACCOUNT_IDS };
    const refs = ACCOUNT_IDS.flatMap((accountId) => REGIONS.map((region) => ({ accountId, region })));
    const policySet = parsePolicySources([{ file: 'bench-many-targets.yaml', text: POLICY }]);
    const settings = resolveRuntimeSettings({}, process.env);
    const logger = pino({ level: process.env.EDAGUARD_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const motoCpu = motoCpuReader(emulator.port);
    log(`many-targets bench: ${ACCOUNTS} accounts × ${REGIONS.length} regions × ${QUEUES} queues`);
    // Warm moto up (its first calls of each service load code): the measured runs start equal.
    const warm = [{ accountId: '199999999999', region: REGIONS[0] as string }];
    await seedTargets(emulator.endpoint, warm, { queues: 5, withSharedDlq: 1 }, ROLE);
    await runConcurrency({
      targets: { regions: [REGIONS[0] as string], roleName: ROLE, accounts: ['199999999999'] },
      concurrency: 1,
      steadyCycles: 1,
      settings,
      policySet,
      logger,
      motoCpu,
    });
    const runs: PhaseRun[] = [];
    const seedMs: number[] = [];
    for (const concurrency of CONCURRENCIES) {
      await emulator.reset();
      const seedStart = performance.now();
      const created = await seedTargets(emulator.endpoint, refs, SHAPE, ROLE);
      seedMs.push(performance.now() - seedStart);
      log(
        `target concurrency ${concurrency}: seeded ${created} queues in ${((seedMs.at(-1) as number) / 1000).toFixed(2)} s`,
      );
      const phases = await runConcurrency({
        targets,
        concurrency,
        steadyCycles: STEADY_CYCLES,
        settings,
        policySet,
        logger,
        motoCpu,
      });
      for (const p of phases)
        log(
          `  ${p.phase} (cycle ${p.cycle}): ${(p.wallMs / 1000).toFixed(2)} s, ${p.assumeRoles} AssumeRole`,
        );
      runs.push(...phases);
    }
    const failures = checkRuns(runs, SHAPE, ACCOUNTS);
    const section = renderSection({
      command: COMMAND,
      accounts: ACCOUNTS,
      regions: REGIONS,
      shape: SHAPE,
      policy: POLICY,
      runs,
      seedMs,
      motoVersion: motoVersion(),
      failures,
    });
    if (QUICK) log(section);
    else await replaceDocSection(OUTPUT, SECTION_START, SECTION_END, section);
    for (const f of failures) log(`FAIL ${f}`);
    log(
      failures.length === 0 ? 'many-targets bench: all checks passed' : 'many-targets bench: checks failed',
    );
    return failures.length === 0 ? 0 : 1;
  } finally {
    await emulator.stop();
  }
}

process.exitCode = await main();
