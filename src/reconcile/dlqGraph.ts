/**
 * The account's DLQ graph: every edge edaguard reads from a source to the SQS queue or SNS topic
 * that receives what the source could not deliver or process, and the edaguard alarms watching
 * that DLQ. Built once per cycle from the Inventory (pure); "is this a DLQ?" asks it.
 */
import type { AlarmFacts, Inventory } from '../discovery/inventory.js';

/** What the graph is built from: the Inventory, or the part of it discovery has read so far. */
export type DlqGraphFacts = Pick<
  Inventory,
  | 'queues'
  | 'missingQueues'
  | 'queueNameCandidates'
  | 'deadLetterSources'
  | 'topics'
  | 'eventRules'
  | 'pipes'
  | 'mappings'
  | 'functions'
  | 'alarms'
>;

export type DlqEdgeKind =
  | 'sqs-redrive'
  | 'sns-subscription'
  | 'eventbridge-target'
  | 'pipe'
  | 'mapping-on-failure'
  | 'async-on-failure';

export type DlqSourceType =
  | 'sqs:queue'
  | 'sns:topic'
  | 'events:rule'
  | 'pipes:pipe'
  | 'lambda:event-source-mapping'
  | 'lambda:function';

/** What receives the failures: only SQS queues and SNS topics count as dead-letter targets. */
export type DlqType = 'sqs:queue' | 'sns:topic';

/** Whether the DLQ exists: `unknown` when discovery did not read it (neither found nor missing). */
export type DlqExistence = boolean | 'unknown';

export interface DlqEdge {
  readonly kind: DlqEdgeKind;
  /** ARN of the source: queue, topic, rule, pipe, event source mapping or function. */
  readonly source: string;
  readonly sourceType: DlqSourceType;
  /** sns-subscription: the subscription's ARN. */
  readonly subscriptionArn?: string;
  /** eventbridge-target: the target's id and ARN. */
  readonly targetId?: string;
  readonly targetArn?: string;
  /** pipe and mapping-on-failure: the stream (or queue) read. */
  readonly eventSourceArn?: string;
  /** mapping-on-failure: the function the mapping invokes. */
  readonly functionArn?: string;
  /** ARN of the DLQ (an SQS queue or an SNS topic). */
  readonly dlq: string;
  readonly dlqType: DlqType;
  readonly dlqExists: DlqExistence;
  /** Names of the edaguard alarms (inventory.alarms) whose dimensions name the DLQ, sorted. */
  readonly alarms: readonly string[];
}

export interface DlqGraph {
  /** Sorted by source, DLQ, kind, then subscription / target / mapping detail. */
  readonly edges: readonly DlqEdge[];
  /** Every DLQ ARN some edge leads to. */
  readonly dlqs: ReadonlySet<string>;
}

type EdgeStart = Omit<DlqEdge, 'dlqType' | 'dlqExists' | 'alarms'>;

const serviceOf = (arn: string) => arn.split(':')[2];
const lastSegment = (arn: string) => arn.split(':').slice(5).join(':');

function dlqTypeOf(arn: string): DlqType | undefined {
  const service = serviceOf(arn);
  if (!arn.startsWith('arn:')) return undefined;
  return service === 'sqs' ? 'sqs:queue' : service === 'sns' ? 'sns:topic' : undefined;
}

/** From the queues read, the missing DLQs, and what exists under the names edaguard creates. */
function existenceOf(inventory: DlqGraphFacts, arn: string, type: DlqType): DlqExistence {
  if (type === 'sns:topic') return inventory.topics?.has(arn) ? true : 'unknown';
  if (inventory.queues.has(arn)) return true;
  if (inventory.missingQueues.has(arn)) return false;
  for (const candidate of inventory.queueNameCandidates.values())
    if (candidate.arn === arn) return candidate.exists;
  return 'unknown';
}

function watches(alarm: AlarmFacts, dlq: string, type: DlqType): boolean {
  const name = lastSegment(dlq);
  return type === 'sqs:queue'
    ? alarm.namespace === 'AWS/SQS' && alarm.dimensions.QueueName === name
    : alarm.namespace === 'AWS/SNS' && alarm.dimensions.TopicName === name;
}

/** Every edge's start, from each part of the inventory that names a dead-letter target. */
function edgeStarts(inventory: DlqGraphFacts): EdgeStart[] {
  const starts: EdgeStart[] = [];
  for (const q of inventory.queues.values()) {
    const dlq = q.redrivePolicy?.deadLetterTargetArn;
    if (dlq) starts.push({ kind: 'sqs-redrive', source: q.arn, sourceType: 'sqs:queue', dlq });
  }
  // Queues known to redrive to a DLQ without their own attributes read (ListDeadLetterSourceQueues,
  // or the dlq-for tag of a DLQ edaguard created for a queue).
  for (const [dlq, sources] of inventory.deadLetterSources) {
    for (const source of sources)
      if (serviceOf(source) === 'sqs' && !inventory.queues.has(source))
        starts.push({ kind: 'sqs-redrive', source, sourceType: 'sqs:queue', dlq });
  }
  for (const topic of inventory.topics?.values() ?? []) {
    for (const s of topic.subscriptions) {
      if (typeof s.deadLetterTargetArn !== 'string') continue;
      const { deadLetterTargetArn: dlq } = s;
      const via = s.pendingConfirmation ? {} : { subscriptionArn: s.arn };
      starts.push({ kind: 'sns-subscription', source: topic.arn, sourceType: 'sns:topic', ...via, dlq });
    }
  }
  for (const rule of inventory.eventRules?.values() ?? []) {
    for (const t of rule.targets) {
      if (!t.deadLetterArn) continue;
      const via = { targetId: t.id, targetArn: t.arn };
      starts.push({
        kind: 'eventbridge-target',
        source: rule.arn,
        sourceType: 'events:rule',
        ...via,
        dlq: t.deadLetterArn,
      });
    }
  }
  for (const pipe of inventory.pipes?.values() ?? []) {
    const dlq = pipe.streamSource?.deadLetterArn;
    if (dlq)
      starts.push({
        kind: 'pipe',
        source: pipe.arn,
        sourceType: 'pipes:pipe',
        eventSourceArn: pipe.sourceArn,
        dlq,
      });
  }
  for (const m of inventory.mappings) {
    if (!m.onFailureDestination) continue;
    starts.push({
      kind: 'mapping-on-failure',
      source: m.arn,
      sourceType: 'lambda:event-source-mapping',
      eventSourceArn: m.eventSourceArn,
      functionArn: m.functionArn,
      dlq: m.onFailureDestination,
    });
  }
  for (const fn of inventory.functions.values()) {
    const dlq = fn.eventInvokeConfig?.onFailureDestination;
    if (dlq) starts.push({ kind: 'async-on-failure', source: fn.arn, sourceType: 'lambda:function', dlq });
  }
  return starts;
}

const sortKey = (e: DlqEdge) =>
  [e.source, e.dlq, e.kind, e.subscriptionArn ?? '', e.targetId ?? '', e.eventSourceArn ?? ''].join('\u0000');

/**
 * The graph of every dead-letter edge in the inventory. Destinations that are not SQS queues or
 * SNS topics (a function, an event bus, an S3 bucket) are not dead-letter targets: no edge.
 */
export function buildDlqGraph(inventory: DlqGraphFacts): DlqGraph {
  const alarms = [...(inventory.alarms?.values() ?? [])];
  const edges: DlqEdge[] = [];
  for (const start of edgeStarts(inventory)) {
    const dlqType = dlqTypeOf(start.dlq);
    if (!dlqType) continue;
    const watching = alarms.filter((a) => watches(a, start.dlq, dlqType)).map((a) => a.name);
    edges.push({
      ...start,
      dlqType,
      dlqExists: existenceOf(inventory, start.dlq, dlqType),
      alarms: watching.sort(),
    });
  }
  const keyed = edges.map((e) => [sortKey(e), e] as const);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { edges: keyed.map(([, e]) => e), dlqs: new Set(edges.map((e) => e.dlq)) };
}

/** Whether some edge of the graph leads to `arn`: it is a DLQ (or an on-failure destination). */
export function isDeadLetterTarget(graph: DlqGraph, arn: string): boolean {
  return graph.dlqs.has(arn);
}

/** The edges that lead to `dlqArn`, in the graph's order. */
export function edgesInto(graph: DlqGraph, dlqArn: string): DlqEdge[] {
  return graph.edges.filter((e) => e.dlq === dlqArn);
}
