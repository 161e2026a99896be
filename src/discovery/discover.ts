import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import type { RetryTiming } from '../aws/retry.js';
import type { PolicySet } from '../policy/model.js';
import { findAsyncInvokers } from './asyncTriggers.js';
import { readEdaguardAlarms } from './cloudwatch.js';
import { readTables } from './dynamodb.js';
import { consumersOf, functionFactsOf, relevantMappings } from './functionFacts.js';
import {
  deepFreeze,
  type FunctionFacts,
  type Inventory,
  type MappingFacts,
  type ReadError,
} from './inventory.js';
import { listTaggedStreams, readStreams } from './kinesisStreams.js';
import { listEventSourceMappings, listFunctions, readEventInvokeConfigs } from './lambda.js';
import {
  QueueBook,
  type QueueReadContext,
  readDeadLetterSources,
  readQueueNameCandidates,
  readSelectedQueuesAndDlqs,
} from './queueReads.js';
import { toReadError } from './readErrors.js';
import {
  functionsNeedingInvokeConfig,
  mappingsNeedingStreamRetention,
  planReads,
  queueNamesToLookUp,
  queuesToCheckForDeadLetterSources,
  type ReadPlan,
  topicDlqNamesToLookUp,
} from './readPlan.js';
import { createReadRunner, type ReadRunner } from './readRequeue.js';
import { type Selection, selectedOfType, selectionOf } from './selection.js';
import { readTopicsAndDlqs } from './snsTopics.js';
import { readStreamRetentions } from './streamRetention.js';
import { getTaggedResources } from './tagging.js';

export interface DiscoverOptions {
  region: string;
  endpoint?: string;
  /** Parallel reads per service. */
  readConcurrency?: number;
  now?: () => Date;
  logger?: Logger;
  /** The cycle's deadline or shutdown: failed reads are not requeued once it aborts. */
  signal?: AbortSignal;
  /** Rounds a failed per-resource read gets after its first (default READ_REQUEUE_ROUNDS). */
  readRequeueRounds?: number;
  /** Backoff between those rounds (default: the SDK retries' default timing). */
  retryTiming?: RetryTiming;
  /** Waits between rounds; tests inject one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What every stage of one discovery shares. */
interface Discovery {
  readonly policySet: PolicySet;
  readonly aws: AwsClients;
  readonly readPlan: ReadPlan;
  readonly selection: Selection;
  /** Account-wide reads' fan-out (their failures fail the cycle; the clients retry them harder). */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Per-resource reads: requeued while they fail with a retryable error. */
  readonly run: ReadRunner;
  readonly queueReads: QueueReadContext;
  readonly readErrors: ReadError[];
}

/**
 * Reads what the policies need, and nothing else, into an immutable Inventory. Read-only: no
 * call here changes AWS state. The read plan (pure) decides each stage's reads from the policies
 * and the earlier stages' answers; the readers only read. A per-resource read that still fails
 * after its requeued rounds is recorded and the rest go on; a failure of the tag queries or of
 * the account-wide lists fails the cycle (there is nothing safe to plan on).
 */
export async function discover(
  policySet: PolicySet,
  aws: AwsClients,
  options: DiscoverOptions,
): Promise<Inventory> {
  const readPlan = planReads(policySet);
  const concurrency = options.readConcurrency ?? 8;
  const readErrors: ReadError[] = [];
  const run = createReadRunner({
    concurrency,
    ...(options.readRequeueRounds !== undefined ? { extraRounds: options.readRequeueRounds } : {}),
    ...(options.retryTiming ? { timing: options.retryTiming } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const [tagged, ignored, managed, streams] = await Promise.all([
    Promise.all(readPlan.selectorQueries.map((q) => getTaggedResources(aws.tagging, q))),
    getTaggedResources(aws.tagging, readPlan.ignoredQuery),
    getTaggedResources(aws.tagging, readPlan.managedQuery),
    // Kinesis streams are selected from ListStreams and their own tags, not the tagging API.
    readPlan.needsStreams ? listTaggedStreams(aws.kinesis, run, readErrors) : Promise.resolve([]),
  ]);
  const selector = [...tagged, streams];
  const selection = selectionOf(policySet.policies, { selector, ignored, managed }, options.region);
  const book = new QueueBook();
  book.addSourcesFromTags(selection.managedTags);
  const d: Discovery = {
    policySet,
    aws,
    readPlan,
    selection,
    limit: pLimit(concurrency),
    run,
    queueReads: { sqs: aws.sqs, endpoint: options.endpoint, run, book, readErrors },
    readErrors,
  };
  return deepFreeze(await readAfterSelection(d, options.now?.() ?? new Date()));
}

const selectedArns = (d: Discovery, type: 'sqs:queue' | 'lambda:function') =>
  new Set(selectedOfType(d.selection, type).map((r) => r.arn));

/** The stages after the tag queries, in the order their inputs become known. */
async function readAfterSelection(d: Discovery, readAt: Date): Promise<Inventory> {
  const { selection, readPlan, queueReads } = d;
  const { book } = queueReads;
  const knownTags = (arn: string) => selection.managedTags.get(arn) ?? selection.ignoredTags.get(arn) ?? {};
  const [, lambda, tables, alarms, topics] = await Promise.all([
    readSelectedQueuesAndDlqs(queueReads, selectedOfType(selection, 'sqs:queue'), knownTags),
    readLambda(d),
    readTables(d.aws.dynamodb, selectedOfType(selection, 'dynamodb:table'), d.run, d.readErrors),
    readPlan.needsAlarms ? readEdaguardAlarms(d.aws.cloudwatch) : Promise.resolve(undefined),
    readPlan.needsTopics
      ? readTopicsAndDlqs(
          queueReads,
          d.aws.sns,
          selectedOfType(selection, 'sns:topic'),
          selection.target,
          knownTags,
        )
      : Promise.resolve(undefined),
  ]);
  const { functions, mappings, streamRetentionSeconds } = await readFunctionDetails(d, lambda);
  const streams = readPlan.needsStreams
    ? await readStreams({
        kinesis: d.aws.kinesis,
        lambda: d.aws.lambda,
        selected: selectedOfType(selection, 'kinesis:stream'),
        knownRetentionSeconds: streamRetentionSeconds,
        run: d.run,
        readErrors: d.readErrors,
      })
    : undefined;

  const needingDlq = queuesToCheckForDeadLetterSources(
    book.queues,
    selectedArns(d, 'sqs:queue'),
    book.deadLetterSources,
    book.missingQueues,
  );
  await readDeadLetterSources(queueReads, needingDlq, selection.target);
  const names = queueNamesToLookUp({
    policies: d.policySet.policies,
    dlqSuffixes: readPlan.dlqSuffixes,
    needingDlq,
    deadLetterSources: book.deadLetterSources,
    functions,
    selectedFunctionArns: selectedArns(d, 'lambda:function'),
    mappings,
  });
  const topicNames = topics ? topicDlqNamesToLookUp(d.policySet.policies, topics, book.queues) : [];
  const queueNameCandidates = await readQueueNameCandidates(
    queueReads,
    [...new Set([...names, ...topicNames])],
    selection.target,
    selection.managedTags,
  );
  const consumers =
    lambda && readPlan.needsMappings ? consumersOf(mappings, book.queues, functions) : undefined;
  return {
    target: selection.target,
    readAt: readAt.toISOString(),
    tagged: selection.tagged,
    queues: book.queues,
    missingQueues: book.missingQueues,
    deadLetterSources: book.deadLetterSources,
    ...(consumers ? { consumers } : {}),
    queueNameCandidates,
    functions,
    mappings,
    streamRetentionSeconds,
    tables,
    ...(streams ? { streams } : {}),
    ...(topics ? { topics } : {}),
    ...(alarms ? { alarms } : {}),
    readErrors: d.readErrors,
  };
}

interface LambdaLists {
  readonly mappings: Awaited<ReturnType<typeof listEventSourceMappings>>;
  readonly functions: Awaited<ReturnType<typeof listFunctions>>;
  readonly asyncInvokers: ReadonlyMap<string, readonly string[]>;
}

/** The account-wide Lambda lists (and async callers), when some selected resource needs them. */
async function readLambda(d: Discovery): Promise<LambdaLists | undefined> {
  const { readPlan, aws } = d;
  const selectedFunctions = selectedOfType(d.selection, 'lambda:function').length;
  const asyncInvokers =
    readPlan.needsAsyncInvokers && selectedFunctions > 0
      ? findAsyncInvokers(aws, d.limit)
      : Promise.resolve(new Map<string, string[]>());
  if (
    !readPlan.needsFunctions ||
    (selectedFunctions === 0 && selectedOfType(d.selection, 'sqs:queue').length === 0)
  ) {
    await asyncInvokers;
    return undefined;
  }
  const [mappings, functions, invokers] = await Promise.all([
    readPlan.needsMappings ? listEventSourceMappings(aws.lambda) : Promise.resolve([]),
    listFunctions(aws.lambda),
    asyncInvokers,
  ]);
  return { mappings, functions, asyncInvokers: invokers };
}

/**
 * Mappings and functions from the lists, then the per-function reads they call for: stream
 * retention (stream rule) and event-invoke configs (async rule), overlapping.
 */
async function readFunctionDetails(d: Discovery, lambda: LambdaLists | undefined) {
  const { policies } = d.policySet;
  const selectedFunctions = selectedOfType(d.selection, 'lambda:function');
  const selectedFunctionArns = new Set(selectedFunctions.map((r) => r.arn));
  const listed = relevantMappings(lambda?.mappings ?? [], selectedFunctionArns, selectedArns(d, 'sqs:queue'));
  const { mappings } = listed;
  const facts = functionFactsOf(
    lambda?.functions ?? [],
    selectedFunctions,
    mappings,
    lambda?.asyncInvokers ?? new Map(),
  );
  d.readErrors.push(...listed.readErrors, ...facts.readErrors);
  const functions: Map<string, FunctionFacts> = facts.functions;
  const selectedTags = new Map(selectedFunctions.map((r) => [r.arn, r.tags]));
  const [streamRetentionSeconds, withConfigs] = await Promise.all([
    readStreamRetentions(
      d.aws.kinesis,
      mappingsNeedingStreamRetention(policies, mappings, selectedTags),
      d.run,
      (m: MappingFacts, error) => d.readErrors.push(toReadError(m.arn, 'DescribeStreamSummary', error)),
    ),
    readEventInvokeConfigs(
      d.aws.lambda,
      functionsNeedingInvokeConfig(policies, functions, selectedFunctionArns),
      d.run,
      d.readErrors,
    ),
  ]);
  for (const fn of withConfigs) functions.set(fn.arn, fn);
  return { functions, mappings, streamRetentionSeconds };
}
