/**
 * `npm run reliability`: the full reliability scenarios, and docs/reliability.md from what they
 * measured.
 *
 * Fault injection (test/support/reliability/faultScenario.ts): a drifted account is reconciled
 * in-process through a fault-injecting proxy until a cycle finds nothing to do, mixed faults and
 * each fault kind alone, at 20 % and 50 % of every request, and mixed at 30 % run on until a cycle
 * exits 0 (`RELIABILITY_ONLY="mixed (all five kinds) 0.3"` runs only that one). Crash consistency
 * (test/support/reliability/crashScenario.ts): the controller is killed with SIGKILL at seeded
 * writes and restarted. Exits non-zero when a scenario does not converge or leaves a duplicate, a
 * lost update or a write outside the selection.
 *
 * Environment: RELIABILITY_SEED (default 2026), RELIABILITY_RESOURCES (drifted resources of the
 * mixed runs, default 200), RELIABILITY_KIND_RESOURCES (of the single-kind runs, default 200),
 * RELIABILITY_MAX_CYCLES (default 10), RELIABILITY_CRASH_POINTS (default 30),
 * RELIABILITY_CRASH_RESOURCES (default 10), RELIABILITY_ONLY (a substring: run only matching
 * scenarios; the document is then not written).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Emulator, emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { FAULT_KINDS, type FaultKind } from '../test/support/faultProxy.js';
import { type FaultScenarioResult, runFaultScenario } from '../test/support/reliability/faultScenario.js';
import type { ReliabilityRow } from '../test/support/reliability/row.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = path.join(ROOT, 'docs/reliability.md');
const CRASH_MODULE = path.join(ROOT, 'test/support/reliability/crashScenario.ts');

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

const SEED = intEnv('RELIABILITY_SEED', 2026, 0);
const RESOURCES = intEnv('RELIABILITY_RESOURCES', 200, 10);
const KIND_RESOURCES = intEnv('RELIABILITY_KIND_RESOURCES', 200, 10);
const MAX_CYCLES = intEnv('RELIABILITY_MAX_CYCLES', 10, 2);
const CRASH_POINTS = intEnv('RELIABILITY_CRASH_POINTS', 30, 1);
const CRASH_RESOURCES = intEnv('RELIABILITY_CRASH_RESOURCES', 10, 2);
const ONLY = process.env.RELIABILITY_ONLY ?? '';
/** The controller's request timeout in these runs; a `slow` answer is held twice as long. */
const REQUEST_TIMEOUT_MS = 1_000;

const KIND_LABEL: Record<FaultKind, string> = {
  throttle: 'throttling',
  'server-error': '500/503',
  slow: 'slow responses (forwarded, answer after 2× timeout)',
  'drop-before': 'dropped connections (before forwarding)',
  'drop-after': 'dropped connections (after forwarding)',
};

interface Scenario {
  fault: string;
  kinds: readonly FaultKind[];
  rate: number;
  resources: number;
  /** Run on after convergence until a cycle exits 0 (the 30 % mixed target). */
  untilCleanExit?: boolean;
}

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const rate of [0.2, 0.5])
    list.push({ fault: 'mixed (all five kinds)', kinds: FAULT_KINDS, rate, resources: RESOURCES });
  // The target: at 30 % mixed faults, converged and a cycle exiting 0 within 6 cycles.
  list.push({
    fault: 'mixed (all five kinds)',
    kinds: FAULT_KINDS,
    rate: 0.3,
    resources: RESOURCES,
    untilCleanExit: true,
  });
  for (const kind of FAULT_KINDS) {
    for (const rate of [0.2, 0.5])
      list.push({ fault: KIND_LABEL[kind], kinds: [kind], rate, resources: KIND_RESOURCES });
  }
  return list.filter((s) => ONLY === '' || `${s.fault} ${s.rate}`.includes(ONLY));
}

const problems = (row: ReliabilityRow): string[] => [
  ...(row.converged ? [] : ['did not converge']),
  ...(row.duplicates > 0 ? [`${row.duplicates} duplicates`] : []),
  ...(row.lostUpdates > 0 ? [`${row.lostUpdates} lost updates`] : []),
  ...(row.outsideSelection > 0 ? [`${row.outsideSelection} writes outside the selection`] : []),
];

/** When the account converged and when a cycle first exited 0, for the fault rows. */
function cycleMarks(r: ReliabilityRow): string {
  if (r.convergedAtCycle === undefined && r.firstCleanExitCycle === undefined) return '';
  const converged = r.convergedAtCycle !== undefined ? `cycle ${r.convergedAtCycle}` : 'no cycle';
  const clean = r.firstCleanExitCycle !== undefined ? `cycle ${r.firstCleanExitCycle}` : 'none';
  return `; converged at ${converged}, first cycle exiting 0: ${clean}`;
}

function renderMarkdown(
  rows: ReliabilityRow[],
  details: string[],
  skipped: string[],
  totalSeconds: number,
): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const out: string[] = [];
  out.push('# Reliability');
  out.push('');
  out.push(
    'Generated by `npm run reliability` (scripts/reliability.ts); do not edit by hand. ' +
      'Every figure below was measured in the run that wrote this file.',
  );
  out.push('');
  out.push('## How to reproduce');
  out.push('');
  out.push('```sh');
  out.push(
    `RELIABILITY_SEED=${SEED} RELIABILITY_RESOURCES=${RESOURCES} RELIABILITY_KIND_RESOURCES=${KIND_RESOURCES} ` +
      `RELIABILITY_MAX_CYCLES=${MAX_CYCLES} RELIABILITY_CRASH_POINTS=${CRASH_POINTS} RELIABILITY_CRASH_RESOURCES=${CRASH_RESOURCES} npm run reliability`,
  );
  out.push('```');
  out.push('');
  out.push(
    `Machine: Node ${process.version}, ${os.cpus().length} cores (${cpu}), ${os.platform()} ${os.release()}; ` +
      `moto 5.2.1 in server mode on loopback. Seed ${SEED}. Whole run ${totalSeconds.toFixed(0)} s. ` +
      `The controller ran with its default settings except: request timeout ${REQUEST_TIMEOUT_MS} ms, ` +
      '3 SDK attempts (the default), no change budget (every fix fits one cycle), Lambda at 15 requests/s, ' +
      'retry backoff shortened to 50 ms transient / 200 ms throttling base, 2 s cap (the defaults are 100 ms / 1 s / 20 s: ' +
      'same algorithm, shorter waits, so that the run fits in minutes).',
  );
  out.push('');
  out.push('## Results');
  out.push('');
  out.push(
    '| fault | rate | resources | cycles to converge | writes | duplicates | lost updates | outside selection | converged | wall time |',
  );
  out.push('|---|---|--:|--:|--:|--:|--:|--:|---|--:|');
  for (const r of rows) {
    out.push(
      `| ${r.fault} | ${r.rate} | ${r.resources} | ${r.converged ? r.cyclesToConverge : `not within ${r.cyclesToConverge}`} | ${r.writes} | ` +
        `${r.duplicates} | ${r.lostUpdates} | ${r.outsideSelection} | ${r.converged ? 'yes' : '**no**'} | ${r.wallSeconds} s |`,
    );
  }
  for (const s of skipped) out.push(`\n${s}`);
  out.push('');
  out.push('Notes per scenario:');
  out.push('');
  for (const r of rows) if (r.notes) out.push(`- ${r.fault}, ${r.rate}: ${r.notes}${cycleMarks(r)}`);
  out.push('');
  out.push('## How each figure is measured');
  out.push('');
  out.push(
    '- **Fault injection.** `test/support/faultProxy.ts` sits on loopback between the SDK clients (their endpoint setting) and moto. ' +
      'Each request gets a fault with the given probability, drawn from a hash of the seed, the request and how many times the same ' +
      'request was seen (so one seed gives the same faults whatever the order of concurrent requests). Throttling is answered as each ' +
      'service answers it, in the protocol the installed SDK speaks: SQS `RequestThrottled` (JSON, query-compatible, HTTP 403 as its model ' +
      'declares), Lambda HTTP 429 `TooManyRequestsException`, CloudWatch `Throttling`, the tagging API `ThrottledException`, DynamoDB and ' +
      'EventBridge `ThrottlingException`, SNS `Throttling`, S3 `SlowDown`. 500/503 are split evenly. A slow response is forwarded first ' +
      '(the write happens) and answered after twice the client timeout: the client sees a timeout and retries. A dropped connection is ' +
      'closed either before forwarding (nothing happened) or after (the write happened, the answer is lost).',
  );
  out.push(
    '- **The account.** N drifted resources: queues without a DLQ (a tenth of them also need a DLQ-depth alarm), queues with ' +
      "`maxReceiveCount` 50, DLQs keeping messages 4 days, queues whose visibility timeout is below 6× their consumer's timeout, " +
      "functions with a Kinesis mapping at AWS's defaults (need an on-failure queue and bounded retries), functions invoked by SNS " +
      'with no event-invoke config (need a config and an on-failure queue); plus N/10 drifted queues no policy selects (another team, ' +
      'or the ignore tag) and an unselected function with a drifted mapping. Seeded straight into moto, never through the proxy.',
  );
  out.push(
    '- **Cycles to converge.** `runCycle` in-process through the proxy, one set of clients for all cycles (as `edaguard run` has), ' +
      'until a cycle plans no drift (nothing fixed, deferred or drifted, and nothing failed but reads) and a plan made right after ' +
      'it with faults off, straight to moto, finds no drift and no read error either: the figure is the number of cycles before that ' +
      'one. Reads are exempt in the cycle itself because with a few hundred per-resource reads a few may still fail after every ' +
      'retry and every requeued round (p^12 each: 3 SDK attempts, then 3 more rounds). A cycle that fails as a whole (an account-wide ' +
      'read failing after every retry) counts as a cycle. "First cycle exiting 0" (30 % row) is the first whose report would make ' +
      '`edaguard run --once` exit 0: nothing drifted, deferred, ticketed or failed, read errors included. ' +
      `The cap is ${MAX_CYCLES} cycles.`,
  );
  out.push(
    '- **Writes.** Write requests (Create/Set/Update/Put…) that reached moto, counted at the proxy: SDK retries and writes whose answer ' +
      'was lost included.',
  );
  out.push(
    '- **Duplicates.** At the end, with faults off: more than one queue tagged `edaguard.dev/dlq-for` the same source, more than one ' +
      'tagged `edaguard.dev/failure-destination-for` the same function, more than one alarm on the same metric and dimensions, or a ' +
      'source queue redriving to another DLQ than the one expected.',
  );
  out.push(
    '- **Lost updates.** Writes moto acknowledged to the controller whose values are not in the account at the end (read back per ' +
      'write: queue attributes, mapping fields, event-invoke config, alarm), plus writes that reached moto but appear in no audit ' +
      'line (`decision: write`, with the operation and resource) of the cycle that made them.',
  );
  out.push(
    '- **Outside selection.** Writes that reached moto for a resource the policies do not select (queues, DLQs and on-failure ' +
      'queues of selected resources, mappings and configs of selected functions, alarms of selected DLQs are the only allowed ones).',
  );
  out.push(
    '- **Crash rows** come from `test/support/reliability/crashScenario.ts` (its own definitions, in that file).',
  );
  out.push('');
  if (details.length > 0) {
    out.push('## Cycle by cycle');
    out.push('');
    out.push('```');
    out.push(...details);
    out.push('```');
    out.push('');
  }
  return out.join('\n');
}

async function main(): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = performance.now();
  const emulator: Emulator = await startEmulator({ timeoutMs: 60_000 });
  Object.assign(process.env, emulatorEnv(emulator.endpoint), {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const rows: ReliabilityRow[] = [];
  const details: string[] = [];
  const skipped: string[] = [];
  try {
    for (const s of scenarios()) {
      log(`\n${s.fault} at ${s.rate * 100} % on ${s.resources} drifted resources`);
      await emulator.reset();
      const lines: string[] = [];
      const result: FaultScenarioResult = await runFaultScenario({
        endpoint: emulator.endpoint,
        fault: s.fault,
        kinds: s.kinds,
        rate: s.rate,
        resources: s.resources,
        seed: SEED,
        maxCycles: MAX_CYCLES,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        ...(s.untilCleanExit ? { untilCleanExit: true } : {}),
        retryTiming: { baseDelayMs: 50, throttlingBaseDelayMs: 200, maxDelayMs: 2_000 },
        log: (l) => {
          lines.push(l);
          log(l);
        },
      });
      rows.push(result.row);
      details.push(`${s.fault}, ${result.row.rate}, ${s.resources} resources:`, ...lines);
      for (const list of [result.unaudited, result.outside, result.duplicateDetails, result.lost]) {
        for (const item of list.slice(0, 5)) details.push(`  ! ${item}`);
      }
      if (!result.row.converged)
        details.push(`  final plan still has ${result.finalDrift.length} findings with drift or read errors`);
      log(`  => ${JSON.stringify(result.row)}`);
    }
    if (ONLY === '' || 'crash'.includes(ONLY)) {
      if (existsSync(CRASH_MODULE)) {
        const { runCrashScenario } = (await import(
          CRASH_MODULE
        )) as typeof import('../test/support/reliability/crashScenario.js');
        log(`\nSIGKILL during apply: ${CRASH_POINTS} kill points on ${CRASH_RESOURCES} drifted resources`);
        await emulator.reset();
        const row = await runCrashScenario({
          endpoint: emulator.endpoint,
          killPoints: CRASH_POINTS,
          seed: SEED,
          resources: CRASH_RESOURCES,
        });
        rows.push(row);
        log(`  => ${JSON.stringify(row)}`);
      } else {
        const line = `Crash scenario skipped: ${path.relative(ROOT, CRASH_MODULE)} is not there.`;
        skipped.push(line);
        log(line);
      }
    }
  } finally {
    await emulator.stop();
  }
  const totalSeconds = (performance.now() - started) / 1000;
  if (ONLY === '') {
    await writeFile(OUTPUT, renderMarkdown(rows, details, skipped, totalSeconds));
    log(`\nwrote ${path.relative(process.cwd(), OUTPUT)}`);
  }
  const failing = rows.map((r) => [r, problems(r)] as const).filter(([, p]) => p.length > 0);
  for (const [r, p] of failing) process.stderr.write(`FAIL  ${r.fault}, ${r.rate}: ${p.join(', ')}\n`);
  return failing.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(
      `reliability failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
