/** The bench's sizes and fixed settings; the sizes come from the environment (see main.ts). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

export const N = intEnv('EDAGUARD_BENCH_QUEUES', 1000, 20);
export const REGION = 'us-east-1';
export const SEED_CONCURRENCY = 16;
/** Functions that consume the SQS queues (a function consumes several queues). */
export const CONSUMER_FUNCTIONS = Math.max(5, Math.round(N / 20));
/** Every function in the account, all tagged team=orders (selected by the Lambda-side policy). */
export const FUNCTIONS = intEnv('EDAGUARD_BENCH_FUNCTIONS', Math.round(N / 2), CONSUMER_FUNCTIONS + 1);
/** Every event source mapping: the SQS consumers' mappings, then stream mappings up to this many. */
export const MAPPINGS = intEnv('EDAGUARD_BENCH_MAPPINGS', Math.round(N / 2), 1);
/** Queues of another team (not selected) that Lambda also consumes: they fill the mapping list. */
export const OTHER_QUEUES = Math.max(5, Math.round(N / 20));
/** EventBridge rules and S3 buckets that invoke no function: async-caller discovery reads them too. */
export const OTHER_RULES = 5;
export const OTHER_BUCKETS = 5;
export const CUSTOM_BUS = 'bench-bus';
/** Existing queues that compliant mappings and event-invoke configs send failures to (not edaguard's). */
export const STREAM_FAILURES = 'bench-stream-failures';
export const ASYNC_FAILURES = 'bench-async-failures';
export const MAX_CHANGES = 100_000;
export const VERIFY_DELAY_MS = 10;
export const READ_BOUND = 1.1;
/** Issue #15: the first reconcile reads at most this many times its minimum. */
export const FIRST_RECONCILE_READ_BOUND = 1.5;
/** Lambda's control-plane quota is ~15 requests/s; the settings allow at most 15. */
export const BENCH_LAMBDA_RPS = '15';

/** From examples/sandbox/policies/orders.yaml (copied verbatim into the bench's policy dir). */
export const POLICY = {
  minReceive: 3,
  maxReceive: 5,
  minRetention: 1_209_600,
  timeoutMultiple: 6,
  dlqSuffix: '-dlq',
};
/** From examples/sandbox/policies/orders-lambda.yaml (copied verbatim too); checked after loading. */
export const LAMBDA_POLICY = {
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
export const PAGE = { getResources: 100, mappings: 100, functions: 50, subscriptions: 100, rules: 100 };

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EXAMPLE_POLICIES = ['orders.yaml', 'orders-lambda.yaml'].map((f) =>
  path.join(ROOT, 'examples/sandbox/policies', f),
);
export const OUTPUT = path.join(ROOT, 'docs/benchmarks.md');
export const PYTHON = process.env.EDAGUARD_PYTHON ?? 'python3';
