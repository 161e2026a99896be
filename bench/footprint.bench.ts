/**
 * The footprint benchmark (issue #15, "Footprint"), part of `npm run bench`
 * (`npm run bench:footprint` alone). Three measurements, each in a process of its own where a
 * process is what is measured:
 *
 * (a) The SQS-only audit: `edaguard plan` of an account of 1,250 queues, 1,000 tagged and
 *     selected, every fourth of those wired to a DLQ (the 250 DLQs are the other queues), with a
 *     policy of SQS rules only. The compiled CLI (tsc into .edaguard/bench-dist, as `npm run
 *     build` makes it) runs as a child process with the node flags of its shebang line (as
 *     `npx edaguard` runs it), preloaded with bench/footprint/probe.mjs, which
 *     records at exit its peak RSS (`process.resourceUsage().maxRSS`), its CPU time, and the
 *     `@aws-sdk/client-*` packages in its module cache.
 * (b) `edaguard validate policies/example`, the same way: its CPU time from process start.
 * (c) Client CPU per request: N GetQueueAttributes calls, one at a time, through edaguard's SQS
 *     client (as `plan` builds it: call counter, retry strategy, abortable handler, and the write
 *     fence the controller adds) and through a bare `new SQSClient(...)` of the same endpoint and
 *     credentials, alternating in rounds; this process's CPU time per call, both, and the ratio.
 *
 * Environment: EDAGUARD_BENCH_FOOTPRINT_RUNS (default 3; each child measurement's repetitions),
 * EDAGUARD_BENCH_REQUESTS (default 100; calls per round in (c), 20 rounds), EDAGUARD_BENCH_QUICK=1 (print the
 * section instead of writing docs/benchmarks.md), EDAGUARD_FOOTPRINT_DIST (a compiled CLI to measure
 * instead of compiling the working tree's).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { loadAwsClients } from '../src/aws/clients.js';
import { fenceWrites } from '../src/aws/writeFence.js';
import { resolveRuntimeSettings } from '../src/config/runtime.js';
import { emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { replaceDocSection } from './docSection.js';
import { motoVersion } from './reconcile/moto.js';
import { OUTPUT } from './reconcile/parameters.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const intEnv = (name: string, fallback: number) => {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
};
const RUNS = intEnv('EDAGUARD_BENCH_FOOTPRINT_RUNS', 3);
const REQUESTS = intEnv('EDAGUARD_BENCH_REQUESTS', 100);
const QUICK = process.env.EDAGUARD_BENCH_QUICK === '1';
const SELECTED = 1000;
const WIRED = SELECTED / 4;
const TOTAL = SELECTED + WIRED;
const REQUEST_ROUNDS = 20;
const TARGET = { auditRssMiB: 110, validateCpuS: 0.5, requestCpuRatio: 1.1 };
const SECTION_START =
  '<!-- footprint: written by bench/footprint.bench.ts; do not edit by hand: run `npm run bench:footprint` to refresh -->';
const SECTION_END = '<!-- /footprint -->';
const COMMAND = 'npm run bench:footprint';

const POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: footprint-audit }
spec:
  enforcement: audit
  match: { resourceTypes: [sqs:queue], tags: { team: audit } }
  rules:
    sqs-dead-letter-queue: { maxReceiveCount: { min: 3, max: 5, default: 3 }, create: { nameSuffix: -dlq } }
`;

const log = (line: string) => process.stderr.write(`${line}\n`);
// This process builds SDK clients too (seeding, the bare client): no Node-version notice from them.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface Probe {
  exitCode: number;
  maxRssKiB: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  clientPackages: string[];
}
interface ChildRun extends Probe {
  wallMs: number;
  stdout: string;
}

async function seed(endpoint: string): Promise<number> {
  const t0 = performance.now();
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const limit = pLimit(16);
  const dlqArns = await Promise.all(
    Array.from({ length: WIRED }, (_, i) =>
      limit(async () => {
        const name = `fp-dlq-${String(i).padStart(4, '0')}`;
        await sqs.send(new CreateQueueCommand({ QueueName: name }));
        return `arn:aws:sqs:us-east-1:123456789012:${name}`;
      }),
    ),
  );
  await Promise.all(
    Array.from({ length: SELECTED }, (_, i) =>
      limit(() =>
        sqs.send(
          new CreateQueueCommand({
            QueueName: `fp-queue-${String(i).padStart(4, '0')}`,
            tags: { team: 'audit' },
            ...(i % 4 === 0
              ? {
                  Attributes: {
                    RedrivePolicy: JSON.stringify({
                      deadLetterTargetArn: dlqArns[i / 4],
                      maxReceiveCount: 3,
                    }),
                  },
                }
              : {}),
          }),
        ),
      ),
    ),
  );
  sqs.destroy();
  return performance.now() - t0;
}

/** The node flags of the bin's `#!/usr/bin/env -S node …` line: the child runs as `npx edaguard` would. */
function shebangNodeFlags(main: string): string[] {
  const first = readFileSync(main, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node((?:\s+--[^\s]+)*)\s*$/.exec(first);
  return match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/**
 * Set on this machine for every process, not by edaguard: Node parses the named CA bundle at start
 * (~0.07 s CPU here). Children run without it, as on a machine that does not set it; validate is
 * also measured with it, and both are reported.
 */
const MACHINE_ENV = 'NODE_EXTRA_CA_CERTS';

function runChild(
  dist: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { machineEnv?: boolean } = {},
): Promise<ChildRun> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'edaguard-footprint-')), 'probe.json');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, EDAGUARD_FOOTPRINT_OUT: out };
  if (!options.machineEnv) delete childEnv[MACHINE_ENV];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const main = path.join(dist, 'main.js');
    const child = spawn(
      process.execPath,
      [...shebangNodeFlags(main), '--import', path.join(ROOT, 'bench/footprint/probe.mjs'), main, ...args],
      {
        cwd: ROOT,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const probe = JSON.parse(readFileSync(out, 'utf8')) as Probe;
        resolve({ ...probe, wallMs: performance.now() - t0, stdout });
      } catch (error) {
        reject(
          new Error(`${args.join(' ')}: no probe output (${(error as Error).message}); stderr:\n${stderr}`),
        );
      }
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const cpuS = (r: Probe) => (r.cpuUserMs + r.cpuSystemMs) / 1000;
const mib = (kib: number) => kib / 1024;

/** CPU time of this process (ms) while `fn` runs. */
async function cpuOf(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

async function requestCpu(endpoint: string, queueUrl: string) {
  // Both clients take the emulator's credentials from the environment (the SDK's default chain).
  Object.assign(process.env, emulatorEnv(endpoint));
  const settings = resolveRuntimeSettings({}, process.env);
  const edaguard = await loadAwsClients(settings, ['sqs']);
  // The controller's write fence (run adds it with leader election): it lets every read through.
  fenceWrites(edaguard, { beforeAttempt: async () => ({ signal: new AbortController().signal, done() {} }) });
  const bare = new SQSClient({ region: 'us-east-1', endpoint });
  const input = { QueueUrl: queueUrl, AttributeNames: ['All' as const] };
  const loop = (client: SQSClient) => async () => {
    for (let i = 0; i < REQUESTS; i += 1) await client.send(new GetQueueAttributesCommand(input));
  };
  // Warm both (connections, lazy SDK initialisation, JIT), then alternate which goes first.
  await loop(bare)();
  await loop(edaguard.sqs)();
  const rounds: Array<{ bare: number; edaguard: number }> = [];
  for (let r = 0; r < REQUEST_ROUNDS; r += 1) {
    const first = r % 2 === 0 ? 'bare' : 'edaguard';
    const a = await cpuOf(loop(first === 'bare' ? bare : edaguard.sqs));
    const b = await cpuOf(loop(first === 'bare' ? edaguard.sqs : bare));
    rounds.push(first === 'bare' ? { bare: a, edaguard: b } : { bare: b, edaguard: a });
  }
  const calls = edaguard.counter.snapshot().reduce((n, c) => n + c.count, 0);
  edaguard.destroy();
  bare.destroy();
  return { rounds, countedCalls: calls };
}

function build(): string {
  const dist = path.join(ROOT, '.edaguard/bench-dist');
  mkdirSync(dist, { recursive: true });
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', dist],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  return dist;
}

async function main(): Promise<number> {
  const started = performance.now();
  // EDAGUARD_FOOTPRINT_DIST: measure another build of the CLI (e.g. an earlier commit's) instead.
  const given = process.env.EDAGUARD_FOOTPRINT_DIST;
  if (!given) log('footprint bench: compiling the CLI (tsc → .edaguard/bench-dist)');
  const dist = given ? path.resolve(given) : build();
  // validate needs no emulator: measured first, on a machine with nothing else running.
  // One run first, not counted: right after tsc this machine is slower for a few seconds.
  await runChild(dist, ['validate', 'policies/example'], {});
  const validates: ChildRun[] = [];
  for (let i = 0; i < Math.max(RUNS, 7); i += 1) {
    const run = await runChild(dist, ['validate', 'policies/example'], {});
    log(`  validate ${i + 1}: CPU ${cpuS(run).toFixed(3)} s, peak RSS ${mib(run.maxRssKiB).toFixed(1)} MiB`);
    validates.push(run);
  }
  const validatesMachineEnv: ChildRun[] = [];
  if (process.env[MACHINE_ENV])
    for (let i = 0; i < Math.max(RUNS, 5); i += 1)
      validatesMachineEnv.push(
        await runChild(dist, ['validate', 'policies/example'], {}, { machineEnv: true }),
      );
  const emulator = await startEmulator();
  try {
    const env = emulatorEnv(emulator.endpoint);
    log(`footprint bench: seeding ${TOTAL} queues on ${emulator.endpoint}`);
    const seedMs = await seed(emulator.endpoint);
    const policies = mkdtempSync(path.join(os.tmpdir(), 'edaguard-footprint-policies-'));
    writeFileSync(path.join(policies, 'audit.yaml'), POLICY);
    const audits: ChildRun[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const run = await runChild(dist, ['plan', '--policies', policies, '-o', 'json'], env);
      log(
        `  audit ${i + 1}: ${(run.wallMs / 1000).toFixed(2)} s, CPU ${cpuS(run).toFixed(2)} s, peak RSS ${mib(run.maxRssKiB).toFixed(1)} MiB, ${run.clientPackages.join(' ')}`,
      );
      audits.push(run);
    }
    const report = JSON.parse(audits[0]?.stdout ?? '{}') as {
      summary?: Record<string, number>;
      awsCalls?: Array<{ service: string; operation: string; count: number }>;
    };
    log(
      `footprint bench: ${REQUEST_ROUNDS} rounds × ${REQUESTS} GetQueueAttributes, edaguard client vs bare SDK client`,
    );
    const queueUrl = `${emulator.endpoint}/123456789012/fp-queue-0000`;
    const cpu = await requestCpu(emulator.endpoint, queueUrl);
    const section = renderSection({
      audits,
      report,
      validates,
      validatesMachineEnv,
      cpu,
      seedMs,
      wallS: (performance.now() - started) / 1000,
    });
    if (QUICK) log(section);
    else await replaceDocSection(OUTPUT, SECTION_START, SECTION_END, section);
    const failures = checks(audits, validates, cpu).filter((c) => !c.pass);
    for (const f of failures) log(`FAIL ${f.what}: ${f.detail}`);
    log(
      failures.length === 0
        ? 'footprint bench: all targets met'
        : 'footprint bench: targets missed (see docs/benchmarks.md)',
    );
    return 0;
  } finally {
    await emulator.stop();
  }
}

type Cpu = Awaited<ReturnType<typeof requestCpu>>;

function perRequest(cpu: Cpu) {
  const bare = median(cpu.rounds.map((r) => r.bare)) / REQUESTS;
  const edaguard = median(cpu.rounds.map((r) => r.edaguard)) / REQUESTS;
  const ratios = cpu.rounds.map((r) => r.edaguard / r.bare);
  const pooled = cpu.rounds.reduce((n, r) => n + r.edaguard, 0) / cpu.rounds.reduce((n, r) => n + r.bare, 0);
  return { bare, edaguard, ratio: median(ratios), ratios, pooled };
}

function checks(audits: ChildRun[], validates: ChildRun[], cpu: Cpu) {
  const unwanted = ['lambda', 's3', 'sns', 'eventbridge', 'kinesis', 'dynamodb-streams'].map(
    (s) => `@aws-sdk/client-${s}`,
  );
  const loaded = [...new Set(audits.flatMap((a) => a.clientPackages))];
  const peak = Math.max(...audits.map((a) => mib(a.maxRssKiB)));
  const validateCpu = median(validates.map(cpuS));
  const { ratio } = perRequest(cpu);
  return [
    {
      what: 'the audit loads no Lambda, S3, SNS, EventBridge, Kinesis or DynamoDB Streams client',
      pass: loaded.every((p) => !unwanted.includes(p)),
      detail: loaded.join(', '),
    },
    {
      what: `peak RSS of the audit ≤ ${TARGET.auditRssMiB} MiB`,
      pass: peak <= TARGET.auditRssMiB,
      detail: `${peak.toFixed(1)} MiB (highest of ${audits.length} runs)`,
    },
    {
      what: `validate CPU ≤ ${TARGET.validateCpuS} s`,
      pass: validateCpu <= TARGET.validateCpuS,
      detail: `${validateCpu.toFixed(3)} s (median of ${validates.length})`,
    },
    {
      what: 'validate loads no SDK client',
      pass: validates.every((v) => v.clientPackages.length === 0),
      detail: [...new Set(validates.flatMap((v) => v.clientPackages))].join(', ') || 'none',
    },
    {
      what: `client CPU per request ≤ ${TARGET.requestCpuRatio} × a bare SDK client`,
      pass: ratio <= TARGET.requestCpuRatio,
      detail: `${ratio.toFixed(3)}× (median of ${cpu.rounds.length} rounds)`,
    },
    {
      what: 'every audit exits 1 (drift: queues without a DLQ), not a crash',
      pass: audits.every((a) => a.exitCode === 1),
      detail: audits.map((a) => a.exitCode).join(', '),
    },
  ];
}

function renderSection(input: {
  audits: ChildRun[];
  report: {
    summary?: Record<string, number>;
    awsCalls?: Array<{ service: string; operation: string; count: number }>;
  };
  validates: ChildRun[];
  validatesMachineEnv: ChildRun[];
  cpu: Cpu;
  seedMs: number;
  wallS: number;
}): string {
  const { audits, report, validates, validatesMachineEnv, cpu } = input;
  const per = perRequest(cpu);
  const calls = report.awsCalls ?? [];
  const byOp = new Map<string, number>();
  for (const c of calls)
    byOp.set(`${c.service}.${c.operation}`, (byOp.get(`${c.service}.${c.operation}`) ?? 0) + c.count);
  const totalCalls = [...byOp.values()].reduce((a, b) => a + b, 0);
  const cpus = os.cpus();
  const row = (r: ChildRun, i: number) =>
    `| ${i + 1} | ${(r.wallMs / 1000).toFixed(2)} s | ${cpuS(r).toFixed(2)} s | ${mib(r.maxRssKiB).toFixed(1)} MiB | ${r.exitCode} | ${r.clientPackages.map((p) => `\`${p.replace('@aws-sdk/', '')}\``).join(', ')} |`;
  return [
    SECTION_START,
    '',
    '## Footprint: SDK clients loaded, peak RSS, validate CPU, client CPU per request',
    '',
    'Reproduce with:',
    '',
    '```sh',
    COMMAND,
    '```',
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
    `- Node ${process.version}; moto ${motoVersion()} (\`python3 -m moto.server\`, its own process); whole run ${input.wallS.toFixed(1)} s`,
    '- The CLI measured is the compiled one (`tsc -p tsconfig.json` into `.edaguard/bench-dist`, as `npm run build` makes `dist/`), each command in a child process ' +
      `with the node flags of the bin’s shebang (\`${shebangNodeFlags(path.join(ROOT, 'src/main.ts')).join(' ') || 'none'}\`, as \`npx edaguard\` runs it) and without this machine’s \`${MACHINE_ENV}\` (unless said), ` +
      'preloaded with `bench/footprint/probe.mjs`: at exit it records `process.resourceUsage().maxRSS`, `process.cpuUsage()` (user + system since the process started: Node’s own start-up included) and the `@aws-sdk/client-*` packages in the module cache (the SDK’s client packages have no `exports` map, so however they are imported Node loads their CommonJS build, which the cache lists).',
    '',
    '### The SQS-only audit',
    '',
    `${TOTAL} queues: ${SELECTED} tagged \`team=audit\` (all selected), every fourth of them (${WIRED}) wired to a DLQ; the ${WIRED} DLQs are the other queues (seeded in ${(input.seedMs / 1000).toFixed(1)} s). Policy (audit: reads only): \`sqs-dead-letter-queue\` on \`sqs:queue\`. Command: \`edaguard plan --policies <dir> -o json\`, ${audits.length} runs.`,
    '',
    '| run | wall | CPU | peak RSS | exit code | client packages loaded |',
    '| ---: | ---: | ---: | ---: | ---: | --- |',
    ...audits.map(row),
    '',
    `Findings: ${JSON.stringify(report.summary ?? {})}. AWS requests of the first run: ${totalCalls} (${[...byOp].map(([op, n]) => `${op} ${n}`).join(', ')}).`,
    '',
    '### validate',
    '',
    `\`edaguard validate policies/example\`, ${validates.length} runs: CPU ${validates.map((v) => cpuS(v).toFixed(3)).join(', ')} s (median ${median(validates.map(cpuS)).toFixed(3)} s); peak RSS median ${median(validates.map((v) => mib(v.maxRssKiB))).toFixed(1)} MiB; SDK client packages loaded: ${[...new Set(validates.flatMap((v) => v.clientPackages))].join(', ') || 'none'}.` +
      (validatesMachineEnv.length > 0
        ? ` With this machine's \`${MACHINE_ENV}\` (a CA bundle Node parses at every start, set here for every process): CPU ${validatesMachineEnv.map((v) => cpuS(v).toFixed(3)).join(', ')} s (median ${median(validatesMachineEnv.map(cpuS)).toFixed(3)} s).`
        : ''),
    '',
    '### Client CPU per request',
    '',
    `${REQUESTS} \`GetQueueAttributes\` (All) calls, one at a time, per round, through edaguard’s SQS client (built by \`loadAwsClients\` as \`plan\` builds it: call counter, retry strategy, abortable request handler, plus the write fence \`run\` adds, here letting everything through) and through a bare \`new SQSClient({ region, endpoint })\` (credentials from the same environment); ${REQUEST_ROUNDS} rounds after one warm-up round each, alternating which client goes first. The machine is shared (other work ran on its 2 cores during the run), so single rounds vary by ±20 %: the check uses the median of the rounds’ ratios, and the pooled ratio (all edaguard CPU ÷ all bare CPU) is shown beside it. CPU is this process’s \`process.cpuUsage()\` over the loop (the client’s work: building, signing, sending and parsing; moto runs in its own process). Nothing is subtracted: both figures include the HTTP work, which is the same for both (moto closes every connection, so each call connects anew).`,
    '',
    '| round | bare SDK client | edaguard client | ratio |',
    '| ---: | ---: | ---: | ---: |',
    ...cpu.rounds.map(
      (r, i) =>
        `| ${i + 1} | ${((r.bare / REQUESTS) * 1000).toFixed(0)} µs | ${((r.edaguard / REQUESTS) * 1000).toFixed(0)} µs | ${(r.edaguard / r.bare).toFixed(3)} |`,
    ),
    '',
    `Median CPU per request: bare ${(per.bare * 1000).toFixed(0)} µs, edaguard ${(per.edaguard * 1000).toFixed(0)} µs; median ratio **${per.ratio.toFixed(3)}×** (target ≤ ${TARGET.requestCpuRatio}); pooled ratio ${per.pooled.toFixed(3)}×. The call counter counted ${cpu.countedCalls} calls (${(REQUEST_ROUNDS + 1) * REQUESTS} sent).`,
    '',
    '### Targets',
    '',
    '| check | result | detail |',
    '| --- | --- | --- |',
    ...checks(audits, validates, cpu).map(
      (c) => `| ${c.what} | ${c.pass ? 'pass' : '**miss**'} | ${c.detail} |`,
    ),
    '',
    SECTION_END,
  ].join('\n');
}

process.exitCode = await main();
