import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import type { RetryTiming } from '../aws/retry.js';
import type { PolicySet } from '../policy/model.js';
import { buildDlqGraph } from '../reconcile/dlqGraph.js';
import { readEdaguardAlarms } from './cloudwatch.js';
import { type Discovery, selectedArns } from './discoveryContext.js';
import { readDlqSourcesAndQueueNames } from './dlqSourceStage.js';
import type { DlqSourceStrategy } from './dlqSourceStrategy.js';
import { readTables } from './dynamodb.js';
import { listTaggedRules, readEventRulesAndDlqs } from './eventRules.js';
import { consumersOf } from './functionFacts.js';
import { deepFreeze, type Inventory, type ReadError } from './inventory.js';
import { listTaggedStreams, readStreams } from './kinesisStreams.js';
import { kmsKeysToRead, readKmsKeys } from './kmsKeys.js';
import { readFunctionDetails, readLambda } from './lambdaStage.js';
import { listTaggedPipes, selectedPipes } from './pipes.js';
import { QueueBook, readSelectedQueuesAndDlqs } from './queueReads.js';
import {
  planReads,
  queueNamesToLookUp,
  queuesToCheckForDeadLetterSources,
  topicDlqNamesToLookUp,
} from './readPlan.js';
import { createReadRunner } from './readRequeue.js';
import { selectedOfType, selectionOf } from './selection.js';
import { readTopicsAndDlqs } from './snsTopics.js';
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
  /**
   * For benches and tests only: how to learn which selected queues lacking a DLQ are DLQs, instead
   * of the cheaper one each cycle (chooseDlqSourceStrategy). `read-unread-attributes` lists the
   * account even where that cannot pay off, and falls back to ListDeadLetterSourceQueues when the
   * listing is incomplete. Not a setting: the CLI and the controller always choose.
   */
  dlqSourceStrategy?: DlqSourceStrategy;
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
  const [tagged, ignored, managed, streams, listedRules, pipeListing] = await Promise.all([
    Promise.all(readPlan.selectorQueries.map((q) => getTaggedResources(aws.tagging, q))),
    getTaggedResources(aws.tagging, readPlan.ignoredQuery),
    getTaggedResources(aws.tagging, readPlan.managedQuery),
    // Kinesis streams are selected from ListStreams and their own tags, not the tagging API.
    readPlan.needsStreamList ? listTaggedStreams(aws.kinesis, run, readErrors) : Promise.resolve([]),
    // EventBridge rules likewise, from ListRules and ListTagsForResource.
    readPlan.needsEventRules ? listTaggedRules(aws.eventbridge, run, readErrors) : Promise.resolve([]),
    // Pipes likewise, from ListPipes and DescribePipe (which also answers their source parameters).
    readPlan.needsPipes ? listTaggedPipes(aws.pipes, run, readErrors) : Promise.resolve(undefined),
  ]);
  const selector = [...tagged, streams, listedRules, pipeListing?.tagged ?? []];
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
    listedRules,
    pipes: pipeListing && selectedPipes(selectedOfType(selection, 'pipes:pipe'), pipeListing.described),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.dlqSourceStrategy ? { dlqSourceStrategy: options.dlqSourceStrategy } : {}),
  };
  return deepFreeze(await readAfterSelection(d, options.now?.() ?? new Date()));
}

/** The selected sources and what they read: queues and their DLQs, Lambda, tables, topics, rules, streams. */
async function readSources(d: Discovery, knownTags: (arn: string) => Readonly<Record<string, string>>) {
  const { selection, readPlan, queueReads } = d;
  const [, lambda, tables, alarms, topics, eventRules] = await Promise.all([
    readSelectedQueuesAndDlqs(queueReads, selectedOfType(selection, 'sqs:queue'), knownTags),
    readLambda(d),
    readSelectedTables(d),
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
    readPlan.needsEventRules ? readEventRulesAndDlqs(d, knownTags) : Promise.resolve(undefined),
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
  return { lambda, tables, alarms, topics, eventRules, functions, mappings, streamRetentionSeconds, streams };
}

/** The selected tables' settings; the DynamoDB client is not touched (nor its package loaded) when none is selected. */
function readSelectedTables(d: Discovery): ReturnType<typeof readTables> {
  const selected = selectedOfType(d.selection, 'dynamodb:table');
  return selected.length === 0
    ? Promise.resolve(new Map())
    : readTables(d.aws.dynamodb, selected, d.run, d.readErrors);
}

/**
 * A queue that an SNS subscription, an EventBridge target, a pipe, a mapping or an async config
 * sends its failures to is a DLQ (the DLQ graph): recorded as such, so no rule gives it a DLQ of
 * its own and no ListDeadLetterSourceQueues asks it. Returns the DLQs SNS and EventBridge deliver
 * to (their KMS keys may need a grant).
 */
function recordEdgeDlqs(d: Discovery, sources: Awaited<ReturnType<typeof readSources>>): string[] {
  const { book } = d.queueReads;
  const graph = buildDlqGraph({
    queues: book.queues,
    missingQueues: book.missingQueues,
    queueNameCandidates: new Map(),
    deadLetterSources: new Map(),
    ...(sources.topics ? { topics: sources.topics } : {}),
    ...(sources.eventRules ? { eventRules: sources.eventRules.rules } : {}),
    ...(d.pipes ? { pipes: d.pipes } : {}),
    mappings: sources.mappings,
    functions: sources.functions,
  });
  const delivered: string[] = [];
  for (const edge of graph.edges) {
    if (edge.kind === 'sqs-redrive' || edge.dlqType !== 'sqs:queue') continue;
    book.addSource(edge.dlq, edge.source);
    if (edge.kind === 'sns-subscription' || edge.kind === 'eventbridge-target') delivered.push(edge.dlq);
  }
  return delivered;
}

/** The stages after the tag queries, in the order their inputs become known. */
async function readAfterSelection(d: Discovery, readAt: Date): Promise<Inventory> {
  const { selection, readPlan, queueReads } = d;
  const { book } = queueReads;
  const knownTags = (arn: string) => selection.managedTags.get(arn) ?? selection.ignoredTags.get(arn) ?? {};
  const sources = await readSources(d, knownTags);
  const { lambda, tables, alarms, topics, eventRules, functions, mappings, streamRetentionSeconds, streams } =
    sources;
  const delivered = recordEdgeDlqs(d, sources);
  const keyRefs = readPlan.needsKmsKeys ? kmsKeysToRead(book.queues, delivered) : [];
  const kmsKeys = keyRefs.length > 0 ? readKmsKeys(d.aws.kms, keyRefs, d.run) : Promise.resolve(undefined);
  const needingDlq = queuesToCheckForDeadLetterSources(
    book.queues,
    selectedArns(d, 'sqs:queue'),
    book.deadLetterSources,
    book.missingQueues,
  );
  // Asked again once the dead-letter sources are known: a queue found to be a DLQ needs no name.
  const namesToLookUp = () => [
    ...new Set([
      ...queueNamesToLookUp({
        policies: d.policySet.policies,
        dlqSuffixes: readPlan.dlqSuffixes,
        needingDlq,
        deadLetterSources: book.deadLetterSources,
        functions,
        selectedFunctionArns: selectedArns(d, 'lambda:function'),
        mappings,
      }),
      ...(topics ? topicDlqNamesToLookUp(d.policySet.policies, topics, book.queues) : []),
      ...(eventRules?.dlqNames ?? []),
    ]),
  ];
  const { queueNameCandidates, dlqSources } = await readDlqSourcesAndQueueNames(d, needingDlq, namesToLookUp);
  const consumers =
    lambda && readPlan.needsMappings ? consumersOf(mappings, book.queues, functions) : undefined;
  const keys = await kmsKeys;
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
    ...(eventRules ? { eventRules: eventRules.rules } : {}),
    ...(d.pipes ? { pipes: d.pipes } : {}),
    ...(keys ? { kmsKeys: keys } : {}),
    ...(alarms ? { alarms } : {}),
    readErrors: d.readErrors,
    ...(dlqSources ? { dlqSources } : {}),
  };
}
