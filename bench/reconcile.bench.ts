/**
 * The scale benchmark: `npm run bench`.
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
 * It writes docs/benchmarks.md (wall time, peak RSS, AWS calls per operation beside the minimum
 * needed, the Lambda request rate) and exits non-zero when an assertion fails.
 *
 * The seeding knows every resource's drift, so it derives, independently of the controller, how
 * many writes are needed and how many reads are the least any controller could make.
 *
 * Environment: EDAGUARD_BENCH_QUEUES (default 1000), EDAGUARD_BENCH_FUNCTIONS (default queues/2),
 * EDAGUARD_BENCH_MAPPINGS (default queues/2), EDAGUARD_LAMBDA_RPS (the controller's setting; the
 * bench uses 15, the most the settings allow, unless it is set), EDAGUARD_LOG_LEVEL (default warn),
 * EDAGUARD_BENCH_TRACE (a file: every HTTP request of every phase, with its start and end, as JSON).
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { MiddlewareStack } from '@smithy/types';
import pLimit from 'p-limit';
import pino from 'pino';
import { CallCounter, type CallRecord, isWriteOperation } from '../src/aws/callCounter.js';
import { type AwsClients, createAwsClients, SERVICE_NAMES } from '../src/aws/clients.js';
import { type RuntimeSettings, resolveRuntimeSettings } from '../src/config/runtime.js';
import { discoverAndPlan, runCycle } from '../src/cycle.js';
import { loadPolicyDir } from '../src/policy/loader.js';
import type { PolicySet } from '../src/policy/model.js';
import { plannedActions } from '../src/reconcile/model.js';
import type { DriftSummary } from '../src/report/driftReport.js';
import { type Emulator, emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { ACCOUNT, createSeeder, redrive, type Seeder } from '../test/support/seed.js';
import { seededRandom } from '../test/support/seededRandom.js';

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

const N = intEnv('EDAGUARD_BENCH_QUEUES', 1000, 20);
const REGION = 'us-east-1';
const SEED_CONCURRENCY = 16;
/** Functions that consume the SQS queues (a function consumes several queues). */
const CONSUMER_FUNCTIONS = Math.max(5, Math.round(N / 20));
/** Every function in the account, all tagged team=orders (selected by the Lambda-side policy). */
const FUNCTIONS = intEnv('EDAGUARD_BENCH_FUNCTIONS', Math.round(N / 2), CONSUMER_FUNCTIONS + 1);
/** Every event source mapping: the SQS consumers' mappings, then stream mappings up to this many. */
const MAPPINGS = intEnv('EDAGUARD_BENCH_MAPPINGS', Math.round(N / 2), 1);
/** Queues of another team (not selected) that Lambda also consumes: they fill the mapping list. */
const OTHER_QUEUES = Math.max(5, Math.round(N / 20));
/** EventBridge rules and S3 buckets that invoke no function: async-caller discovery reads them too. */
const OTHER_RULES = 5;
const OTHER_BUCKETS = 5;
const CUSTOM_BUS = 'bench-bus';
/** Existing queues that compliant mappings and event-invoke configs send failures to (not edaguard's). */
const STREAM_FAILURES = 'bench-stream-failures';
const ASYNC_FAILURES = 'bench-async-failures';
const MAX_CHANGES = 100_000;
const VERIFY_DELAY_MS = 10;
const READ_BOUND = 1.1;
/** Lambda's control-plane quota is ~15 requests/s; the settings allow at most 15. */
const BENCH_LAMBDA_RPS = '15';

/** From examples/sandbox/policies/orders.yaml (copied verbatim into the bench's policy dir). */
const POLICY = {
  minReceive: 3,
  maxReceive: 5,
  minRetention: 1_209_600,
  timeoutMultiple: 6,
  dlqSuffix: '-dlq',
};
/** From examples/sandbox/policies/orders-lambda.yaml (copied verbatim too); checked after loading. */
const LAMBDA_POLICY = {
  streamMaxRetryAttempts: 3,
  streamMaxRecordAgeSeconds: 3600,
  failureSuffix: '-failures',
  optInTag: { key: 'edaguard.dev/partial-batch', value: 'supported' },
  asyncMaxRetryAttempts: 1,
  asyncMaxEventAgeSeconds: 3600,
};
/**
 * AWS page sizes: GetResources ResourcesPerPage ≤ 100, ListEventSourceMappings ≤ 100,
 * ListFunctions ≤ 50, ListSubscriptions 100, ListRules ≤ 100.
 */
const PAGE = { getResources: 100, mappings: 100, functions: 50, subscriptions: 100, rules: 100 };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE_POLICIES = ['orders.yaml', 'orders-lambda.yaml'].map((f) =>
  path.join(ROOT, 'examples/sandbox/policies', f),
);
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
  reportsBatchItemFailures: boolean;
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

type AsyncSource = 'SNS subscription' | 'EventBridge rule' | 'S3 notification';
type AsyncConfig = 'none' | 'compliant' | 'retries and event age above the policy';

interface FunctionSpec {
  name: string;
  timeout: number;
  tags: Record<string, string>;
  /** Carries the partial-batch opt-in tag: its mappings get ReportBatchItemFailures written. */
  optedIn: boolean;
  async?: { source: AsyncSource; config: AsyncConfig };
}

type StreamKind = 'AWS defaults' | 'compliant' | 'retries and record age unbounded';

interface StreamMappingSpec {
  fn: string;
  source: 'kinesis' | 'dynamodb';
  sourceName: string;
  kind: StreamKind;
  reportsBatchItemFailures: boolean;
}

interface RuleSpec {
  name: string;
  bus: string;
  /** The function it invokes; undefined: it targets a queue. */
  fn?: string;
}

interface BucketSpec {
  name: string;
  fn?: string;
}

interface Account {
  functions: FunctionSpec[];
  dlqs: DlqSpec[];
  selected: QueueSpec[];
  others: QueueSpec[];
  streams: StreamMappingSpec[];
  rules: RuleSpec[];
  buckets: BucketSpec[];
  mixCounts: Map<Kind, number>;
}

const pad = (n: number, width = 4) => String(n).padStart(width, '0');

function describeFunctions(): FunctionSpec[] {
  const timeouts = [5, 10, 20, 30, 60];
  let asyncIndex = 0;
  return Array.from({ length: FUNCTIONS }, (_, i): FunctionSpec => {
    const optedIn = i % 2 === 0;
    const name = `bench-fn-${pad(i, 3)}`;
    // Every function has two tags, so that moto's tag-count paging does not depend on seeding order.
    const tags = optedIn
      ? { team: 'orders', [LAMBDA_POLICY.optInTag.key]: LAMBDA_POLICY.optInTag.value }
      : { team: 'orders', app: 'orders-backend' };
    const spec: FunctionSpec = { name, timeout: timeouts[i % timeouts.length] as number, tags, optedIn };
    // Two in five functions are invoked asynchronously: mostly by SNS, a few by EventBridge and S3.
    if (i % 5 === 1 || i % 5 === 3) {
      const k = asyncIndex++;
      const source: AsyncSource =
        k % 20 === 7 ? 'EventBridge rule' : k % 20 === 13 ? 'S3 notification' : 'SNS subscription';
      const config: AsyncConfig =
        k % 4 === 0 ? 'compliant' : k % 4 === 1 ? 'retries and event age above the policy' : 'none';
      spec.async = { source, config };
    }
    return spec;
  });
}

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
  const random = seededRandom(20_240_601);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }

  const functions = describeFunctions();
  const consumerFunctions = functions.slice(0, CONSUMER_FUNCTIONS);
  let mappingCount = 0;
  const nextConsumer = (): Consumer => {
    const fn = consumerFunctions[mappingCount % consumerFunctions.length] as FunctionSpec;
    const window = mappingCount % 3 === 0 ? 5 : 0;
    // A third of the SQS mappings already report batch item failures.
    const reportsBatchItemFailures = mappingCount % 3 === 1;
    mappingCount += 1;
    return { fn: fn.name, timeout: fn.timeout, window, reportsBatchItemFailures };
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

  // Stream mappings fill the mapping count: Kinesis and DynamoDB alternately, on the functions after
  // the SQS consumers; a fifth of those functions read two streams.
  const streamCount = MAPPINGS - mappingCount;
  if (streamCount < 0) {
    throw new Error(
      `EDAGUARD_BENCH_MAPPINGS (${MAPPINGS}) is below the ${mappingCount} SQS mappings the queues need`,
    );
  }
  const streamFunctions = Math.max(1, Math.ceil(streamCount * 0.8));
  if (CONSUMER_FUNCTIONS + streamFunctions > FUNCTIONS) {
    throw new Error(
      `EDAGUARD_BENCH_FUNCTIONS (${FUNCTIONS}) is too small for ${streamCount} stream mappings (needs ${CONSUMER_FUNCTIONS + streamFunctions})`,
    );
  }
  const streams = Array.from({ length: streamCount }, (_, j): StreamMappingSpec => {
    const fn = functions[CONSUMER_FUNCTIONS + (j % streamFunctions)] as FunctionSpec;
    const source = j % 2 === 0 ? 'kinesis' : 'dynamodb';
    const kind: StreamKind =
      j % 4 <= 1 ? 'AWS defaults' : j % 4 === 2 ? 'compliant' : 'retries and record age unbounded';
    return {
      fn: fn.name,
      source,
      sourceName: `bench-${source === 'kinesis' ? 'ks' : 'tbl'}-${pad(j)}`,
      kind,
      // Only the compliant ones already report batch item failures, and only where the function opted in.
      reportsBatchItemFailures: kind === 'compliant' && fn.optedIn,
    };
  });

  const rules: RuleSpec[] = [];
  const buckets: BucketSpec[] = [];
  for (const fn of functions) {
    if (fn.async?.source === 'EventBridge rule') {
      rules.push({
        name: `bench-rule-${fn.name}`,
        bus: rules.length % 2 === 0 ? 'default' : CUSTOM_BUS,
        fn: fn.name,
      });
    }
    if (fn.async?.source === 'S3 notification')
      buckets.push({ name: `bench-bucket-${fn.name}`, fn: fn.name });
  }
  for (let i = 0; i < OTHER_RULES; i++) rules.push({ name: `bench-rule-to-queue-${i}`, bus: 'default' });
  for (let i = 0; i < OTHER_BUCKETS; i++) buckets.push({ name: `bench-bucket-quiet-${i}` });

  return { functions, dlqs, selected, others, streams, rules, buckets, mixCounts: new Map(counts) };
}

function requiredVisibility(consumers: readonly Consumer[]): number {
  return Math.max(0, ...consumers.map((c) => POLICY.timeoutMultiple * c.timeout + c.window));
}

interface Expected {
  /** SQS writes needed to converge the queues, per operation. */
  createDlq: number;
  setQueueAttributes: number;
  selected: number;
  /** Distinct DLQs referenced by selected queues, before and after reconcile #1. */
  dlqsBefore: number;
  dlqsAfter: number;
  queuesWithoutDlq: number;
  /** Every mapping and function in the account (what the Lambda lists return). */
  mappings: number;
  sqsMappings: number;
  streamMappings: number;
  functions: number;
  /** Selected functions that SNS, EventBridge or S3 invoke: one GetFunctionEventInvokeConfig each. */
  asyncFunctions: number;
  asyncWithoutConfig: number;
  subscriptions: number;
  buses: number;
  rules: number;
  buckets: number;
  /** UpdateEventSourceMapping: one per drifted (mapping, rule) finding, as edaguard writes them. */
  mappingUpdates: number;
  /** Distinct mappings needing a change: the least number of UpdateEventSourceMapping calls. */
  mappingsToUpdate: number;
  /** Mappings that need both rules' fields, so edaguard updates them twice. */
  mappingsUpdatedTwice: number;
  putInvokeConfigs: number;
  /** On-failure queues edaguard creates (one per function, shared by its mappings and async config). */
  failureQueues: number;
  /** Whether the policies have stream-iterator-age-alarm (edaguard then reads its alarms by prefix). */
  alarmRule: boolean;
  /** IteratorAge alarms edaguard puts: one per selected function reading a stream. */
  iteratorAlarms: number;
  /** Batch mappings of functions that did not opt in, lacking ReportBatchItemFailures: tickets. */
  ticketMappings: number;
  /** Writes to converge: edaguard's design, and the least possible (one update per mapping). */
  writes: number;
  minWrites: number;
  /** Tag counts of what each GetResources query returns, to work out moto's page counts. */
  selectorTagCounts: number[];
  functionTagCounts: number[];
  managedTagCountsAfter: number[];
}

function expectedFor(account: Account, rules: { iteratorAgeAlarm: boolean }): Expected {
  let createDlq = 0;
  let setQueueAttributes = 0;
  const referenced = new Set<string>();
  const retentionOf = new Map(account.dlqs.map((d) => [d.name, d.retention]));
  for (const q of account.selected) {
    if (!q.dlq) {
      createDlq += 1; // the DLQ
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

  const fnByName = new Map(account.functions.map((f) => [f.name, f]));
  const optedIn = (fn: string) => fnByName.get(fn)?.optedIn === true;
  let mappingUpdates = 0;
  let mappingsToUpdate = 0;
  let mappingsUpdatedTwice = 0;
  let ticketMappings = 0;
  const failureQueueFns = new Set<string>();
  const sqsConsumers = [...account.selected, ...account.others].flatMap((q) => q.consumers);
  for (const c of sqsConsumers) {
    if (c.reportsBatchItemFailures) continue;
    if (optedIn(c.fn)) {
      mappingUpdates += 1;
      mappingsToUpdate += 1;
    } else ticketMappings += 1;
  }
  for (const s of account.streams) {
    const streamFix = s.kind !== 'compliant';
    const batchFix = !s.reportsBatchItemFailures && optedIn(s.fn);
    if (!s.reportsBatchItemFailures && !optedIn(s.fn)) ticketMappings += 1;
    if (s.kind === 'AWS defaults') failureQueueFns.add(s.fn);
    mappingUpdates += Number(streamFix) + Number(batchFix);
    if (streamFix || batchFix) mappingsToUpdate += 1;
    if (streamFix && batchFix) mappingsUpdatedTwice += 1;
  }
  const asyncFns = account.functions.filter((f) => f.async);
  for (const f of asyncFns) if (f.async?.config === 'none') failureQueueFns.add(f.name);
  const putInvokeConfigs = asyncFns.filter((f) => f.async?.config !== 'compliant').length;
  const failureQueues = failureQueueFns.size;
  const buses = new Set(['default', CUSTOM_BUS, ...account.rules.map((r) => r.bus)]).size;

  const sqsWrites = createDlq + setQueueAttributes;
  const lambdaSideQueues = failureQueues;
  const iteratorAlarms = rules.iteratorAgeAlarm ? new Set(account.streams.map((s) => s.fn)).size : 0;
  return {
    createDlq,
    setQueueAttributes,
    selected: account.selected.length,
    dlqsBefore: referenced.size,
    dlqsAfter: referenced.size + queuesWithoutDlq,
    queuesWithoutDlq,
    mappings: sqsConsumers.length + account.streams.length,
    sqsMappings: sqsConsumers.length,
    streamMappings: account.streams.length,
    functions: account.functions.length,
    asyncFunctions: asyncFns.length,
    asyncWithoutConfig: asyncFns.filter((f) => f.async?.config === 'none').length,
    subscriptions: asyncFns.filter((f) => f.async?.source === 'SNS subscription').length,
    buses,
    rules: account.rules.length,
    buckets: account.buckets.length,
    mappingUpdates,
    mappingsToUpdate,
    mappingsUpdatedTwice,
    putInvokeConfigs,
    failureQueues,
    alarmRule: rules.iteratorAgeAlarm,
    iteratorAlarms,
    ticketMappings,
    writes: sqsWrites + lambdaSideQueues + mappingUpdates + putInvokeConfigs + iteratorAlarms,
    minWrites: sqsWrites + lambdaSideQueues + mappingsToUpdate + putInvokeConfigs + iteratorAlarms,
    selectorTagCounts: account.selected.map((q) => Object.keys(q.tags).length),
    functionTagCounts: account.functions.map((f) => Object.keys(f.tags).length),
    // edaguard tags each DLQ it creates with managed-by and dlq-for, each on-failure queue with
    // managed-by and failure-destination-for.
    managedTagCountsAfter: Array.from({ length: queuesWithoutDlq + failureQueues }, () => 2),
  };
}

const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const functionArnOf = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

interface ExtraClients {
  eventbridge: EventBridgeClient;
  s3: S3Client;
  destroy(): void;
}

/** EventBridge and S3 clients for seeding (test/support/seed.ts has no helpers for them). */
function extraSeedClients(endpoint: string): ExtraClients {
  const common = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
  };
  const eventbridge = new EventBridgeClient(common);
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  return {
    eventbridge,
    s3,
    destroy() {
      eventbridge.destroy();
      s3.destroy();
    },
  };
}

async function seedAccount(seeder: Seeder, extra: ExtraClients, account: Account): Promise<void> {
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
  const streamArns = new Map<string, string>();
  // Functions, DLQs, other teams' queues and stream sources first: a redrive policy needs its DLQ,
  // a mapping its function and source.
  await Promise.all([
    ...account.functions.map((f) => limit(() => seeder.fn(f.name, f.timeout, f.tags))),
    ...account.dlqs.map((d) =>
      limit(() => seeder.queue(d.name, { attributes: { MessageRetentionPeriod: String(d.retention) } })),
    ),
    ...account.others.map(queue),
    ...[STREAM_FAILURES, ASYNC_FAILURES].map((name) => limit(() => seeder.queue(name))),
    ...account.streams.map((s) =>
      limit(async () => {
        const arn =
          s.source === 'kinesis'
            ? await seeder.kinesisStream(s.sourceName)
            : (await seeder.dynamoTable(s.sourceName, { stream: true })).streamArn;
        if (!arn) throw new Error(`no stream ARN for ${s.sourceName}`);
        streamArns.set(s.sourceName, arn);
      }),
    ),
    ...account.buckets.map((b) => limit(() => extra.s3.send(new CreateBucketCommand({ Bucket: b.name })))),
    limit(() => extra.eventbridge.send(new CreateEventBusCommand({ Name: CUSTOM_BUS }))),
  ]);
  await Promise.all(account.selected.map(queue));

  const mapping = (input: CreateEventSourceMappingCommandInput) =>
    limit(() => seeder.lambda.send(new CreateEventSourceMappingCommand(input)));
  const boundedStream = {
    BisectBatchOnFunctionError: true,
    DestinationConfig: { OnFailure: { Destination: arnOf(STREAM_FAILURES) } },
  };
  await Promise.all([
    ...[...account.selected, ...account.others].flatMap((q) =>
      q.consumers.map((c) =>
        mapping({
          EventSourceArn: arnOf(q.name),
          FunctionName: c.fn,
          BatchSize: 10,
          MaximumBatchingWindowInSeconds: c.window,
          ...(c.reportsBatchItemFailures ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
        }),
      ),
    ),
    ...account.streams.map((s) =>
      mapping({
        EventSourceArn: streamArns.get(s.sourceName),
        FunctionName: s.fn,
        BatchSize: 100,
        StartingPosition: 'LATEST',
        ...(s.kind === 'compliant'
          ? { ...boundedStream, MaximumRetryAttempts: 2, MaximumRecordAgeInSeconds: 1800 }
          : {}),
        ...(s.kind === 'retries and record age unbounded'
          ? { ...boundedStream, MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: -1 }
          : {}),
        ...(s.reportsBatchItemFailures ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
      }),
    ),
    ...account.functions.flatMap((f) => {
      const calls: Promise<unknown>[] = [];
      if (f.async?.source === 'SNS subscription')
        calls.push(limit(() => seeder.snsToLambda(`bench-topic-${f.name}`, functionArnOf(f.name))));
      if (f.async && f.async.config !== 'none') {
        const compliant = f.async.config === 'compliant';
        calls.push(
          limit(() =>
            seeder.lambda.send(
              new PutFunctionEventInvokeConfigCommand({
                FunctionName: f.name,
                MaximumRetryAttempts: compliant ? LAMBDA_POLICY.asyncMaxRetryAttempts : 2,
                MaximumEventAgeInSeconds: compliant ? LAMBDA_POLICY.asyncMaxEventAgeSeconds : 21_600,
                DestinationConfig: { OnFailure: { Destination: arnOf(ASYNC_FAILURES) } },
              }),
            ),
          ),
        );
      }
      return calls;
    }),
    ...account.rules.map((r) =>
      limit(async () => {
        await extra.eventbridge.send(
          new PutRuleCommand({
            Name: r.name,
            EventBusName: r.bus,
            EventPattern: JSON.stringify({ source: ['bench.orders'] }),
          }),
        );
        await extra.eventbridge.send(
          new PutTargetsCommand({
            Rule: r.name,
            EventBusName: r.bus,
            Targets: [{ Id: 'target', Arn: r.fn ? functionArnOf(r.fn) : arnOf(ASYNC_FAILURES) }],
          }),
        );
      }),
    ),
    ...account.buckets.flatMap((b) =>
      b.fn
        ? [
            limit(() =>
              extra.s3.send(
                new PutBucketNotificationConfigurationCommand({
                  Bucket: b.name,
                  NotificationConfiguration: {
                    LambdaFunctionConfigurations: [
                      { LambdaFunctionArn: functionArnOf(b.fn as string), Events: ['s3:ObjectCreated:*'] },
                    ],
                  },
                }),
              ),
            ),
          ]
        : [],
    ),
  ]);
}

/** Rules whose calls the bench models; a policy with another rule would make its expectations wrong. */
const MODELED_RULES = new Set([
  'sqs-dead-letter-queue',
  'sqs-dlq-retention',
  'sqs-visibility-timeout',
  'sqs-fifo-ordering',
  'esm-stream-failure-handling',
  'esm-partial-batch-response',
  'lambda-async-invoke-config',
  'idempotency-store',
  'stream-iterator-age-alarm',
]);

/** The bench's expectations are derived from these settings: stop if the example policies changed. */
function checkLambdaPolicy(policySet: PolicySet): void {
  for (const policy of policySet.policies) {
    for (const [id, settings] of Object.entries(policy.rules)) {
      if (settings !== undefined && !MODELED_RULES.has(id))
        throw new Error(`policy ${policy.name} has rule ${id}, which the bench does not model: extend it`);
    }
  }
  const rule = <
    R extends 'esm-stream-failure-handling' | 'esm-partial-batch-response' | 'lambda-async-invoke-config',
  >(
    id: R,
  ) => policySet.policies.find((p) => p.rules[id] !== undefined)?.rules[id];
  const stream = rule('esm-stream-failure-handling');
  const batch = rule('esm-partial-batch-response');
  const async = rule('lambda-async-invoke-config');
  const actual = {
    streamMaxRetryAttempts: stream?.maxRetryAttempts,
    streamMaxRecordAgeSeconds: stream?.maxRecordAgeSeconds,
    streamSuffix:
      stream?.onFailure && 'create' in stream.onFailure ? stream.onFailure.create.nameSuffix : undefined,
    optIn: batch?.optInTag[LAMBDA_POLICY.optInTag.key],
    asyncAppliesTo: async?.appliesTo,
    asyncMaxRetryAttempts: async?.maxRetryAttempts,
    asyncMaxEventAgeSeconds: async?.maxEventAgeSeconds,
    asyncSuffix:
      async?.onFailure && 'create' in async.onFailure ? async.onFailure.create.nameSuffix : undefined,
  };
  const wanted = {
    streamMaxRetryAttempts: LAMBDA_POLICY.streamMaxRetryAttempts,
    streamMaxRecordAgeSeconds: LAMBDA_POLICY.streamMaxRecordAgeSeconds,
    streamSuffix: LAMBDA_POLICY.failureSuffix,
    optIn: LAMBDA_POLICY.optInTag.value,
    asyncAppliesTo: 'async-invoked',
    asyncMaxRetryAttempts: LAMBDA_POLICY.asyncMaxRetryAttempts,
    asyncMaxEventAgeSeconds: LAMBDA_POLICY.asyncMaxEventAgeSeconds,
    asyncSuffix: LAMBDA_POLICY.failureSuffix,
  };
  if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
    throw new Error(
      `examples/sandbox/policies/orders-lambda.yaml no longer matches the bench's expectations: ` +
        `${JSON.stringify(actual)} vs ${JSON.stringify(wanted)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring a phase
// ---------------------------------------------------------------------------------------------

/** One HTTP attempt, timed from when it got past edaguard's middleware (rate limit included). */
interface RequestRecord {
  service: string;
  operation: string;
  /** ms since the phase started. */
  start: number;
  end: number;
}

interface PhaseResult<T> {
  name: string;
  value: T;
  wallMs: number;
  cpuMs: number;
  /** CPU moto used during the phase (Linux only). */
  motoCpuMs: number | undefined;
  calls: CallRecord[];
  /** HTTP requests sent, retries included (the CallCounter counts commands). */
  requests: RequestRecord[];
  /** When each Lambda command finished (CallCounter.onCall), ms since the phase started. */
  lambdaCompletions: number[];
  rssAtStartBytes: number;
  peakRssBytes: number;
  heapAtStartBytes: number;
  peakHeapBytes: number;
  maxRssKiBAfter: number;
}

/**
 * Records every HTTP attempt: the deserialize step runs once per attempt, inside the retry loop
 * and inside edaguard's Lambda rate limit (finalizeRequest step), so `start` is when the limiter
 * let the request go.
 */
function recordRequests<I extends object, O extends object>(
  stack: MiddlewareStack<I, O>,
  service: string,
  sink: RequestRecord[],
  origin: () => number,
) {
  stack.add(
    (next, context) => async (args) => {
      const record: RequestRecord = {
        service,
        operation: String(context.commandName ?? 'Unknown').replace(/Command$/, ''),
        start: performance.now() - origin(),
        end: Number.NaN,
      };
      sink.push(record);
      try {
        return await next(args);
      } finally {
        record.end = performance.now() - origin();
      }
    },
    { step: 'deserialize', name: 'benchRequestRecorder', priority: 'low' },
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
        if (argv.some((a) => a.includes('moto')) && argv.includes(String(port))) pid = entry;
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
  let origin = 0;
  const requests: RequestRecord[] = [];
  for (const [key, service] of Object.entries(SERVICE_NAMES) as Array<[keyof typeof SERVICE_NAMES, string]>) {
    recordRequests(
      aws[key].middlewareStack as MiddlewareStack<object, object>,
      service,
      requests,
      () => origin,
    );
  }
  const lambdaCompletions: number[] = [];
  counter.onCall((c) => {
    if (c.service === 'Lambda') lambdaCompletions.push(performance.now() - origin);
  });
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
  origin = performance.now();
  try {
    const value = await run(aws);
    const wallMs = performance.now() - origin;
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
      requests,
      lambdaCompletions,
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

/** The most timestamps in any window [t, t + windowMs), and where that window starts. */
function maxInWindow(times: readonly number[], windowMs = 1000): { count: number; from: number } {
  const t = [...times].sort((a, b) => a - b);
  let best = { count: 0, from: 0 };
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= windowMs) j++;
    if (i - j + 1 > best.count) best = { count: i - j + 1, from: t[j] as number };
  }
  return best;
}

interface LambdaRate {
  calls: number;
  requests: number;
  wallMs: number;
  /** First Lambda request start to last Lambda request end. */
  spanMs: number;
  firstStartMs: number;
  maxStarted: { count: number; from: number };
  /** The same over 0.9 s: a burst that also shows here is not a matter of timer jitter at 1 s. */
  maxStartedShort: { count: number; from: number };
  maxCompleted: { count: number; from: number };
  /** Starts in each whole second of the phase, to show the shape of the limiter's windows. */
  perSecond: number[];
  /** Whole seconds in which Lambda requests started and no other service's did. */
  lambdaOnlySeconds: number;
}

function lambdaRate(result: PhaseResult<unknown>): LambdaRate {
  const lambda = result.requests.filter((r) => r.service === 'Lambda');
  const starts = lambda.map((r) => r.start);
  const first = starts.length > 0 ? Math.min(...starts) : 0;
  const last = lambda.length > 0 ? Math.max(...lambda.map((r) => r.end)) : 0;
  const perSecond = Array.from({ length: Math.ceil(result.wallMs / 1000) }, () => 0);
  for (const s of starts) {
    const i = Math.floor(s / 1000);
    perSecond[i] = (perSecond[i] ?? 0) + 1;
  }
  const otherSeconds = new Set(
    result.requests.filter((r) => r.service !== 'Lambda').map((r) => Math.floor(r.start / 1000)),
  );
  const lambdaOnlySeconds = perSecond.filter((n, i) => n > 0 && !otherSeconds.has(i)).length;
  return {
    calls: result.calls.filter((c) => c.service === 'Lambda').reduce((s, c) => s + c.count, 0),
    requests: lambda.length,
    wallMs: result.wallMs,
    spanMs: last - first,
    firstStartMs: first,
    maxStarted: maxInWindow(starts),
    maxStartedShort: maxInWindow(starts, 900),
    maxCompleted: maxInWindow(result.lambdaCompletions),
    perSecond,
    lambdaOnlySeconds,
  };
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

/** moto's SNS pages hold 100 and end with an empty page when the last one is full. */
const motoSnsPages = (items: number) => Math.floor(items / PAGE.subscriptions) + 1;

interface Row {
  operation: string;
  calls: number;
  errors: number;
  notFound: number;
  minimum: number;
  /** What the controller's design makes this phase call, on moto. */
  expected: number;
  /** The same, with real AWS page sizes instead of moto's. */
  expectedOnAws: number;
  note: string;
  /** First request start and last request end, seconds since the phase started. */
  active?: [number, number];
}

interface PhaseModel {
  phase: 'plan' | 'reconcile #1' | 'reconcile #2';
  converged: boolean;
  writes: boolean;
}

function rowsFor(model: PhaseModel, result: PhaseResult<unknown>, e: Expected): Row[] {
  const calls = result.calls;
  const dlqs = model.converged ? e.dlqsAfter : e.dlqsBefore;
  const managedTagCounts = model.converged ? e.managedTagCountsAfter : [];
  const lacking = model.converged ? 0 : e.queuesWithoutDlq;
  const failureNames = model.converged ? 0 : e.failureQueues;
  const w = model.writes;
  const sqsWrites = w ? e.createDlq + e.setQueueAttributes : 0;
  // Before a finding's writes, what each SetQueueAttributes would overwrite is read again.
  const preconditionQueueReads = w ? e.setQueueAttributes : 0;
  const failureQueues = w ? e.failureQueues : 0;
  const existingAlarms = model.converged ? e.iteratorAlarms : 0;

  const selectorMoto = motoGetResourcesPages(e.selectorTagCounts);
  const selectorAws = pages(e.selected, PAGE.getResources);
  const functionsMoto = motoGetResourcesPages(e.functionTagCounts);
  const functionsAws = pages(e.functions, PAGE.getResources);
  const managedMoto = motoGetResourcesPages(managedTagCounts);
  const managedAws = pages(managedTagCounts.length, PAGE.getResources);
  const mappingPages = pages(e.mappings, PAGE.mappings);
  const functionPages = pages(e.functions, PAGE.functions);
  const subscriptionPages = pages(e.subscriptions, PAGE.subscriptions);
  const readBacks = (n: number) => (n > 0 ? ` + one read-back per write (${n})` : '');

  const spec: Omit<Row, 'calls' | 'errors' | 'notFound'>[] = [
    {
      operation: 'ResourceGroupsTaggingAPI.GetResources',
      minimum: selectorAws + functionsAws + 1,
      expected: selectorMoto + functionsMoto + 1 + 1 + managedMoto,
      expectedOnAws: selectorAws + functionsAws + 1 + 1 + managedAws,
      note:
        `minimum ⌈${e.selected}/100⌉ = ${selectorAws} for the queues (sqs, team=orders), ⌈${e.functions}/100⌉ = ${functionsAws} ` +
        'for the functions (lambda:function, team=orders) and 1 for the tables (dynamodb:table, team=orders + role; none match). ' +
        `moto ends pages at 100 tags, so the first two take ${selectorMoto} and ${functionsMoto} pages here. ` +
        `Beyond the minimum: the ignore-tag query (1 page) and the managed-by query ` +
        `(${managedTagCounts.length} queues edaguard created: ${managedMoto} moto page(s), ${managedAws} on AWS), ` +
        'which find resources that opted out and queues edaguard may adopt.',
    },
    {
      operation: 'SQS.GetQueueAttributes',
      minimum: e.selected + dlqs,
      expected: e.selected + dlqs + sqsWrites + failureQueues + preconditionQueueReads,
      expectedOnAws: e.selected + dlqs + sqsWrites + failureQueues + preconditionQueueReads,
      note:
        `minimum: one per selected queue (${e.selected}) + one per distinct existing DLQ they reference (${dlqs}).` +
        (w
          ? ` Beyond the minimum: one read-back after each of the ${sqsWrites + failureQueues} SQS writes (verify), ` +
            `and one re-read before each of the ${preconditionQueueReads} SetQueueAttributes (precondition: not changed since discovery).`
          : ''),
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
      expected: lacking + failureNames,
      expectedOnAws: lacking + failureNames,
      note:
        `beyond the minimum: one per queue name edaguard would create (${lacking} DLQs, ${failureNames} on-failure queues), ` +
        'so it never takes over an existing queue; they answer "does not exist".',
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
      note: `minimum ⌈${e.functions} functions/50⌉ = ${functionPages} page(s); moto ignores MaxItems and answers in one page.`,
    },
    {
      operation: 'Lambda.GetFunctionEventInvokeConfig',
      minimum: e.asyncFunctions + (w ? e.putInvokeConfigs : 0),
      expected: e.asyncFunctions + (w ? 2 * e.putInvokeConfigs : 0),
      expectedOnAws: e.asyncFunctions + (w ? 2 * e.putInvokeConfigs : 0),
      note:
        `minimum: one per selected function invoked asynchronously (${e.asyncFunctions})${readBacks(w ? e.putInvokeConfigs : 0)}` +
        `${w ? ` + one precondition re-read before each Put (${e.putInvokeConfigs})` : ''}.` +
        (model.converged ? '' : ` ${e.asyncWithoutConfig} of them have no config: "not found" answers.`),
    },
    {
      operation: 'Lambda.GetEventSourceMapping',
      minimum: w ? e.mappingsToUpdate : 0,
      expected: w ? 2 * e.mappingUpdates : 0,
      expectedOnAws: w ? 2 * e.mappingUpdates : 0,
      note: w
        ? `read-back after each UpdateEventSourceMapping: minimum one per mapping changed (${e.mappingsToUpdate}); edaguard reads back after each of its ${e.mappingUpdates} updates, and re-reads before each (precondition).`
        : 'read-back',
    },
    {
      operation: 'SNS.ListSubscriptions',
      minimum: subscriptionPages,
      expected: motoSnsPages(e.subscriptions),
      expectedOnAws: subscriptionPages,
      note: `minimum ⌈${e.subscriptions} subscriptions/100⌉ = ${subscriptionPages} page(s); moto adds an empty page after a full one.`,
    },
    {
      operation: 'EventBridge.ListEventBuses',
      minimum: 1,
      expected: 1,
      expectedOnAws: 1,
      note: `1 page (${e.buses} buses).`,
    },
    {
      operation: 'EventBridge.ListRules',
      minimum: e.buses,
      expected: e.buses,
      expectedOnAws: e.buses,
      note: `one page per bus (${e.buses}; fewer than 100 rules each).`,
    },
    {
      operation: 'EventBridge.ListTargetsByRule',
      minimum: e.rules,
      expected: e.rules,
      expectedOnAws: e.rules,
      note: `one per rule (${e.rules}).`,
    },
    {
      operation: 'S3.ListBuckets',
      minimum: 1,
      expected: 1,
      expectedOnAws: 1,
      note: '1 call.',
    },
    {
      operation: 'S3.GetBucketNotificationConfiguration',
      minimum: e.buckets,
      expected: e.buckets,
      expectedOnAws: e.buckets,
      note: `one per bucket (${e.buckets}).`,
    },
    {
      operation: 'CloudWatch.DescribeAlarms',
      minimum: e.alarmRule ? pages(existingAlarms, 100) : 0,
      expected: e.alarmRule ? 1 + (w ? e.iteratorAlarms : 0) : 0,
      expectedOnAws: e.alarmRule ? pages(existingAlarms, 100) + (w ? e.iteratorAlarms : 0) : 0,
      note:
        `minimum ⌈${existingAlarms} alarms/100⌉ = ${pages(existingAlarms, 100)} page(s) of edaguard's alarms (by name prefix); moto does not page.` +
        (w ? ` Beyond the minimum: one read-back after each PutMetricAlarm (${e.iteratorAlarms}).` : ''),
    },
    {
      operation: 'SQS.CreateQueue',
      minimum: w ? e.createDlq + e.failureQueues : 0,
      expected: w ? e.createDlq + e.failureQueues : 0,
      expectedOnAws: w ? e.createDlq + e.failureQueues : 0,
      note: w
        ? `write: one DLQ per queue without one (${e.createDlq}) + one on-failure queue per function that needs one (${e.failureQueues}; its stream mappings and async config share it)`
        : 'write',
    },
    {
      operation: 'SQS.SetQueueAttributes',
      minimum: w ? e.setQueueAttributes : 0,
      expected: w ? e.setQueueAttributes : 0,
      expectedOnAws: w ? e.setQueueAttributes : 0,
      note: w
        ? `write: RedrivePolicy, VisibilityTimeout or a DLQ's MessageRetentionPeriod, one per needed change (${e.setQueueAttributes})`
        : 'write',
    },
    {
      operation: 'Lambda.UpdateEventSourceMapping',
      minimum: w ? e.mappingsToUpdate : 0,
      expected: w ? e.mappingUpdates : 0,
      expectedOnAws: w ? e.mappingUpdates : 0,
      note: w
        ? `write: minimum one per mapping to change (${e.mappingsToUpdate}); edaguard writes one per drifted (mapping, rule) finding ` +
          `(${e.mappingUpdates}): ${e.mappingsUpdatedTwice} stream mappings need both stream failure handling and partial batch responses and get two updates.`
        : 'write',
    },
    {
      operation: 'CloudWatch.PutMetricAlarm',
      minimum: w ? e.iteratorAlarms : 0,
      expected: w ? e.iteratorAlarms : 0,
      expectedOnAws: w ? e.iteratorAlarms : 0,
      note: w
        ? `write: one IteratorAge alarm per selected function reading a stream (${e.iteratorAlarms}), from the stream-iterator-age-alarm rule`
        : 'write',
    },
    {
      operation: 'Lambda.PutFunctionEventInvokeConfig',
      minimum: w ? e.putInvokeConfigs : 0,
      expected: w ? e.putInvokeConfigs : 0,
      expectedOnAws: w ? e.putInvokeConfigs : 0,
      note: w
        ? `write: one per async-invoked function whose config is missing or too lax (${e.putInvokeConfigs})`
        : 'write',
    },
  ];
  const activeOf = (operation: string): [number, number] | undefined => {
    const [service, op] = operation.split('.') as [string, string];
    const mine = result.requests.filter((r) => r.service === service && r.operation === op);
    if (mine.length === 0) return undefined;
    return [Math.min(...mine.map((r) => r.start)) / 1000, Math.max(...mine.map((r) => r.end)) / 1000];
  };
  const count = (service: string, operation: string, outcome?: CallRecord['outcome']) =>
    calls
      .filter(
        (c) =>
          c.service === service &&
          c.operation === operation &&
          (outcome === undefined || c.outcome === outcome),
      )
      .reduce((sum, c) => sum + c.count, 0);
  const rows: Row[] = spec.map((s) => {
    const [service, operation] = s.operation.split('.') as [string, string];
    const active = activeOf(s.operation);
    return {
      ...s,
      calls: count(service, operation),
      errors: count(service, operation, 'error') + count(service, operation, 'throttled'),
      notFound: count(service, operation, 'not-found'),
      ...(active ? { active } : {}),
    };
  });
  // Anything else the controller called is beyond the minimum and unexplained.
  const known = new Set(spec.map((s) => s.operation));
  for (const key of new Set(calls.map((c) => `${c.service}.${c.operation}`))) {
    if (known.has(key)) continue;
    const [service, operation] = key.split('.') as [string, string];
    const active = activeOf(key);
    rows.push({
      operation: key,
      calls: count(service, operation),
      errors: count(service, operation, 'error') + count(service, operation, 'throttled'),
      notFound: count(service, operation, 'not-found'),
      minimum: 0,
      expected: 0,
      expectedOnAws: 0,
      note: 'not expected at all',
      ...(active ? { active } : {}),
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

function totals(rows: Row[], service?: string): Totals {
  const t: Totals = { reads: 0, writes: 0, minReads: 0, minWrites: 0, readsOnAws: 0 };
  for (const r of rows) {
    if (service && !r.operation.startsWith(`${service}.`)) continue;
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

const callsOf = (rows: Row[], operation: string) => rows.find((r) => r.operation === operation)?.calls ?? 0;

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
const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(3)}×`);
const perSec = (n: number, ms: number) => (ms > 0 ? `${((n * 1000) / ms).toFixed(2)}/s` : 'n/a');

function motoVersion(): string {
  try {
    return execFileSync(PYTHON, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function phaseTable(rows: Row[]): string {
  const lines = [
    '| operation | calls | minimum | expected by design (moto) | active (s) | note |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    if (r.calls === 0 && r.minimum === 0 && r.expected === 0) continue;
    const flag = r.calls !== r.expected ? ` **Differs from the design's ${r.expected}.**` : '';
    const answers = [
      r.notFound > 0 ? `${r.notFound} not found` : '',
      r.errors > 0 ? `${r.errors} errors` : '',
    ].filter(Boolean);
    const active = r.active ? `${r.active[0].toFixed(1)}–${r.active[1].toFixed(1)}` : '';
    lines.push(
      `| ${r.operation} | ${r.calls}${answers.length ? ` (${answers.join(', ')})` : ''} | ${r.minimum} | ${r.expected} | ${active} | ${r.note}${flag} |`,
    );
  }
  const t = totals(rows);
  const l = totals(rows, 'Lambda');
  lines.push(
    `| **reads** | **${t.reads}** | **${t.minReads}** | | | ${ratio(t.reads, t.minReads)} of the minimum; ${t.readsOnAws} with AWS page sizes (${ratio(t.readsOnAws, t.minReads)}) |`,
  );
  lines.push(`| **writes** | **${t.writes}** | **${t.minWrites}** | | | ${ratio(t.writes, t.minWrites)} |`);
  lines.push(
    `| of which Lambda | ${l.reads} reads + ${l.writes} writes | ${l.minReads} + ${l.minWrites} | | | ` +
      `reads ${ratio(l.reads, l.minReads)} (${l.readsOnAws} with AWS page sizes, ${ratio(l.readsOnAws, l.minReads)}); writes ${ratio(l.writes, l.minWrites)} |`,
  );
  return lines.join('\n');
}

interface PhaseOutcome {
  result: PhaseResult<unknown>;
  rows: Row[];
  rate: LambdaRate;
  summary?: DriftSummary;
  extra?: string;
}

function renderMarkdown(input: {
  account: Account;
  expected: Expected;
  phases: PhaseOutcome[];
  checks: Check[];
  notes: string[];
  seedMs: number;
  emulatorStartMs: number;
  settings: RuntimeSettings;
  rpsFromEnv: boolean;
  maxRssKiB: number;
  totalMs: number;
}): string {
  const { account, expected: e, phases, checks, settings } = input;
  const cpus = os.cpus();
  const mix = [...account.mixCounts].map(([kind, count]) => `| ${kind} | ${count} |`).join('\n');
  const passed = checks.every((c) => c.ok);
  const rps = settings.lambdaRequestsPerSecond;
  const asyncBy = (source: AsyncSource) => account.functions.filter((f) => f.async?.source === source).length;
  const asyncConfig = (config: AsyncConfig) =>
    account.functions.filter((f) => f.async?.config === config).length;
  const streamsOf = (kind: StreamKind) => account.streams.filter((s) => s.kind === kind).length;
  const sqsConsumers = [...account.selected, ...account.others].flatMap((q) => q.consumers);
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
    `- Settings: applyConcurrency ${settings.applyConcurrency}, readConcurrency ${settings.readConcurrency}, ` +
      `maxChanges ${settings.maxChanges}, verifyAttempts ${settings.verifyAttempts}, verifyDelayMs ${settings.verifyDelayMs}, ` +
      `maxAttempts ${settings.maxAttempts}, **lambdaRequestsPerSecond ${rps}** ` +
      (input.rpsFromEnv
        ? '(from EDAGUARD_LAMBDA_RPS)'
        : '(the bench sets EDAGUARD_LAMBDA_RPS=15, the most the settings allow, instead of the default 10, so that the Lambda-heavy phases take less time; set it to measure another rate)'),
  );
  out.push(
    `- Policies: examples/sandbox/policies/orders.yaml (SQS) and examples/sandbox/policies/orders-lambda.yaml (Lambda side${e.alarmRule ? ' with the stream-iterator-age-alarm rule' : ''}, idempotency stores, FIFO ordering), copied verbatim`,
  );
  out.push(`- Whole run (emulator start, seeding, three phases): ${secs(input.totalMs)}`);
  out.push(`- Result: **${passed ? 'PASS' : 'FAIL'}**`);
  out.push('');
  out.push('## The seeded account');
  out.push('');
  out.push(
    `${e.selected} queues tagged \`team=orders\` (all selected by the SQS policy), in this mix (shuffled, deterministic):`,
  );
  out.push('');
  out.push('| kind | queues |');
  out.push('| --- | ---: |');
  out.push(mix);
  out.push('');
  out.push(
    `Besides: ${account.dlqs.length} existing DLQs (untagged; the retention-drifted queues share theirs two by two), ` +
      `${account.others.length} queues of another team (\`team=payments\`, not selected). A tenth of the queues without a DLQ are FIFO.`,
  );
  out.push('');
  out.push(
    `The Lambda side: **${e.functions} functions**, all tagged \`team=orders\` (selected by the Lambda-side policy), ` +
      `timeouts 5–60 s; every other one carries the opt-in tag \`${LAMBDA_POLICY.optInTag.key}=${LAMBDA_POLICY.optInTag.value}\` ` +
      `(the rest an unrelated second tag). **${e.mappings} event source mappings**:`,
  );
  out.push('');
  out.push('| mappings | count | state |');
  out.push('| --- | ---: | --- |');
  out.push(
    `| SQS, from the selected queues and the other team's queues, on ${CONSUMER_FUNCTIONS} consumer functions | ${e.sqsMappings} | ` +
      `${sqsConsumers.filter((c) => c.reportsBatchItemFailures).length} already report batch item failures; the others on opted-in functions need it, on the rest it is a ticket |`,
  );
  out.push(
    `| Kinesis / DynamoDB streams with AWS's defaults (no bisect, infinite retries and record age, no on-failure destination) | ${streamsOf('AWS defaults')} | drifted: bounds and an on-failure queue edaguard creates |`,
  );
  out.push(
    `| streams that bisect and have a destination but retry forever (-1, -1) | ${streamsOf('retries and record age unbounded')} | drifted: bounds only |`,
  );
  out.push(
    `| compliant streams (bisect, 2 retries, 1800 s, destination; ReportBatchItemFailures where opted in) | ${streamsOf('compliant')} | compliant (a ticket where not opted in) |`,
  );
  out.push('');
  out.push(
    `${e.streamMappings} stream mappings, Kinesis and DynamoDB alternately, each on its own stream or table, ` +
      `on ${new Set(account.streams.map((s) => s.fn)).size} functions (some read two). ` +
      `Stream mappings of opted-in functions lacking partial batch responses: these need both rules' fields (${e.mappingsUpdatedTwice} mappings).`,
  );
  out.push('');
  out.push(
    `**${e.asyncFunctions} functions invoked asynchronously**: ${asyncBy('SNS subscription')} by an SNS subscription (one topic each), ` +
      `${asyncBy('EventBridge rule')} by an EventBridge rule (on the default bus and on \`${CUSTOM_BUS}\`), ${asyncBy('S3 notification')} by an S3 bucket notification; ` +
      `${OTHER_RULES} more rules target a queue and ${OTHER_BUCKETS} more buckets notify nothing. Their event-invoke configs: ` +
      `${asyncConfig('none')} have none (2 retries over 6 h, then dropped), ${asyncConfig('retries and event age above the policy')} retry twice for 6 h ` +
      `(with a destination), ${asyncConfig('compliant')} are compliant.`,
  );
  out.push('');
  out.push(
    `Seeding took ${secs(input.seedMs)} (${SEED_CONCURRENCY} calls at a time); moto started in ${secs(input.emulatorStartMs)}.`,
  );
  out.push('');
  out.push(
    `Changes needed to converge, derived from the seeding alone: **${e.writes}** writes as edaguard makes them, ${e.minWrites} at least: ` +
      `${e.createDlq} CreateQueue for the missing DLQs + ${e.setQueueAttributes} SetQueueAttributes (a RedrivePolicy per queue without a DLQ ` +
      `or with maxReceiveCount outside [3, 5], a VisibilityTimeout per queue below 6 × its consumer's timeout + batching window, ` +
      `a MessageRetentionPeriod per distinct DLQ keeping messages < 14 days); ${e.failureQueues} CreateQueue for the functions' on-failure queues; ` +
      `${e.mappingUpdates} UpdateEventSourceMapping (${e.mappingsToUpdate} mappings); ${e.putInvokeConfigs} PutFunctionEventInvokeConfig` +
      (e.alarmRule
        ? `; ${e.iteratorAlarms} PutMetricAlarm (an IteratorAge alarm per function reading a stream). `
        : '. ') +
      `${e.ticketMappings} mappings of functions that did not opt in lack partial batch responses: tickets, no write.`,
  );
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(
    '| phase | wall time | controller CPU | moto CPU | peak RSS (at start) | peak heap used (at start) | AWS reads (min) | AWS writes (min) | HTTP requests | Lambda requests, max in any 1 s |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of phases) {
    const t = totals(p.rows);
    const r = p.result;
    out.push(
      `| ${r.name} | ${secs(r.wallMs)} | ${secs(r.cpuMs)} | ${r.motoCpuMs !== undefined ? secs(r.motoCpuMs) : 'n/a'} | ` +
        `${mib(r.peakRssBytes)} (${mib(r.rssAtStartBytes)}) | ${mib(r.peakHeapBytes)} (${mib(r.heapAtStartBytes)}) | ` +
        `${t.reads} (${t.minReads}) | ${t.writes} (${t.minWrites}) | ${r.requests.length} | ${p.rate.requests}, ${p.rate.maxStarted.count} |`,
    );
  }
  out.push('');
  out.push(
    `Peak RSS of the bench process over the whole run (\`process.resourceUsage().maxRSS\`): ${mib(input.maxRssKiB * 1024)}. ` +
      'The same process seeds the account first, so each phase also shows RSS and heap sampled every 20 ms ' +
      '(`process.memoryUsage()`) with their values when the phase started. moto runs in its own process and is ' +
      "not counted in RSS; its CPU time is read from /proc. Both share the machine's cores, so wall time is " +
      `bounded by moto's latency as much as by the controller: discovery reads ${settings.readConcurrency} at a time, apply writes ` +
      `${settings.applyConcurrency} at a time, and Lambda requests wait for the rate limit (${rps}/s). ` +
      "moto's server also answers every request with `Connection: close`, so each call opens a new TCP connection " +
      '(against AWS the SDK keeps connections alive). Timings vary by tens of percent between runs on a shared machine ' +
      '(other work was running on it during this run). "HTTP requests" counts attempts (retries included); equal to the call count, it means no call was retried.',
  );
  out.push('');
  out.push('## Lambda request rate');
  out.push('');
  out.push(
    `Lambda's control-plane quota (about 15 requests/s per account and region, reads and writes together) is shared with deploy ` +
      `pipelines; edaguard limits its own Lambda requests to lambdaRequestsPerSecond (${rps} here). The bench times every Lambda HTTP ` +
      "request from the outside: a middleware in the deserialize step, which runs once per attempt after edaguard's rate limit " +
      '(finalizeRequest step) let it go. "max started in any 1 s" slides a 1-second window over those start times; "max completed" does the same with ' +
      'the CallCounter.onCall times (when each command finished). "span" runs from the first Lambda request to the end of the last.',
  );
  out.push('');
  out.push(
    '| phase | Lambda calls | HTTP requests | phase wall | calls / wall | span | requests / span | max started in any 1 s (window start) | max started in any 0.9 s | max completed in any 1 s | limit | result | seconds with only Lambda requests starting |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const p of phases) {
    const r = p.rate;
    out.push(
      `| ${p.result.name} | ${r.calls} | ${r.requests} | ${secs(r.wallMs)} | ${perSec(r.calls, r.wallMs)} | ${secs(r.spanMs)} (from ${secs(r.firstStartMs)}) | ` +
        `${perSec(r.requests, r.spanMs)} | ${r.maxStarted.count} (at ${secs(r.maxStarted.from)}) | ${r.maxStartedShort.count} | ${r.maxCompleted.count} | ${rps} | ` +
        `${r.maxStarted.count <= rps ? 'within' : '**exceeded**'} | ${r.lambdaOnlySeconds} |`,
    );
  }
  out.push('');
  if (phases.some((p) => p.rate.maxStarted.count > rps)) {
    out.push(
      `**More than ${rps} Lambda requests started within one second.** edaguard's limiter (src/aws/rateLimit.ts) is a p-queue ` +
        'with intervalCap and a 1000 ms interval in its default fixed-window mode: the count starts again at each window boundary, ' +
        'so requests started late in one window and early in the next fall within the same second. Counted per whole second ' +
        'from the phase start (below) the rate mostly holds; over a sliding second it does not.',
    );
    out.push('');
  }
  out.push(
    '"seconds with only Lambda requests starting": whole seconds of the phase in which Lambda requests started and no other ' +
      "service's request did: a lower bound on the time the phase spent on rate-limited Lambda requests alone.",
  );
  out.push('');
  out.push('Lambda requests started in each whole second of the phase (from the phase start):');
  out.push('');
  for (const p of phases) out.push(`- ${p.result.name}: ${p.rate.perSecond.join(' ')}`);
  out.push('');
  out.push('## Assertions');
  out.push('');
  out.push('| check | result | detail |');
  out.push('| --- | --- | --- |');
  for (const c of checks) out.push(`| ${c.name} | ${c.ok ? 'pass' : '**FAIL**'} | ${c.detail} |`);
  if (input.notes.length > 0) {
    out.push('');
    out.push('Calls that differ from what the design makes (reported, not asserted):');
    out.push('');
    for (const n of input.notes) out.push(`- ${n}`);
  }
  out.push('');
  out.push('## AWS calls per phase');
  out.push('');
  out.push(
    '"minimum" is the least any controller needs on real AWS: ⌈selected/100⌉ GetResources pages per selector query, one ' +
      'GetQueueAttributes per selected queue and per distinct existing DLQ they reference, the ' +
      'ListEventSourceMappings (100 a page) and ListFunctions (50 a page) pages, one GetFunctionEventInvokeConfig per selected ' +
      'function invoked asynchronously, the calls that find those callers (ListSubscriptions pages, ListEventBuses, ListRules per bus, ' +
      'ListTargetsByRule per rule, ListBuckets, GetBucketNotificationConfiguration per bucket), and one write per needed change. ' +
      'For Lambda, one read-back per write counts in the minimum (as the issue defines it: mapping updates and event-invoke configs ' +
      'take effect asynchronously); for SQS the read-backs are shown beyond the minimum, as in earlier runs of this bench. ' +
      '"expected by design" is what edaguard\'s discovery and apply are built to call against moto; a difference ' +
      'between it and "calls" is flagged. Reads are compared with the minimum as observed on moto, and with ' +
      "moto's paging replaced by AWS's (moto pages GetResources by 100 tags and does not page the Lambda lists). " +
      '"active" is when the first request of that operation started and the last one ended, in seconds from the phase start.',
  );
  for (const p of phases) {
    out.push('');
    out.push(`### ${p.result.name}`);
    out.push('');
    out.push(
      `Wall time ${secs(p.result.wallMs)}, CPU ${secs(p.result.cpuMs)}, peak RSS ${mib(p.result.peakRssBytes)}, peak heap used ${mib(p.result.peakHeapBytes)}.` +
        (p.summary
          ? ` Report summary: ${p.summary.resources} resources, ${p.summary.compliant} compliant, ${p.summary.fixed} fixed, ${p.summary.drifted} drifted, ${p.summary.failed} failed, ${p.summary.deferred} deferred, ${p.summary.tickets} tickets.`
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
      '`edaguard.dev/managed-by=edaguard` (queues edaguard created, which it may adopt and whose source it knows). ' +
      'On moto the selector queries also take more pages than on AWS: moto closes a page before it reaches 100 tags.',
  );
  out.push(
    "- **ListDeadLetterSourceQueues, one per selected queue lacking a DLQ**: a queue that is itself some queue's DLQ " +
      'must not get a DLQ of its own. Only queues without a (live) DLQ pay this, so a converged account pays nothing.',
  );
  out.push(
    '- **GetQueueUrl, one per queue name edaguard would create** (DLQs and on-failure queues): CreateQueue on an existing name ' +
      'with the same attributes silently returns the existing queue, so edaguard checks first and never adopts a queue it did not create.',
  );
  out.push(
    '- **GetQueueAttributes read-back after each SQS write**: SQS attributes can take up to 60 s to become visible; ' +
      'each write is verified (up to verifyAttempts reads; moto shows them at once, so one each here).',
  );
  out.push(
    '- **Two UpdateEventSourceMapping (and two read-backs) on one mapping**: stream failure handling and partial batch ' +
      "responses are separate findings, each with its own write. One update carrying both rules' fields would do. On AWS an " +
      'update leaves the mapping `Updating` for a while, and Lambda documents ResourceConflictException ("another operation is ' +
      'in progress") for such overlaps; edaguard retries that verifyAttempts times, verifyDelayMs apart.',
  );
  if (e.alarmRule) {
    out.push(
      '- **DescribeAlarms read-back after each PutMetricAlarm**: each alarm edaguard puts is read back by name.',
      '- **A re-read before each SetQueueAttributes, UpdateEventSourceMapping and PutFunctionEventInvokeConfig**: ' +
        'SQS and Lambda have no conditional writes, so what a write would overwrite is read again just before it; a ' +
        'resource changed or deleted since discovery is deferred, never overwritten or recreated (README, "Concurrent changes").',
    );
  }
  out.push('');
  return `${out.join('\n')}`;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const runStart = performance.now();
  const account = describeAccount(N);
  const policyDir = await mkdtemp(path.join(os.tmpdir(), 'edaguard-bench-'));
  for (const file of EXAMPLE_POLICIES) await copyFile(file, path.join(policyDir, path.basename(file)));
  const policySet: PolicySet = await loadPolicyDir(policyDir);
  checkLambdaPolicy(policySet);
  const expected = expectedFor(account, {
    iteratorAgeAlarm: policySet.policies.some((p) => p.rules['stream-iterator-age-alarm'] !== undefined),
  });
  log(
    `edaguard bench: ${N} selected queues (${N - (account.mixCounts.get('compliant') ?? 0)} drifted), ` +
      `${account.dlqs.length} DLQs, ${account.others.length} other queues, ${expected.functions} functions ` +
      `(${expected.asyncFunctions} invoked asynchronously), ${expected.mappings} mappings ` +
      `(${expected.sqsMappings} SQS, ${expected.streamMappings} streams); ${expected.writes} writes needed (${expected.minWrites} at least)`,
  );

  let t = performance.now();
  const emulator: Emulator = await startEmulator({ timeoutMs: 60_000 });
  const emulatorStartMs = performance.now() - t;
  Object.assign(process.env, emulatorEnv(emulator.endpoint, REGION), {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const seeder = createSeeder(emulator.endpoint, REGION);
  const extra = extraSeedClients(emulator.endpoint);
  try {
    log(`moto on ${emulator.endpoint}; seeding...`);
    t = performance.now();
    await seedAccount(seeder, extra, account);
    const seedMs = performance.now() - t;
    log(`seeded in ${secs(seedMs)}`);

    const rpsFromEnv = (process.env.EDAGUARD_LAMBDA_RPS ?? '') !== '';
    const settings: RuntimeSettings = {
      ...resolveRuntimeSettings(
        {},
        {
          ...process.env,
          EDAGUARD_LAMBDA_RPS: rpsFromEnv ? process.env.EDAGUARD_LAMBDA_RPS : BENCH_LAMBDA_RPS,
        },
      ),
      maxChanges: MAX_CHANGES,
      verifyDelayMs: VERIFY_DELAY_MS,
    };
    const logger = pino({ level: process.env.EDAGUARD_LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const rps = settings.lambdaRequestsPerSecond;
    log(`Lambda rate limit: ${rps}/s${rpsFromEnv ? ' (EDAGUARD_LAMBDA_RPS)' : ' (bench default)'}`);

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

    const outcome = (
      model: PhaseModel,
      result: PhaseResult<unknown>,
      rest: Pick<PhaseOutcome, 'summary' | 'extra'>,
    ): PhaseOutcome => ({
      result,
      rows: rowsFor(model, result, expected),
      rate: lambdaRate(result),
      ...rest,
    });
    const phases: PhaseOutcome[] = [
      outcome({ phase: 'plan', converged: false, writes: false }, planPhase, {
        extra: `${planPhase.value.plan.findings.length} findings, ${planned.length} writes planned, ${planReadErrors} read errors.`,
      }),
      outcome({ phase: 'reconcile #1', converged: false, writes: true }, first, {
        summary: first.value.summary,
      }),
      outcome({ phase: 'reconcile #2', converged: true, writes: false }, second, {
        summary: second.value.summary,
      }),
    ];
    const firstO = phases[1] as PhaseOutcome;
    const [planT, , secondT] = phases.map((p) => totals(p.rows)) as [Totals, Totals, Totals];
    const plannedOf = (kind: string) => planned.filter((a) => a.kind === kind).length;

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
        name: 'reconcile #1 SQS writes = changes needed',
        ok:
          callsOf(firstO.rows, 'SQS.CreateQueue') === expected.createDlq + expected.failureQueues &&
          callsOf(firstO.rows, 'SQS.SetQueueAttributes') === expected.setQueueAttributes,
        detail:
          `CreateQueue ${callsOf(firstO.rows, 'SQS.CreateQueue')} (needed ${expected.createDlq} DLQs + ${expected.failureQueues} on-failure queues), ` +
          `SetQueueAttributes ${callsOf(firstO.rows, 'SQS.SetQueueAttributes')} (needed ${expected.setQueueAttributes})`,
      },
      {
        name: 'reconcile #1 Lambda writes = one per drifted finding (the design)',
        ok:
          callsOf(firstO.rows, 'Lambda.UpdateEventSourceMapping') === expected.mappingUpdates &&
          callsOf(firstO.rows, 'Lambda.PutFunctionEventInvokeConfig') === expected.putInvokeConfigs,
        detail:
          `UpdateEventSourceMapping ${callsOf(firstO.rows, 'Lambda.UpdateEventSourceMapping')} (design ${expected.mappingUpdates}, minimum ${expected.mappingsToUpdate} mappings), ` +
          `PutFunctionEventInvokeConfig ${callsOf(firstO.rows, 'Lambda.PutFunctionEventInvokeConfig')} (needed ${expected.putInvokeConfigs})`,
      },
      {
        name: 'reconcile #1 CloudWatch writes = alarms needed',
        ok: callsOf(firstO.rows, 'CloudWatch.PutMetricAlarm') === expected.iteratorAlarms,
        detail: `PutMetricAlarm ${callsOf(firstO.rows, 'CloudWatch.PutMetricAlarm')} (needed ${expected.iteratorAlarms})`,
      },
      {
        name: 'plan makes zero writes and plans exactly the needed changes',
        ok: planT.writes === 0 && planned.length === expected.writes && planReadErrors === 0,
        detail:
          `${planT.writes} write calls, ${planned.length} writes planned (needed ${expected.writes}: CreateQueue ${plannedOf('CreateQueue')}, ` +
          `SetQueueAttributes ${plannedOf('SetQueueAttributes')}, UpdateEventSourceMapping ${plannedOf('UpdateEventSourceMapping')}, ` +
          `PutFunctionEventInvokeConfig ${plannedOf('PutFunctionEventInvokeConfig')}, PutMetricAlarm ${plannedOf('PutMetricAlarm')}), ${planReadErrors} read errors`,
      },
      {
        name: 'reconcile #1 fixes everything (no failed, deferred or remaining drift)',
        ok: first.value.summary.failed + first.value.summary.deferred + first.value.summary.drifted === 0,
        detail: `failed ${first.value.summary.failed}, deferred ${first.value.summary.deferred}, drifted ${first.value.summary.drifted}, fixed ${first.value.summary.fixed}, tickets ${first.value.summary.tickets}`,
      },
      {
        name: 'reconcile #2 finds the account converged (only the expected tickets remain)',
        ok:
          second.value.summary.failed + second.value.summary.deferred + second.value.summary.drifted === 0 &&
          second.value.summary.fixed === 0 &&
          second.value.summary.tickets === expected.ticketMappings,
        detail: `fixed ${second.value.summary.fixed}, drifted ${second.value.summary.drifted}, failed ${second.value.summary.failed}, deferred ${second.value.summary.deferred}, tickets ${second.value.summary.tickets} (expected ${expected.ticketMappings})`,
      },
      ...phases.map(
        (p): Check => ({
          name: `${p.result.name}: Lambda requests started in any 1 s ≤ ${rps} (lambdaRequestsPerSecond)`,
          ok: p.rate.maxStarted.count <= rps,
          detail:
            `max ${p.rate.maxStarted.count} in the second from ${secs(p.rate.maxStarted.from)}; ${p.rate.requests} requests in ${secs(p.rate.spanMs)} ` +
            `(${perSec(p.rate.requests, p.rate.spanMs)} over the Lambda span, ${perSec(p.rate.calls, p.rate.wallMs)} over the phase)`,
        }),
      ),
    ];
    // Calls that differ from what the design makes are reported, not asserted: they are findings.
    const notes = phases.flatMap((p) =>
      p.rows
        .filter((r) => r.calls !== r.expected)
        .map((r) => `${p.result.name}: ${r.operation} ${r.calls} calls, design expects ${r.expected}`),
    );

    const maxRssKiB = process.resourceUsage().maxRSS;
    const totalMs = performance.now() - runStart;
    const markdown = renderMarkdown({
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
    await writeFile(OUTPUT, markdown);
    const trace = process.env.EDAGUARD_BENCH_TRACE;
    if (trace) {
      await writeFile(
        trace,
        JSON.stringify(
          Object.fromEntries(
            phases.map((p) => [
              p.result.name,
              { requests: p.result.requests, lambdaCompletions: p.result.lambdaCompletions },
            ]),
          ),
        ),
      );
    }

    log('');
    log(
      'phase         wall      ctl CPU   moto CPU  peak RSS   peak heap  reads (min)   writes (min)  HTTP   Lambda (max/1s)',
    );
    for (const p of phases) {
      const tt = totals(p.rows);
      const r = p.result;
      log(
        `${r.name.padEnd(13)} ${secs(r.wallMs).padStart(8)}  ${secs(r.cpuMs).padStart(8)}  ` +
          `${(r.motoCpuMs !== undefined ? secs(r.motoCpuMs) : 'n/a').padStart(8)}  ${mib(r.peakRssBytes).padStart(9)}  ` +
          `${mib(r.peakHeapBytes).padStart(9)}  ${`${tt.reads} (${tt.minReads})`.padEnd(12)}  ` +
          `${`${tt.writes} (${tt.minWrites})`.padEnd(12)}  ${String(r.requests.length).padEnd(5)}  ${p.rate.requests} (${p.rate.maxStarted.count})`,
      );
    }
    log(
      `process maxRSS ${mib(maxRssKiB * 1024)} (includes seeding; moto not counted); whole run ${secs(totalMs)}`,
    );
    for (const p of phases) {
      log(`\n${p.result.name} calls:`);
      for (const r of p.rows) {
        if (r.calls === 0 && r.minimum === 0 && r.expected === 0) continue;
        const active = r.active ? `  ${r.active[0].toFixed(1)}–${r.active[1].toFixed(1)} s` : '';
        log(
          `  ${r.operation.padEnd(40)} ${String(r.calls).padStart(6)}  min ${String(r.minimum).padStart(6)}  design ${String(r.expected).padStart(6)}` +
            `${r.notFound ? `  (${r.notFound} not found)` : ''}${r.errors ? `  (${r.errors} errors)` : ''}${active}`,
        );
      }
      log(`  Lambda starts per second: ${p.rate.perSecond.join(' ')}`);
    }
    log('');
    for (const c of checks) log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
    for (const n of notes) log(`NOTE  ${n}`);
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
