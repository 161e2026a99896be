/**
 * The scale benchmark: `npm run bench`.
 *
 * Seeds the emulator (moto) with N selected queues (default 1,000; ¾ drifted in a known mix),
 * Lambda functions and event source mappings, then measures three phases, each with its own
 * CallCounter and its own clients:
 *   (a) plan           discoverAndPlan on the drifted account (read-only)
 *   (b) reconcile #1   runCycle: fixes every drift
 *   (c) reconcile #2   runCycle on the converged account: must write nothing
 * It writes docs/benchmarks.md (wall time, peak RSS, AWS calls per operation beside the minimum
 * needed) and exits non-zero when an assertion fails.
 *
 * The seeding knows every queue's drift, so it derives, independently of the controller, how many
 * writes are needed and how many reads are the least any controller could make.
 *
 * Environment: EDAGUARD_BENCH_QUEUES (default 1000), EDAGUARD_LOG_LEVEL (default warn).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { MiddlewareStack } from '@smithy/types';
import pLimit from 'p-limit';
import pino from 'pino';
import { CallCounter, type CallRecord, isWriteOperation } from '../src/aws/callCounter.js';
import { type AwsClients, createAwsClients } from '../src/aws/clients.js';
import { type RuntimeSettings, resolveRuntimeSettings } from '../src/config/runtime.js';
import { discoverAndPlan, runCycle } from '../src/cycle.js';
import { loadPolicyDir } from '../src/policy/loader.js';
import type { PolicySet } from '../src/policy/model.js';
import { plannedActions } from '../src/reconcile/model.js';
import type { DriftSummary } from '../src/report/driftReport.js';
import { type Emulator, emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { ACCOUNT, createSeeder, redrive, type Seeder } from '../test/support/seed.js';

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

const N = Number(process.env.EDAGUARD_BENCH_QUEUES ?? 1000);
if (!Number.isInteger(N) || N < 20) throw new Error(`EDAGUARD_BENCH_QUEUES must be an integer >= 20`);
const REGION = 'us-east-1';
const SEED_CONCURRENCY = 16;
const FUNCTIONS = Math.max(5, Math.round(N / 20));
/** Queues of another team (not selected) that Lambda also consumes: they fill the mapping list. */
const OTHER_QUEUES = Math.max(5, Math.round(N / 20));
const MAX_CHANGES = 100_000;
const VERIFY_DELAY_MS = 10;
const READ_BOUND = 1.1;

/** From examples/sandbox/policies/orders.yaml (copied verbatim into the bench's policy dir). */
const POLICY = {
  minReceive: 3,
  maxReceive: 5,
  minRetention: 1_209_600,
  timeoutMultiple: 6,
  dlqSuffix: '-dlq',
};
/** AWS page sizes: GetResources ResourcesPerPage ≤ 100, ListEventSourceMappings ≤ 100, ListFunctions ≤ 50. */
const PAGE = { getResources: 100, mappings: 100, functions: 50 };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE_POLICY = path.join(ROOT, 'examples/sandbox/policies/orders.yaml');
const OUTPUT = path.join(ROOT, 'docs/benchmarks.md');
const PYTHON = process.env.EDAGUARD_PYTHON ?? 'python3';

// ---------------------------------------------------------------------------------------------
// The seeded account: a pure description first, so the expected numbers come from it alone
// ---------------------------------------------------------------------------------------------

type Kind =
  | 'compliant'
  | 'no DLQ'
  | 'maxReceiveCount out of range'
  | 'DLQ retention too short'
  | 'visibility too low for its Lambda consumer'
  | 'no DLQ + visibility too low'
  | 'maxReceiveCount out of range + DLQ retention too short';

interface Consumer {
  fn: string;
  timeout: number;
  window: number;
}

interface QueueSpec {
  name: string;
  kind: Kind;
  fifo: boolean;
  tags: Record<string, string>;
  visibility?: number;
  dlq?: string;
  maxReceiveCount?: number;
  consumers: Consumer[];
}

interface DlqSpec {
  name: string;
  retention: number;
}

interface Account {
  functions: { name: string; timeout: number }[];
  dlqs: DlqSpec[];
  selected: QueueSpec[];
  others: QueueSpec[];
  mixCounts: Map<Kind, number>;
}

/** Small deterministic PRNG (mulberry32), so every run seeds the same account. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 4) => String(n).padStart(width, '0');

function describeAccount(n: number): Account {
  const drift = (fraction: number) => Math.round(n * fraction);
  const retentionPairs = Math.round(drift(0.15) / 2);
  const counts: Array<[Kind, number]> = [
    ['no DLQ', drift(0.2)],
    ['maxReceiveCount out of range', drift(0.15)],
    ['DLQ retention too short', retentionPairs * 2],
    ['visibility too low for its Lambda consumer', drift(0.15)],
    ['no DLQ + visibility too low', drift(0.05)],
    ['maxReceiveCount out of range + DLQ retention too short', drift(0.05)],
  ];
  const drifted = counts.reduce((s, [, c]) => s + c, 0);
  counts.unshift(['compliant', n - drifted]);

  const kinds: Kind[] = counts.flatMap(([kind, c]) => Array.from({ length: c }, () => kind));
  const random = prng(20_240_601);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }

  const timeouts = [5, 10, 20, 30, 60];
  const functions = Array.from({ length: FUNCTIONS }, (_, i) => ({
    name: `bench-fn-${pad(i, 3)}`,
    timeout: timeouts[i % timeouts.length] as number,
  }));
  let mappingCount = 0;
  const nextConsumer = (): Consumer => {
    const fn = functions[mappingCount % functions.length] as { name: string; timeout: number };
    const window = mappingCount % 3 === 0 ? 5 : 0;
    mappingCount += 1;
    return { fn: fn.name, timeout: fn.timeout, window };
  };
  const consumersOf = (count: number) => Array.from({ length: count }, nextConsumer);

  const dlqs: DlqSpec[] = [];
  const ownDlq = (queue: string, retention: number) => {
    const name = `bench-dlq-${queue}`;
    dlqs.push({ name, retention });
    return name;
  };
  const shortRetentions = [345_600, 86_400, POLICY.minRetention - 1];
  const badCounts = [1, 2, 6, 10, 50];
  const goodCounts = [3, 4, 5];
  let sharedDlq: string | undefined;
  const perKind = new Map<Kind, number>();

  const selected = kinds.map((kind, i): QueueSpec => {
    const k = perKind.get(kind) ?? 0;
    perKind.set(kind, k + 1);
    const base = `bench-q-${pad(i)}`;
    const tags = { team: 'orders' };
    switch (kind) {
      case 'compliant': {
        // Half have a consumer (every fifth of those two), visibility at or above what it needs.
        const consumers = k % 2 === 0 ? consumersOf(k % 10 === 0 ? 2 : 1) : [];
        const needed = requiredVisibility(consumers);
        return {
          name: base,
          kind,
          fifo: false,
          tags,
          dlq: ownDlq(base, POLICY.minRetention),
          maxReceiveCount: goodCounts[k % goodCounts.length] as number,
          consumers,
          ...(consumers.length > 0 ? { visibility: needed + (k % 4 === 0 ? 0 : 30) } : {}),
        };
      }
      case 'no DLQ': {
        const fifo = k % 10 === 0;
        return { name: fifo ? `${base}.fifo` : base, kind, fifo, tags, consumers: [] };
      }
      case 'maxReceiveCount out of range':
        return {
          name: base,
          kind,
          fifo: false,
          tags,
          dlq: ownDlq(base, POLICY.minRetention),
          maxReceiveCount: badCounts[k % badCounts.length] as number,
          consumers: [],
        };
      case 'DLQ retention too short': {
        // Two queues share each DLQ: one write fixes both.
        if (k % 2 === 0) {
          sharedDlq = `bench-dlq-shared-${pad(k / 2)}`;
          dlqs.push({
            name: sharedDlq,
            retention: shortRetentions[(k / 2) % shortRetentions.length] as number,
          });
        }
        return {
          name: base,
          kind,
          fifo: false,
          tags,
          dlq: sharedDlq as string,
          maxReceiveCount: 3,
          consumers: [],
        };
      }
      case 'visibility too low for its Lambda consumer': {
        const consumers = consumersOf(k % 10 === 0 ? 2 : 1);
        return {
          name: base,
          kind,
          fifo: false,
          tags,
          dlq: ownDlq(base, POLICY.minRetention),
          maxReceiveCount: 3,
          consumers,
          // At least the function timeout (what AWS itself requires of a mapping), below 6×.
          visibility: Math.max(...consumers.map((c) => c.timeout)),
        };
      }
      case 'no DLQ + visibility too low': {
        const consumers = consumersOf(1);
        return {
          name: base,
          kind,
          fifo: false,
          tags,
          consumers,
          visibility: Math.max(...consumers.map((c) => c.timeout)),
        };
      }
      case 'maxReceiveCount out of range + DLQ retention too short':
        return {
          name: base,
          kind,
          fifo: false,
          tags,
          dlq: ownDlq(base, shortRetentions[k % shortRetentions.length] as number),
          maxReceiveCount: badCounts[k % badCounts.length] as number,
          consumers: [],
        };
    }
    throw new Error(`no seeding for kind ${kind satisfies never}`);
  });

  const others = Array.from({ length: OTHER_QUEUES }, (_, i): QueueSpec => {
    const consumers = i % 5 === 4 ? [] : consumersOf(1);
    return {
      name: `bench-other-${pad(i)}`,
      kind: 'no DLQ',
      fifo: false,
      tags: { team: 'payments' },
      consumers,
      visibility: 30,
    };
  });
  return { functions, dlqs, selected, others, mixCounts: new Map(counts) };
}

function requiredVisibility(consumers: readonly Consumer[]): number {
  return Math.max(0, ...consumers.map((c) => POLICY.timeoutMultiple * c.timeout + c.window));
}

interface Expected {
  /** Writes needed to converge, per operation. */
  createQueue: number;
  setQueueAttributes: number;
  writes: number;
  selected: number;
  /** Distinct DLQs referenced by selected queues, before and after reconcile #1. */
  dlqsBefore: number;
  dlqsAfter: number;
  queuesWithoutDlq: number;
  mappings: number;
  functions: number;
  /** Tag counts of what each GetResources query returns, to work out moto's page counts. */
  selectorTagCounts: number[];
  managedTagCountsAfter: number[];
}

function expectedFor(account: Account): Expected {
  let createQueue = 0;
  let setQueueAttributes = 0;
  const referenced = new Set<string>();
  const retentionOf = new Map(account.dlqs.map((d) => [d.name, d.retention]));
  for (const q of account.selected) {
    if (!q.dlq) {
      createQueue += 1; // the DLQ
      setQueueAttributes += 1; // its RedrivePolicy
    } else {
      referenced.add(q.dlq);
      const count = q.maxReceiveCount ?? 0;
      if (count < POLICY.minReceive || count > POLICY.maxReceive) setQueueAttributes += 1;
    }
    if (q.consumers.length > 0 && (q.visibility ?? 30) < requiredVisibility(q.consumers))
      setQueueAttributes += 1;
  }
  for (const dlq of referenced)
    if ((retentionOf.get(dlq) ?? 0) < POLICY.minRetention) setQueueAttributes += 1;
  const queuesWithoutDlq = account.selected.filter((q) => !q.dlq).length;
  return {
    createQueue,
    setQueueAttributes,
    writes: createQueue + setQueueAttributes,
    selected: account.selected.length,
    dlqsBefore: referenced.size,
    dlqsAfter: referenced.size + queuesWithoutDlq,
    queuesWithoutDlq,
    mappings: [...account.selected, ...account.others].reduce((s, q) => s + q.consumers.length, 0),
    functions: account.functions.length,
    selectorTagCounts: account.selected.map((q) => Object.keys(q.tags).length),
    // edaguard tags each DLQ it creates with managed-by and dlq-for.
    managedTagCountsAfter: Array.from({ length: queuesWithoutDlq }, () => 2),
  };
}

async function seedAccount(seeder: Seeder, account: Account): Promise<void> {
  const limit = pLimit(SEED_CONCURRENCY);
  const queue = (q: QueueSpec) =>
    limit(() =>
      seeder.queue(q.name, {
        tags: q.tags,
        attributes: {
          ...(q.visibility !== undefined ? { VisibilityTimeout: String(q.visibility) } : {}),
          ...(q.dlq ? { RedrivePolicy: redrive(arnOf(q.dlq), q.maxReceiveCount ?? POLICY.minReceive) } : {}),
        },
      }),
    );
  // Functions, DLQs and other teams' queues first: a redrive policy needs its DLQ to exist.
  await Promise.all([
    ...account.functions.map((f) => limit(() => seeder.fn(f.name, f.timeout))),
    ...account.dlqs.map((d) =>
      limit(() => seeder.queue(d.name, { attributes: { MessageRetentionPeriod: String(d.retention) } })),
    ),
    ...account.others.map(queue),
  ]);
  await Promise.all(account.selected.map(queue));
  await Promise.all(
    [...account.selected, ...account.others].flatMap((q) =>
      q.consumers.map((c) => limit(() => seeder.mapQueue(arnOf(q.name), c.fn, c.window))),
    ),
  );
}

const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

// ---------------------------------------------------------------------------------------------
// Measuring a phase
// ---------------------------------------------------------------------------------------------

interface PhaseResult<T> {
  name: string;
  value: T;
  wallMs: number;
  cpuMs: number;
  /** CPU moto used during the phase (Linux only). */
  motoCpuMs: number | undefined;
  calls: CallRecord[];
  /** HTTP requests sent, retries included (the CallCounter counts commands). */
  attempts: number;
  rssAtStartBytes: number;
  peakRssBytes: number;
  heapAtStartBytes: number;
  peakHeapBytes: number;
  maxRssKiBAfter: number;
}

/** Counts every HTTP attempt: the deserialize step runs once per attempt, inside the retry loop. */
function countAttempts<I extends object, O extends object>(stack: MiddlewareStack<I, O>, bump: () => void) {
  stack.add(
    (next) => async (args) => {
      bump();
      return next(args);
    },
    { step: 'deserialize', name: 'benchAttemptCounter', priority: 'low' },
  );
}

/** CPU time (ms) used so far by the moto server listening on `port`; undefined off Linux. */
function motoCpuReader(port: number): () => number | undefined {
  let pid: string | undefined;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (argv.includes('moto.server') && argv.includes(String(port))) pid = entry;
      } catch {
        // the process went away
      }
    }
  } catch {
    // no /proc
  }
  let ticks = 100;
  try {
    ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // keep 100
  }
  return () => {
    if (!pid) return undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based) → indexes 11 and 12 here.
      return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000;
    } catch {
      return undefined;
    }
  };
}

async function measure<T>(
  name: string,
  settings: RuntimeSettings,
  motoCpu: () => number | undefined,
  run: (aws: AwsClients) => Promise<T>,
): Promise<PhaseResult<T>> {
  const counter = new CallCounter();
  const aws = createAwsClients(settings, counter);
  let attempts = 0;
  const bump = () => {
    attempts += 1;
  };
  countAttempts(aws.sqs.middlewareStack, bump);
  countAttempts(aws.lambda.middlewareStack, bump);
  countAttempts(aws.tagging.middlewareStack, bump);
  const atStart = process.memoryUsage();
  let peakRss = atStart.rss;
  let peakHeap = atStart.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const motoBefore = motoCpu();
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    const value = await run(aws);
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const motoAfter = motoCpu();
    sample();
    return {
      name,
      value,
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      motoCpuMs: motoBefore !== undefined && motoAfter !== undefined ? motoAfter - motoBefore : undefined,
      calls: counter.snapshot(),
      attempts,
      rssAtStartBytes: atStart.rss,
      peakRssBytes: peakRss,
      heapAtStartBytes: atStart.heapUsed,
      peakHeapBytes: peakHeap,
      maxRssKiBAfter: process.resourceUsage().maxRSS,
    };
  } finally {
    clearInterval(sampler);
    aws.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Minimum calls, and what the controller's design adds beyond it
// ---------------------------------------------------------------------------------------------

const pages = (items: number, perPage: number) => Math.max(1, Math.ceil(items / perPage));

/**
 * Pages moto 5.x returns for one GetResources query: it ends a page before the tag count of the
 * page would reach TagsPerPage (default 100, and edaguard sends ResourcesPerPage, not TagsPerPage),
 * so 1-tag resources come 99 to a page and 2-tag resources 49.
 */
function motoGetResourcesPages(tagCounts: readonly number[], resourcesPerPage = 100, tagsPerPage = 100) {
  let count = 0;
  let i = 0;
  let leftover: number | undefined;
  do {
    count += 1;
    let resources = 0;
    let tags = 0;
    if (leftover !== undefined) {
      resources = 1;
      tags = leftover;
      leftover = undefined;
    }
    while (i < tagCounts.length) {
      const t = tagCounts[i++] as number;
      if (resources >= resourcesPerPage || tags + t >= tagsPerPage) {
        leftover = t;
        break;
      }
      resources += 1;
      tags += t;
    }
  } while (leftover !== undefined);
  return count;
}

interface Row {
  operation: string;
  calls: number;
  errors: number;
  minimum: number;
  /** What the controller's design makes this phase call, on moto. */
  expected: number;
  /** The same, with real AWS page sizes instead of moto's. */
  expectedOnAws: number;
  note: string;
}

interface PhaseModel {
  phase: 'plan' | 'reconcile #1' | 'reconcile #2';
  converged: boolean;
  writes: boolean;
}

function rowsFor(model: PhaseModel, calls: CallRecord[], e: Expected): Row[] {
  const dlqs = model.converged ? e.dlqsAfter : e.dlqsBefore;
  const managedTagCounts = model.converged ? e.managedTagCountsAfter : [];
  const lacking = model.converged ? 0 : e.queuesWithoutDlq;
  const writes = model.writes ? e.writes : 0;

  const selectorMoto = motoGetResourcesPages(e.selectorTagCounts);
  const selectorAws = pages(e.selected, PAGE.getResources);
  const managedMoto = motoGetResourcesPages(managedTagCounts);
  const managedAws = pages(managedTagCounts.length, PAGE.getResources);
  const mappingPages = pages(e.mappings, PAGE.mappings);
  const functionPages = pages(e.functions, PAGE.functions);

  const spec: Omit<Row, 'calls' | 'errors'>[] = [
    {
      operation: 'ResourceGroupsTaggingAPI.GetResources',
      minimum: selectorAws,
      expected: selectorMoto + 1 + managedMoto,
      expectedOnAws: selectorAws + 1 + managedAws,
      note:
        `minimum ⌈${e.selected}/100⌉ = ${selectorAws} for the selector query (team=orders). ` +
        `moto ends pages at 100 tags, so that query takes ${selectorMoto} pages here. ` +
        `Beyond the minimum: the ignore-tag query (1 page) and the managed-by query ` +
        `(${managedTagCounts.length} DLQs edaguard created: ${managedMoto} moto page(s), ${managedAws} on AWS), ` +
        'which find resources that opted out and DLQs edaguard may adopt.',
    },
    {
      operation: 'SQS.GetQueueAttributes',
      minimum: e.selected + dlqs,
      expected: e.selected + dlqs + writes,
      expectedOnAws: e.selected + dlqs + writes,
      note:
        `minimum: one per selected queue (${e.selected}) + one per distinct existing DLQ they reference (${dlqs}).` +
        (writes > 0 ? ` Beyond the minimum: one read-back after each of the ${writes} writes (verify).` : ''),
    },
    {
      operation: 'SQS.ListDeadLetterSourceQueues',
      minimum: 0,
      expected: lacking,
      expectedOnAws: lacking,
      note: `beyond the minimum: one per selected queue lacking a DLQ (${lacking}), so a queue that is itself a DLQ never gets one.`,
    },
    {
      operation: 'SQS.GetQueueUrl',
      minimum: 0,
      expected: lacking,
      expectedOnAws: lacking,
      note: `beyond the minimum: one per DLQ name edaguard would create (${lacking}), so it never takes over an existing queue; "not found" answers count as errors.`,
    },
    {
      operation: 'Lambda.ListEventSourceMappings',
      minimum: mappingPages,
      expected: 1,
      expectedOnAws: mappingPages,
      note: `minimum ⌈${e.mappings} mappings/100⌉ = ${mappingPages} pages; moto ignores MaxItems and answers in one page.`,
    },
    {
      operation: 'Lambda.ListFunctions',
      minimum: functionPages,
      expected: 1,
      expectedOnAws: functionPages,
      note: `minimum ⌈${e.functions} functions/50⌉ = ${functionPages} page(s); moto answers in one page.`,
    },
    {
      operation: 'SQS.CreateQueue',
      minimum: model.writes ? e.createQueue : 0,
      expected: model.writes ? e.createQueue : 0,
      expectedOnAws: model.writes ? e.createQueue : 0,
      note: model.writes ? `write: one DLQ per queue without one (${e.createQueue})` : 'write',
    },
    {
      operation: 'SQS.SetQueueAttributes',
      minimum: model.writes ? e.setQueueAttributes : 0,
      expected: model.writes ? e.setQueueAttributes : 0,
      expectedOnAws: model.writes ? e.setQueueAttributes : 0,
      note: model.writes
        ? `write: RedrivePolicy, VisibilityTimeout or a DLQ's MessageRetentionPeriod, one per needed change (${e.setQueueAttributes})`
        : 'write',
    },
  ];
  const rows: Row[] = spec.map((s) => {
    const [service, operation] = s.operation.split('.') as [string, string];
    const matching = calls.filter((c) => c.service === service && c.operation === operation);
    return {
      ...s,
      calls: matching.reduce((sum, c) => sum + c.count, 0),
      errors: matching.filter((c) => c.outcome === 'error').reduce((sum, c) => sum + c.count, 0),
    };
  });
  // Anything else the controller called is beyond the minimum and unexplained.
  const known = new Set(spec.map((s) => s.operation));
  const extra = new Map<string, { calls: number; errors: number }>();
  for (const c of calls) {
    const key = `${c.service}.${c.operation}`;
    if (known.has(key)) continue;
    const entry = extra.get(key) ?? { calls: 0, errors: 0 };
    entry.calls += c.count;
    if (c.outcome === 'error') entry.errors += c.count;
    extra.set(key, entry);
  }
  for (const [operation, { calls: count, errors }] of extra) {
    rows.push({
      operation,
      calls: count,
      errors,
      minimum: 0,
      expected: 0,
      expectedOnAws: 0,
      note: 'not expected at all',
    });
  }
  return rows;
}

const isWriteRow = (r: Row) => isWriteOperation(r.operation.split('.')[1] ?? '');

interface Totals {
  reads: number;
  writes: number;
  minReads: number;
  minWrites: number;
  /** Observed reads with moto's page counts replaced by what AWS would page. */
  readsOnAws: number;
}

function totals(rows: Row[]): Totals {
  const t: Totals = { reads: 0, writes: 0, minReads: 0, minWrites: 0, readsOnAws: 0 };
  for (const r of rows) {
    if (isWriteRow(r)) {
      t.writes += r.calls;
      t.minWrites += r.minimum;
    } else {
      t.reads += r.calls;
      t.minReads += r.minimum;
      // Only the paging differs between moto and AWS: shift by the page-count difference.
      t.readsOnAws += r.calls + (r.expectedOnAws - r.expected);
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function motoVersion(): string {
  try {
    return execFileSync(PYTHON, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function phaseTable(rows: Row[]): string {
  const lines = [
    '| operation | calls | minimum | expected by design (moto) | note |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    if (r.calls === 0 && r.minimum === 0 && r.expected === 0) continue;
    const flag = r.calls !== r.expected ? ` **Differs from the design's ${r.expected}.**` : '';
    const errors = r.errors > 0 ? ` (${r.errors} error answers)` : '';
    lines.push(`| ${r.operation} | ${r.calls}${errors} | ${r.minimum} | ${r.expected} | ${r.note}${flag} |`);
  }
  const t = totals(rows);
  lines.push(
    `| **reads** | **${t.reads}** | **${t.minReads}** | | ${ratio(t.reads, t.minReads)} of the minimum; ${t.readsOnAws} with AWS page sizes (${ratio(t.readsOnAws, t.minReads)}) |`,
  );
  lines.push(`| **writes** | **${t.writes}** | **${t.minWrites}** | | |`);
  return lines.join('\n');
}

const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(3)}×`);

interface PhaseOutcome {
  result: PhaseResult<unknown>;
  rows: Row[];
  summary?: DriftSummary;
  extra?: string;
}

function renderMarkdown(input: {
  account: Account;
  expected: Expected;
  phases: PhaseOutcome[];
  checks: Check[];
  seedMs: number;
  emulatorStartMs: number;
  settings: RuntimeSettings;
  maxRssKiB: number;
}): string {
  const { account, expected: e, phases, checks } = input;
  const cpus = os.cpus();
  const mix = [...account.mixCounts].map(([kind, count]) => `| ${kind} | ${count} |`).join('\n');
  const passed = checks.every((c) => c.ok);
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(
    '<!-- Written by bench/reconcile.bench.ts; do not edit by hand: run `npm run bench` to refresh. -->',
  );
  out.push('');
  out.push('Reproduce with:');
  out.push('');
  out.push('```sh');
  out.push('npm run bench');
  out.push('```');
  out.push('');
  out.push(`- Date: ${new Date().toISOString()}`);
  out.push(
    `- Machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
  );
  out.push(`- Node ${process.version}; moto ${motoVersion()} (\`python3 -m moto.server\`, its own process)`);
  out.push(
    `- Settings: applyConcurrency ${input.settings.applyConcurrency} (default), discovery read concurrency 8 (built in), ` +
      `maxChanges ${input.settings.maxChanges}, verifyAttempts ${input.settings.verifyAttempts}, verifyDelayMs ${input.settings.verifyDelayMs}, ` +
      `maxAttempts ${input.settings.maxAttempts}; policy: examples/sandbox/policies/orders.yaml`,
  );
  out.push(`- Result: **${passed ? 'PASS' : 'FAIL'}**`);
  out.push('');
  out.push('## The seeded account');
  out.push('');
  out.push(
    `${e.selected} queues tagged \`team=orders\` (all selected by the policy), in this mix (shuffled, deterministic):`,
  );
  out.push('');
  out.push('| kind | queues |');
  out.push('| --- | ---: |');
  out.push(mix);
  out.push('');
  out.push(
    `Besides: ${account.dlqs.length} existing DLQs (untagged; the retention-drifted queues share theirs two by two), ` +
      `${account.others.length} queues of another team (\`team=payments\`, not selected), ` +
      `${e.functions} Lambda functions (timeouts 5–60 s) and ${e.mappings} event source mappings ` +
      `(a function consumes several queues; some queues have two consumers; some mappings have a 5 s batching window). ` +
      'A tenth of the queues without a DLQ are FIFO. ' +
      `Seeding took ${secs(input.seedMs)} (${SEED_CONCURRENCY} calls at a time); moto started in ${secs(input.emulatorStartMs)}.`,
  );
  out.push('');
  out.push(
    `Changes needed to converge, derived from the seeding alone: **${e.writes}** writes ` +
      `(${e.createQueue} CreateQueue for the missing DLQs + ${e.setQueueAttributes} SetQueueAttributes: ` +
      `a RedrivePolicy per queue without a DLQ or with maxReceiveCount outside [3, 5], a VisibilityTimeout per queue ` +
      `below 6 × its consumer's timeout + batching window, a MessageRetentionPeriod per distinct DLQ keeping messages < 14 days).`,
  );
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(
    '| phase | wall time | controller CPU | moto CPU | peak RSS (at start) | peak heap used (at start) | AWS reads (min) | AWS writes (min) | HTTP requests |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of phases) {
    const t = totals(p.rows);
    const r = p.result;
    out.push(
      `| ${r.name} | ${secs(r.wallMs)} | ${secs(r.cpuMs)} | ${r.motoCpuMs !== undefined ? secs(r.motoCpuMs) : 'n/a'} | ` +
        `${mib(r.peakRssBytes)} (${mib(r.rssAtStartBytes)}) | ${mib(r.peakHeapBytes)} (${mib(r.heapAtStartBytes)}) | ` +
        `${t.reads} (${t.minReads}) | ${t.writes} (${t.minWrites}) | ${r.attempts} |`,
    );
  }
  out.push('');
  out.push(
    `Peak RSS of the bench process over the whole run (\`process.resourceUsage().maxRSS\`): ${mib(input.maxRssKiB * 1024)}. ` +
      'The same process seeds the account first, so each phase also shows RSS and heap sampled every 20 ms ' +
      '(`process.memoryUsage()`) with their values when the phase started. moto runs in its own process and is ' +
      "not counted in RSS; its CPU time is read from /proc. Both share the machine's cores, so wall time is " +
      "bounded by moto's latency as much as by the controller: discovery reads 8 at a time and apply writes 4 at a time. " +
      "moto's server also answers every request with `Connection: close`, so each call opens a new TCP connection " +
      '(against AWS the SDK keeps connections alive). Timings vary by tens of percent between runs on a shared machine. ' +
      '"HTTP requests" counts attempts (retries included); equal to the call count, it means no call was retried.',
  );
  out.push('');
  out.push('## Assertions');
  out.push('');
  out.push('| check | result | detail |');
  out.push('| --- | --- | --- |');
  for (const c of checks) out.push(`| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail} |`);
  out.push('');
  out.push('## AWS calls per phase');
  out.push('');
  out.push(
    '"minimum" is the least any controller needs on real AWS: ⌈selected/100⌉ GetResources pages, one ' +
      'GetQueueAttributes per selected queue and per distinct existing DLQ they reference, the ' +
      'ListEventSourceMappings (100 a page) and ListFunctions (50 a page) pages, and one write per needed change. ' +
      '"expected by design" is what edaguard\'s discovery and apply are built to call against moto; a difference ' +
      'between it and "calls" is flagged. Reads are compared with the minimum as observed on moto, and with ' +
      "moto's paging replaced by AWS's (moto pages GetResources by 100 tags and does not page the Lambda lists).",
  );
  for (const p of phases) {
    out.push('');
    out.push(`### ${p.result.name}`);
    out.push('');
    out.push(
      `Wall time ${secs(p.result.wallMs)}, CPU ${secs(p.result.cpuMs)}, peak RSS ${mib(p.result.peakRssBytes)}, peak heap used ${mib(p.result.peakHeapBytes)}.` +
        (p.summary
          ? ` Report summary: ${p.summary.resources} resources, ${p.summary.compliant} compliant, ${p.summary.fixed} fixed, ${p.summary.drifted} drifted, ${p.summary.failed} failed, ${p.summary.deferred} deferred.`
          : '') +
        (p.extra ? ` ${p.extra}` : ''),
    );
    out.push('');
    out.push(phaseTable(p.rows));
  }
  out.push('');
  out.push('## Beyond the minimum, and why');
  out.push('');
  out.push(
    '- **Two more GetResources queries per cycle**: `edaguard.dev/ignore=true` (resources that opted out) and ' +
      '`edaguard.dev/managed-by=edaguard` (DLQs edaguard created, which it may adopt and whose source it knows). ' +
      'On moto the selector query also takes more pages than on AWS: moto closes a page before it reaches 100 tags.',
  );
  out.push(
    "- **ListDeadLetterSourceQueues, one per selected queue lacking a DLQ**: a queue that is itself some queue's DLQ " +
      'must not get a DLQ of its own. Only queues without a (live) DLQ pay this, so a converged account pays nothing.',
  );
  out.push(
    '- **GetQueueUrl, one per DLQ name edaguard would create**: CreateQueue on an existing name with the same ' +
      'attributes silently returns the existing queue, so edaguard checks first and never adopts a queue it did not create.',
  );
  out.push(
    '- **GetQueueAttributes read-back after each write**: SQS attributes can take up to 60 s to become visible; ' +
      'each write is verified (up to verifyAttempts reads; moto shows them at once, so one each here).',
  );
  out.push('');
  return `${out.join('\n')}`;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const account = describeAccount(N);
  const expected = expectedFor(account);
  log(
    `edaguard bench: ${N} selected queues (${N - (account.mixCounts.get('compliant') ?? 0)} drifted), ` +
      `${account.dlqs.length} DLQs, ${account.others.length} other queues, ${expected.functions} functions, ` +
      `${expected.mappings} mappings; ${expected.writes} writes needed`,
  );

  let t = performance.now();
  const emulator: Emulator = await startEmulator({ timeoutMs: 60_000 });
  const emulatorStartMs = performance.now() - t;
  Object.assign(process.env, emulatorEnv(emulator.endpoint, REGION), {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const seeder = createSeeder(emulator.endpoint, REGION);
  let policyDir: string | undefined;
  try {
    policyDir = await mkdtemp(path.join(os.tmpdir(), 'edaguard-bench-'));
    log(`moto on ${emulator.endpoint}; seeding...`);
    t = performance.now();
    await seedAccount(seeder, account);
    const seedMs = performance.now() - t;
    log(`seeded in ${secs(seedMs)}`);

    await copyFile(EXAMPLE_POLICY, path.join(policyDir, 'orders.yaml'));
    const policySet: PolicySet = await loadPolicyDir(policyDir);
    const settings: RuntimeSettings = {
      ...resolveRuntimeSettings({}, process.env),
      maxChanges: MAX_CHANGES,
      verifyDelayMs: VERIFY_DELAY_MS,
    };
    const logger = pino({ level: process.env.EDAGUARD_LOG_LEVEL ?? 'warn' }, pino.destination(2));

    log('plan...');
    const motoCpu = motoCpuReader(emulator.port);
    const planPhase = await measure('plan', settings, motoCpu, (aws) =>
      discoverAndPlan(policySet, aws, { settings, logger }),
    );
    const planned = plannedActions(planPhase.value.plan);
    const planReadErrors = planPhase.value.inventory.readErrors.length;
    log(`plan: ${secs(planPhase.wallMs)}, ${planned.length} writes planned`);

    log('reconcile #1...');
    const first = await measure('reconcile #1', settings, motoCpu, (aws) =>
      runCycle(policySet, aws, { settings, dryRun: false, logger }),
    );
    log(`reconcile #1: ${secs(first.wallMs)}`);
    log('reconcile #2...');
    const second = await measure('reconcile #2', settings, motoCpu, (aws) =>
      runCycle(policySet, aws, { settings, dryRun: false, logger }),
    );
    log(`reconcile #2: ${secs(second.wallMs)}`);

    const phases: PhaseOutcome[] = [
      {
        result: planPhase,
        rows: rowsFor({ phase: 'plan', converged: false, writes: false }, planPhase.calls, expected),
        extra: `${planPhase.value.plan.findings.length} findings, ${planned.length} writes planned, ${planReadErrors} read errors.`,
      },
      {
        result: first,
        rows: rowsFor({ phase: 'reconcile #1', converged: false, writes: true }, first.calls, expected),
        summary: first.value.summary,
      },
      {
        result: second,
        rows: rowsFor({ phase: 'reconcile #2', converged: true, writes: false }, second.calls, expected),
        summary: second.value.summary,
      },
    ];
    const [planT, firstT, secondT] = phases.map((p) => totals(p.rows)) as [Totals, Totals, Totals];
    const createCalls = (p: PhaseOutcome, op: string) =>
      p.rows.find((r) => r.operation === `SQS.${op}`)?.calls ?? 0;

    const checks: Check[] = [
      {
        name: 'reconcile #2 makes zero writes',
        ok: secondT.writes === 0,
        detail: `${secondT.writes} write calls`,
      },
      {
        name: `reconcile #2 reads ≤ ${READ_BOUND} × minimum (on moto)`,
        ok: secondT.reads <= READ_BOUND * secondT.minReads,
        detail: `${secondT.reads} reads, minimum ${secondT.minReads}, bound ${Math.floor(READ_BOUND * secondT.minReads)} (${ratio(secondT.reads, secondT.minReads)})`,
      },
      {
        name: `reconcile #2 reads ≤ ${READ_BOUND} × minimum (with AWS page sizes)`,
        ok: secondT.readsOnAws <= READ_BOUND * secondT.minReads,
        detail: `${secondT.readsOnAws} reads, minimum ${secondT.minReads} (${ratio(secondT.readsOnAws, secondT.minReads)})`,
      },
      {
        name: 'reconcile #1 writes = changes needed',
        ok:
          firstT.writes === expected.writes &&
          createCalls(phases[1] as PhaseOutcome, 'CreateQueue') === expected.createQueue &&
          createCalls(phases[1] as PhaseOutcome, 'SetQueueAttributes') === expected.setQueueAttributes,
        detail:
          `${firstT.writes} writes (CreateQueue ${createCalls(phases[1] as PhaseOutcome, 'CreateQueue')}, ` +
          `SetQueueAttributes ${createCalls(phases[1] as PhaseOutcome, 'SetQueueAttributes')}); needed ${expected.writes} ` +
          `(${expected.createQueue} + ${expected.setQueueAttributes})`,
      },
      {
        name: 'plan makes zero writes and plans exactly the needed changes',
        ok: planT.writes === 0 && planned.length === expected.writes && planReadErrors === 0,
        detail: `${planT.writes} write calls, ${planned.length} writes planned, ${planReadErrors} read errors`,
      },
      {
        name: 'reconcile #1 fixes everything (no failed, deferred or remaining drift)',
        ok: first.value.summary.failed + first.value.summary.deferred + first.value.summary.drifted === 0,
        detail: `failed ${first.value.summary.failed}, deferred ${first.value.summary.deferred}, drifted ${first.value.summary.drifted}, fixed ${first.value.summary.fixed}`,
      },
      {
        name: 'reconcile #2 finds the account converged',
        ok:
          second.value.summary.failed + second.value.summary.deferred + second.value.summary.drifted === 0 &&
          second.value.summary.fixed === 0,
        detail: `fixed ${second.value.summary.fixed}, drifted ${second.value.summary.drifted}, failed ${second.value.summary.failed}, deferred ${second.value.summary.deferred}`,
      },
    ];
    // Calls that differ from what the design makes are reported, not asserted: they are findings.
    const deviations = phases.flatMap((p) =>
      p.rows
        .filter((r) => r.calls !== r.expected)
        .map((r) => `${p.result.name}: ${r.operation} ${r.calls} calls, design expects ${r.expected}`),
    );

    const maxRssKiB = process.resourceUsage().maxRSS;
    const markdown = renderMarkdown({
      account,
      expected,
      phases,
      checks,
      seedMs,
      emulatorStartMs,
      settings,
      maxRssKiB,
    });
    await writeFile(OUTPUT, markdown);

    log('');
    log('phase         wall      ctl CPU   moto CPU  peak RSS   peak heap  reads (min)   writes (min)  HTTP');
    for (const p of phases) {
      const tt = totals(p.rows);
      const r = p.result;
      log(
        `${r.name.padEnd(13)} ${secs(r.wallMs).padStart(8)}  ${secs(r.cpuMs).padStart(8)}  ` +
          `${(r.motoCpuMs !== undefined ? secs(r.motoCpuMs) : 'n/a').padStart(8)}  ${mib(r.peakRssBytes).padStart(9)}  ` +
          `${mib(r.peakHeapBytes).padStart(9)}  ${`${tt.reads} (${tt.minReads})`.padEnd(12)}  ` +
          `${`${tt.writes} (${tt.minWrites})`.padEnd(12)}  ${r.attempts}`,
      );
    }
    log(`process maxRSS ${mib(maxRssKiB * 1024)} (includes seeding; moto not counted)`);
    for (const p of phases) {
      log(`\n${p.result.name} calls:`);
      for (const r of p.rows) {
        if (r.calls === 0 && r.minimum === 0 && r.expected === 0) continue;
        log(
          `  ${r.operation.padEnd(40)} ${String(r.calls).padStart(6)}  min ${String(r.minimum).padStart(6)}  design ${String(r.expected).padStart(6)}${r.errors ? `  (${r.errors} errors)` : ''}`,
        );
      }
    }
    log('');
    for (const c of checks) log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
    for (const d of deviations) log(`NOTE  ${d}`);
    log(`\nwrote ${path.relative(process.cwd(), OUTPUT)}`);
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
    if (policyDir) await rm(policyDir, { recursive: true, force: true });
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
