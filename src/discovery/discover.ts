import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { parseArn, resourceTypeOfArn, sqsQueueArn, unqualifiedFunctionArn } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { EdaguardError } from '../errors.js';
import { dlqNameFor, failureQueueNameFor, isValidQueueName } from '../policy/dlqName.js';
import type { Policy, PolicySet } from '../policy/model.js';
import type { ResourceType } from '../policy/schema.js';
import { MANAGED_BY_VALUE, TAGS } from '../policy/schema.js';
import { policySelects } from '../policy/selectors.js';
import { findAsyncInvokers } from './asyncTriggers.js';
import { readEdaguardAlarms } from './cloudwatch.js';
import { readTable } from './dynamodb.js';
import {
  deepFreeze,
  type FunctionFacts,
  type Inventory,
  type MappingFacts,
  type QueueConsumer,
  type QueueFacts,
  type QueueNameCandidate,
  type ReadError,
  type TableFacts,
  type TaggedResource,
  type Target,
} from './inventory.js';
import {
  functionTimeoutSeconds,
  listEventSourceMappings,
  listFunctions,
  mappingResourceArn,
  readEventInvokeConfig,
  toMappingFacts,
} from './lambda.js';
import { planReads } from './readPlan.js';
import { UnexpectedResponseError } from './shape.js';
import { hasDeadLetterSources, queueByName, readQueue } from './sqs.js';
import { readStreamRetentions } from './streamRetention.js';
import { getTaggedResources, type TaggedArn } from './tagging.js';

export interface DiscoverOptions {
  region: string;
  endpoint?: string;
  /** Parallel reads per service. */
  readConcurrency?: number;
  now?: () => Date;
  logger?: Logger;
}

function toReadError(resource: string, operation: string, error: unknown): ReadError {
  const e = error as { name?: string; message?: string };
  // AWS errors carry their code as the name; ours (an answer of unexpected shape) carry a code.
  const code = error instanceof EdaguardError ? error.code : (e.name ?? 'Error');
  return { resource, operation, code, message: e.message ?? String(error) };
}

/**
 * Reads what the policies need, and nothing else, into an immutable Inventory. Read-only: no
 * call here changes AWS state. A read that fails for one resource is recorded and the rest go on;
 * a failure of the tag queries or of the account-wide lists fails the cycle (there is nothing
 * safe to plan on).
 */
export async function discover(
  policySet: PolicySet,
  aws: AwsClients,
  options: DiscoverOptions,
): Promise<Inventory> {
  const readPlan = planReads(policySet);
  const limit = pLimit(options.readConcurrency ?? 8);
  const readErrors: ReadError[] = [];

  const [selectorResults, ignored, managed] = await Promise.all([
    Promise.all(readPlan.selectorQueries.map((q) => getTaggedResources(aws.tagging, q))),
    getTaggedResources(aws.tagging, readPlan.ignoredQuery),
    getTaggedResources(aws.tagging, readPlan.managedQuery),
  ]);
  const byArn = (list: TaggedArn[]) => new Map(list.map((r) => [r.arn, r.tags]));
  const ignoredTags = byArn(ignored);
  const managedTags = byArn(managed);
  const tagged: TaggedResource[] = [];
  for (const [arn, tags] of byArn(selectorResults.flat())) {
    const type = resourceTypeOfArn(arn);
    if (type) tagged.push({ arn, type, tags });
  }
  const selected = tagged.filter((r) => selectingPoliciesOf(policySet.policies, r.type, r.tags).length > 0);
  const selectedOfType = (type: ResourceType) => selected.filter((r) => r.type === type);
  const target = targetOf(
    [...tagged, ...managed].map((r) => r.arn),
    options.region,
  );

  const queues = new Map<string, QueueFacts>();
  const missingQueues = new Set<string>();
  const deadLetterSources = new Map<string, string[]>();
  const addSource = (dlq: string, source: string) => {
    const list = deadLetterSources.get(dlq) ?? [];
    if (!list.includes(source)) list.push(source);
    deadLetterSources.set(dlq, list);
  };
  for (const [arn, tags] of managedTags) {
    const source = tags[TAGS.dlqFor];
    if (source) addSource(arn, source);
  }
  const knownTags = (arn: string) => managedTags.get(arn) ?? ignoredTags.get(arn) ?? {};
  const readOne = async (arn: string, tags: Record<string, string>) => {
    try {
      const facts = await readQueue(aws.sqs, arn, tags, options.endpoint);
      if (facts) queues.set(arn, facts);
      else missingQueues.add(arn);
    } catch (error) {
      readErrors.push(toReadError(arn, 'GetQueueAttributes', error));
    }
  };
  const readInto = (arn: string, tags: Record<string, string>) => limit(() => readOne(arn, tags));

  const selectedQueues = selectedOfType('sqs:queue');
  const selectedQueueArns = new Set(selectedQueues.map((r) => r.arn));
  const readQueues = async () => {
    await Promise.all(selectedQueues.map((r) => readInto(r.arn, { ...r.tags })));
    // A selected queue can vanish between the tag query and the read: it is simply gone.
    for (const r of selectedQueues) missingQueues.delete(r.arn);
    const dlqArns = new Set<string>();
    for (const queue of queues.values()) {
      if (!queue.redrivePolicy) continue;
      addSource(queue.redrivePolicy.deadLetterTargetArn, queue.arn);
      if (!queues.has(queue.redrivePolicy.deadLetterTargetArn))
        dlqArns.add(queue.redrivePolicy.deadLetterTargetArn);
    }
    await Promise.all([...dlqArns].map((arn) => readInto(arn, { ...knownTags(arn) })));
  };

  const selectedFunctions = selectedOfType('lambda:function');
  const readLambda = async () => {
    if (!readPlan.needsFunctions || (selectedFunctions.length === 0 && selectedQueues.length === 0))
      return undefined;
    const [mappings, functions] = await Promise.all([
      readPlan.needsMappings ? listEventSourceMappings(aws.lambda) : Promise.resolve([]),
      listFunctions(aws.lambda),
    ]);
    return { mappings, functions };
  };
  const readTables = async () => {
    const tables = new Map<string, TableFacts>();
    await Promise.all(
      selectedOfType('dynamodb:table').map((r) =>
        limit(async () => {
          try {
            const facts = await readTable(aws.dynamodb, r.arn, { ...r.tags });
            if (facts) tables.set(r.arn, facts);
          } catch (error) {
            readErrors.push(toReadError(r.arn, 'DescribeTable', error));
          }
        }),
      ),
    );
    return tables;
  };
  const readAsyncInvokers = async () =>
    readPlan.needsAsyncInvokers && selectedFunctions.length > 0
      ? findAsyncInvokers(aws, limit)
      : new Map<string, string[]>();

  const readAlarms = async () => (readPlan.needsAlarms ? readEdaguardAlarms(aws.cloudwatch) : undefined);

  const [, lambda, tables, asyncInvokers, alarms] = await Promise.all([
    readQueues(),
    readLambda(),
    readTables(),
    readAsyncInvokers(),
    readAlarms(),
  ]);
  // Functions: the selected ones, and every function consuming a selected queue.
  const selectedFunctionArns = new Set(selectedFunctions.map((r) => r.arn));
  const mappings: MappingFacts[] = [];
  for (const m of lambda?.mappings ?? []) {
    const relevant = (functionArn: string | undefined, eventSourceArn: string | undefined) =>
      (functionArn !== undefined && selectedFunctionArns.has(unqualifiedFunctionArn(functionArn))) ||
      (eventSourceArn !== undefined && selectedQueueArns.has(eventSourceArn));
    try {
      const facts = toMappingFacts(m);
      if (facts && relevant(facts.functionArn, facts.eventSourceArn)) mappings.push(facts);
    } catch (error) {
      if (!(error instanceof UnexpectedResponseError)) throw error;
      // Without a FunctionArn nobody can tell whose it is: reported, in case it is ours.
      const resource = mappingResourceArn(m);
      if (resource && (!m.FunctionArn || relevant(m.FunctionArn, m.EventSourceArn)))
        readErrors.push(toReadError(resource, 'ListEventSourceMappings', error));
    }
  }
  const configs = new Map<string, FunctionConfiguration>(
    (lambda?.functions ?? []).map((f) => [f.FunctionArn ?? '', f]),
  );
  const functions = new Map<string, FunctionFacts>();
  const functionTags = new Map(selectedFunctions.map((r) => [r.arn, r.tags]));
  for (const arn of new Set([...selectedFunctionArns, ...mappings.map((m) => m.functionArn)])) {
    const config = configs.get(arn);
    if (!config) continue; // deleted since tagged, or in another account
    let timeoutSeconds: number;
    try {
      timeoutSeconds = functionTimeoutSeconds(arn, config);
    } catch (error) {
      readErrors.push(toReadError(arn, 'ListFunctions', error));
      continue;
    }
    functions.set(arn, {
      arn,
      name: config.FunctionName ?? parseArn(arn).resource.replace(/^function:/, ''),
      timeoutSeconds,
      tags: { ...(functionTags.get(arn) ?? {}) },
      asyncInvokers: asyncInvokers.get(arn) ?? [],
    });
  }

  // Stream retention, for the stream rule's record age: one read per Kinesis stream it governs.
  const streamRule = (m: MappingFacts) =>
    selectedFunctionArns.has(m.functionArn) &&
    selectingPoliciesOf(policySet.policies, 'lambda:function', functionTags.get(m.functionArn) ?? {}).some(
      (p) => p.rules['esm-stream-failure-handling'] !== undefined,
    );
  // Started now, awaited after the event-invoke configs: the two reads overlap.
  const streamRetentionRead = readStreamRetentions(
    aws.kinesis,
    mappings.filter(streamRule),
    limit,
    (m, error) => readErrors.push(toReadError(m.arn, 'DescribeStreamSummary', error)),
  );

  // Event-invoke configs: one call per function the async rule governs, never for the rest.
  const asyncPolicies = (fn: FunctionFacts) =>
    selectingPoliciesOf(policySet.policies, 'lambda:function', fn.tags).filter((p) => {
      const rule = p.rules['lambda-async-invoke-config'];
      return rule !== undefined && (rule.appliesTo === 'all-selected' || fn.asyncInvokers.length > 0);
    });
  await Promise.all(
    [...functions.values()]
      .filter((fn) => selectedFunctionArns.has(fn.arn) && asyncPolicies(fn).length > 0)
      .map((fn) =>
        limit(async () => {
          try {
            functions.set(fn.arn, {
              ...fn,
              eventInvokeConfig: await readEventInvokeConfig(aws.lambda, fn.arn),
            });
          } catch (error) {
            readErrors.push(toReadError(fn.arn, 'GetFunctionEventInvokeConfig', error));
          }
        }),
      ),
  );

  const streamRetentionSeconds = await streamRetentionRead;

  // Queues that may need a new DLQ: make sure they are not DLQs themselves.
  const needingDlq = [...queues.values()].filter(
    (q) =>
      selectedQueueArns.has(q.arn) &&
      !deadLetterSources.has(q.arn) &&
      (!q.redrivePolicy || missingQueues.has(q.redrivePolicy.deadLetterTargetArn)),
  );
  await Promise.all(
    needingDlq.map((queue) =>
      limit(async () => {
        try {
          const sources = await hasDeadLetterSources(aws.sqs, queue.url);
          for (const url of sources) addSource(queue.arn, sqsQueueArn(target, url.split('/').pop() ?? url));
        } catch (error) {
          readErrors.push(toReadError(queue.arn, 'ListDeadLetterSourceQueues', error));
        }
      }),
    ),
  );

  // What exists under the names of the queues edaguard may create this cycle.
  const candidateNames = new Set<string>();
  for (const queue of needingDlq) {
    if (deadLetterSources.has(queue.arn)) continue;
    for (const suffix of readPlan.dlqSuffixes) candidateNames.add(dlqNameFor(queue.name, queue.fifo, suffix));
  }
  for (const fn of functions.values()) {
    if (!selectedFunctionArns.has(fn.arn)) continue;
    for (const name of failureQueueNamesNeeded(
      fn,
      mappings,
      selectingPoliciesOf(policySet.policies, 'lambda:function', fn.tags),
    )) {
      candidateNames.add(name);
    }
  }
  const queueNameCandidates = new Map<string, QueueNameCandidate>();
  await Promise.all(
    [...candidateNames].filter(isValidQueueName).map((name) =>
      limit(async () => {
        const arn = sqsQueueArn(target, name);
        try {
          let tags = managedTags.get(arn);
          let exists = tags !== undefined;
          if (!exists) {
            const found = await queueByName(aws.sqs, name);
            exists = found.exists;
            if (found.exists && found.tags[TAGS.managedBy] === MANAGED_BY_VALUE) {
              tags = found.tags;
              const source = tags[TAGS.dlqFor];
              if (source) addSource(arn, source);
            }
          }
          const managedByUs = tags !== undefined;
          queueNameCandidates.set(name, { name, arn, exists, managedByEdaguard: managedByUs });
          // An adoptable DLQ's retention is checked in the same cycle as its adoption.
          if (managedByUs && !queues.has(arn)) await readOne(arn, { ...tags });
        } catch (error) {
          readErrors.push(toReadError(arn, 'GetQueueUrl', error));
        }
      }),
    ),
  );

  const consumers = lambda && readPlan.needsMappings ? consumersOf(mappings, queues, functions) : undefined;

  return deepFreeze({
    target,
    readAt: (options.now?.() ?? new Date()).toISOString(),
    tagged,
    queues,
    missingQueues,
    deadLetterSources,
    ...(consumers ? { consumers } : {}),
    queueNameCandidates,
    functions,
    mappings,
    streamRetentionSeconds,
    tables,
    ...(alarms ? { alarms } : {}),
    readErrors,
  } satisfies Inventory);
}

function selectingPoliciesOf(
  policies: readonly Policy[],
  type: ResourceType,
  tags: Readonly<Record<string, string>>,
) {
  return policies.filter((p) => policySelects(p, type, tags));
}

/** Names of the on-failure queues this function's policies would have edaguard create. */
function failureQueueNamesNeeded(
  fn: FunctionFacts,
  mappings: readonly MappingFacts[],
  policies: readonly Policy[],
): string[] {
  const needsStream = mappings.some(
    (m) =>
      m.functionArn === fn.arn &&
      (m.sourceKind === 'kinesis' || m.sourceKind === 'dynamodb') &&
      !m.onFailureDestination,
  );
  const names: string[] = [];
  for (const policy of policies) {
    const stream = policy.rules['esm-stream-failure-handling']?.onFailure;
    if (stream && 'create' in stream && needsStream)
      names.push(failureQueueNameFor(fn.name, stream.create.nameSuffix));
    const async = policy.rules['lambda-async-invoke-config']?.onFailure;
    if (
      async &&
      'create' in async &&
      fn.eventInvokeConfig !== undefined &&
      !fn.eventInvokeConfig?.onFailureDestination
    ) {
      names.push(failureQueueNameFor(fn.name, async.create.nameSuffix));
    }
  }
  return names;
}

function consumersOf(
  mappings: readonly MappingFacts[],
  queues: ReadonlyMap<string, QueueFacts>,
  functions: ReadonlyMap<string, FunctionFacts>,
): Map<string, QueueConsumer[]> {
  const consumers = new Map<string, QueueConsumer[]>();
  for (const m of mappings) {
    if (m.sourceKind !== 'sqs' || !queues.has(m.eventSourceArn)) continue;
    const timeout = functions.get(m.functionArn)?.timeoutSeconds;
    const list = consumers.get(m.eventSourceArn) ?? [];
    list.push({
      mappingUuid: m.uuid,
      functionArn: m.functionArn,
      ...(timeout !== undefined ? { functionTimeoutSeconds: timeout } : {}),
      maximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
      state: m.state,
    });
    consumers.set(m.eventSourceArn, list);
  }
  return consumers;
}

function targetOf(arns: string[], region: string): Target {
  const first = arns[0];
  if (!first) return { partition: 'aws', accountId: 'unknown', region };
  const arn = parseArn(first);
  return { partition: arn.partition, accountId: arn.accountId, region: arn.region || region };
}
