/** The Lambda side of the seeded account, as data: functions, their stream mappings, async callers. */
import type {
  AsyncConfig,
  AsyncSource,
  BucketSpec,
  Consumer,
  FunctionSpec,
  RuleSpec,
  StreamKind,
  StreamMappingSpec,
} from './account.js';
import { pad } from './account.js';
import {
  CONSUMER_FUNCTIONS,
  CUSTOM_BUS,
  FUNCTIONS,
  LAMBDA_POLICY,
  MAPPINGS,
  OTHER_BUCKETS,
  OTHER_RULES,
} from './parameters.js';

export function describeFunctions(): FunctionSpec[] {
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

/** Hands out the SQS consumers' mappings round-robin over the consumer functions. */
export class ConsumerPool {
  /** SQS mappings handed out so far. */
  count = 0;

  constructor(private readonly functions: readonly FunctionSpec[]) {}

  next(): Consumer {
    const fn = this.functions[this.count % this.functions.length] as FunctionSpec;
    const window = this.count % 3 === 0 ? 5 : 0;
    // A third of the SQS mappings already report batch item failures.
    const reportsBatchItemFailures = this.count % 3 === 1;
    this.count += 1;
    return { fn: fn.name, timeout: fn.timeout, window, reportsBatchItemFailures };
  }

  take(count: number): Consumer[] {
    return Array.from({ length: count }, () => this.next());
  }
}

/**
 * Stream mappings fill the mapping count: Kinesis and DynamoDB alternately, on the functions after
 * the SQS consumers; a fifth of those functions read two streams.
 */
export function describeStreams(
  functions: readonly FunctionSpec[],
  sqsMappings: number,
): StreamMappingSpec[] {
  const streamCount = MAPPINGS - sqsMappings;
  if (streamCount < 0) {
    throw new Error(
      `EDAGUARD_BENCH_MAPPINGS (${MAPPINGS}) is below the ${sqsMappings} SQS mappings the queues need`,
    );
  }
  const streamFunctions = Math.max(1, Math.ceil(streamCount * 0.8));
  if (CONSUMER_FUNCTIONS + streamFunctions > FUNCTIONS) {
    throw new Error(
      `EDAGUARD_BENCH_FUNCTIONS (${FUNCTIONS}) is too small for ${streamCount} stream mappings (needs ${CONSUMER_FUNCTIONS + streamFunctions})`,
    );
  }
  return Array.from({ length: streamCount }, (_, j): StreamMappingSpec => {
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
}

/** The EventBridge rules and S3 buckets that invoke the functions, and some that invoke none. */
export function describeAsyncCallers(functions: readonly FunctionSpec[]): {
  rules: RuleSpec[];
  buckets: BucketSpec[];
} {
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
  return { rules, buckets };
}
