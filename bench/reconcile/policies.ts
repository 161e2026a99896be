/** The bench's policies: the examples, copied verbatim, and a check that they are what the bench models. */
import { copyFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadPolicyDir } from '../../src/policy/loader.js';
import type { PolicySet } from '../../src/policy/model.js';
import type { ModeledRules } from './expectations.js';
import { EXAMPLE_POLICIES, LAMBDA_POLICY, POLICY } from './parameters.js';

/** Copies the example policies into a fresh directory (returned, for removal) and loads them. */
export async function loadBenchPolicies(): Promise<{
  dir: string;
  policySet: PolicySet;
  rules: ModeledRules;
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edaguard-bench-'));
  for (const file of EXAMPLE_POLICIES) await copyFile(file, path.join(dir, path.basename(file)));
  const policySet = await loadPolicyDir(dir);
  checkModeledRules(policySet);
  checkSqsPolicy(policySet);
  checkLambdaPolicy(policySet);
  const has = (id: 'stream-iterator-age-alarm' | 'esm-stream-failure-handling') =>
    policySet.policies.some((p) => p.rules[id] !== undefined);
  return {
    dir,
    policySet,
    rules: {
      iteratorAgeAlarm: has('stream-iterator-age-alarm'),
      streamFailureHandling: has('esm-stream-failure-handling'),
    },
  };
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

function checkModeledRules(policySet: PolicySet): void {
  for (const policy of policySet.policies) {
    for (const [id, settings] of Object.entries(policy.rules)) {
      if (settings !== undefined && !MODELED_RULES.has(id))
        throw new Error(`policy ${policy.name} has rule ${id}, which the bench does not model: extend it`);
    }
  }
}

/** The seeding's SQS drift mix is built around these settings of orders.yaml. */
function checkSqsPolicy(policySet: PolicySet): void {
  const rule = <R extends 'sqs-dead-letter-queue' | 'sqs-dlq-retention' | 'sqs-visibility-timeout'>(id: R) =>
    policySet.policies.find((p) => p.rules[id] !== undefined)?.rules[id];
  const dlq = rule('sqs-dead-letter-queue');
  const actual = {
    minReceive: dlq?.maxReceiveCount.min,
    maxReceive: dlq?.maxReceiveCount.max,
    minRetention: rule('sqs-dlq-retention')?.minSeconds,
    timeoutMultiple: rule('sqs-visibility-timeout')?.lambdaTimeoutMultiple,
    dlqSuffix: dlq?.create?.nameSuffix,
  };
  if (JSON.stringify(actual) !== JSON.stringify(POLICY)) {
    throw new Error(
      `examples/sandbox/policies/orders.yaml no longer matches the bench's expectations: ` +
        `${JSON.stringify(actual)} vs ${JSON.stringify(POLICY)}`,
    );
  }
}

/** The bench's expectations are derived from these settings: stop if the example policies changed. */
function checkLambdaPolicy(policySet: PolicySet): void {
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
