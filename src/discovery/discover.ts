import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { parseArn, sqsQueueArn, unqualifiedFunctionArn } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { dlqNameFor, isValidQueueName } from '../policy/dlqName.js';
import type { PolicySet } from '../policy/model.js';
import { TAGS } from '../policy/schema.js';
import { policySelects } from '../policy/selectors.js';
import {
  type DlqNameCandidate,
  deepFreeze,
  type Inventory,
  type QueueConsumer,
  type QueueFacts,
  type ReadError,
  type TaggedResource,
  type Target,
} from './inventory.js';
import { listEventSourceMappings, listFunctions } from './lambda.js';
import { planReads } from './readPlan.js';
import { hasDeadLetterSources, queueNameExists, readQueue } from './sqs.js';
import { getTaggedResources, type TaggedArn } from './tagging.js';

export interface DiscoverOptions {
  region: string;
  endpoint?: string;
  /** Parallel SQS reads. */
  readConcurrency?: number;
  now?: () => Date;
  logger?: Logger;
}

function toReadError(resource: string, operation: string, error: unknown): ReadError {
  const e = error as { name?: string; message?: string };
  return { resource, operation, code: e.name ?? 'Error', message: e.message ?? String(error) };
}

/**
 * Reads what the policies need, and nothing else, into an immutable Inventory. Read-only: no
 * call here changes AWS state. A read that fails for one resource is recorded and the rest go on;
 * a failure of the tag queries themselves fails the cycle (there is nothing safe to plan on).
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
  const tagged: TaggedResource[] = [...byArn(selectorResults.flat())].map(([arn, tags]) => ({
    arn,
    type: 'sqs:queue' as const,
    tags,
  }));
  const selected = tagged.filter((r) => policySet.policies.some((p) => policySelects(p, r.type, r.tags)));
  const selectedArns = new Set(selected.map((r) => r.arn));
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

  await Promise.all(selected.map((r) => readInto(r.arn, { ...r.tags })));
  // A selected queue can vanish between the tag query and the read: it is simply gone.
  for (const r of selected) missingQueues.delete(r.arn);

  const dlqArns = new Set<string>();
  for (const queue of queues.values()) {
    if (!queue.redrivePolicy) continue;
    addSource(queue.redrivePolicy.deadLetterTargetArn, queue.arn);
    if (!queues.has(queue.redrivePolicy.deadLetterTargetArn))
      dlqArns.add(queue.redrivePolicy.deadLetterTargetArn);
  }
  await Promise.all([...dlqArns].map((arn) => readInto(arn, { ...knownTags(arn) })));

  // Queues that may need a new DLQ: make sure they are not DLQs themselves, and find out what
  // already exists under the DLQ names edaguard would use.
  const dlqNameCandidates = new Map<string, DlqNameCandidate>();
  const needingDlq = [...queues.values()].filter(
    (q) =>
      selectedArns.has(q.arn) &&
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
  const candidateNames = new Set<string>();
  for (const queue of needingDlq) {
    if (deadLetterSources.has(queue.arn)) continue;
    for (const suffix of readPlan.dlqSuffixes) {
      const name = dlqNameFor(queue.name, queue.fifo, suffix);
      if (isValidQueueName(name)) candidateNames.add(name);
    }
  }
  await Promise.all(
    [...candidateNames].map((name) =>
      limit(async () => {
        const arn = sqsQueueArn(target, name);
        try {
          const managedByUs = managedTags.has(arn);
          const exists = managedByUs || (await queueNameExists(aws.sqs, name));
          dlqNameCandidates.set(name, { name, arn, exists, managedByEdaguard: managedByUs });
          // An adoptable DLQ's retention is checked in the same cycle as its adoption.
          if (managedByUs && !queues.has(arn)) await readOne(arn, { ...(managedTags.get(arn) ?? {}) });
        } catch (error) {
          readErrors.push(toReadError(arn, 'GetQueueUrl', error));
        }
      }),
    ),
  );

  const consumers =
    readPlan.needsConsumers && selected.length > 0 ? await readConsumers(aws, queues) : undefined;

  return deepFreeze({
    target,
    readAt: (options.now?.() ?? new Date()).toISOString(),
    tagged,
    queues,
    missingQueues,
    deadLetterSources,
    ...(consumers ? { consumers } : {}),
    dlqNameCandidates,
    readErrors,
  } satisfies Inventory);
}

async function readConsumers(
  aws: AwsClients,
  queues: ReadonlyMap<string, QueueFacts>,
): Promise<Map<string, QueueConsumer[]>> {
  const [mappings, functions] = await Promise.all([
    listEventSourceMappings(aws.lambda),
    listFunctions(aws.lambda),
  ]);
  const timeouts = new Map(functions.map((f) => [f.FunctionArn ?? '', f.Timeout]));
  const consumers = new Map<string, QueueConsumer[]>();
  for (const m of mappings) {
    if (!m.EventSourceArn || !queues.has(m.EventSourceArn) || !m.FunctionArn || !m.UUID) continue;
    const timeout = timeouts.get(unqualifiedFunctionArn(m.FunctionArn));
    const list = consumers.get(m.EventSourceArn) ?? [];
    list.push({
      mappingUuid: m.UUID,
      functionArn: m.FunctionArn,
      ...(timeout !== undefined ? { functionTimeoutSeconds: timeout } : {}),
      maximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds ?? 0,
      ...(m.State ? { state: m.State } : {}),
    });
    consumers.set(m.EventSourceArn, list);
  }
  return consumers;
}

function targetOf(arns: string[], region: string): Target {
  const first = arns[0];
  if (!first) return { partition: 'aws', accountId: 'unknown', region };
  const arn = parseArn(first);
  return { partition: arn.partition, accountId: arn.accountId, region: arn.region || region };
}
