/** What converging the seeded account takes, derived from its description alone (not from edaguard). */
import { dlqNameFor, failureQueueNameFor } from '../../src/policy/dlqName.js';
import type { Account } from './account.js';
import { ASYNC_FAILURES, CUSTOM_BUS, LAMBDA_POLICY, POLICY, STREAM_FAILURES } from './parameters.js';
import { requiredVisibility } from './rules.js';

/** Which optional rules the loaded policies have: each adds reads or writes. */
export interface ModeledRules {
  iteratorAgeAlarm: boolean;
  /** esm-stream-failure-handling: discovery reads each Kinesis stream's retention. */
  streamFailureHandling: boolean;
}

export interface Expected {
  /** SQS writes needed to converge the queues, per operation. */
  createDlq: number;
  setQueueAttributes: number;
  /**
   * Queues with two SetQueueAttributes (a RedrivePolicy and a VisibilityTimeout, two findings):
   * the second finding's precondition is the first one's read-back.
   */
  queuesWrittenTwice: number;
  /** sqsVerification read-back: each SetQueueAttributes is read back in the cycle (default: the next cycle checks). */
  sqsReadBack: boolean;
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
  /**
   * Distinct Kinesis streams that stream mappings of selected functions read: one
   * DescribeStreamSummary each per discovery (their retention), when the stream rule is on.
   */
  kinesisStreams: number;
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
  /** Every queue of the seeded account, by name (what ListQueues lists before reconcile #1). */
  queueNames: string[];
  /** The names edaguard would create: DLQs of the queues lacking one, on-failure queues. */
  namesToCreate: string[];
}

export function expectedFor(
  account: Account,
  rules: ModeledRules,
  options: { sqsReadBack: boolean },
): Expected {
  const sqs = sqsChanges(account);
  const mappings = mappingChanges(account);
  const asyncFns = account.functions.filter((f) => f.async);
  // One on-failure queue per function, shared by its stream mappings and its async config.
  const failureQueueFns = new Set([
    ...mappings.failureQueueFns,
    ...asyncFns.filter((f) => f.async?.config === 'none').map((f) => f.name),
  ]);
  const putInvokeConfigs = asyncFns.filter((f) => f.async?.config !== 'compliant').length;
  const failureQueues = failureQueueFns.size;
  const sqsMappings = [...account.selected, ...account.others].flatMap((q) => q.consumers).length;
  const sqsWrites = sqs.createDlq + sqs.setQueueAttributes;
  const iteratorAlarms = rules.iteratorAgeAlarm ? new Set(account.streams.map((s) => s.fn)).size : 0;
  const otherWrites = failureQueues + putInvokeConfigs + iteratorAlarms;
  return {
    createDlq: sqs.createDlq,
    setQueueAttributes: sqs.setQueueAttributes,
    queuesWrittenTwice: sqs.queuesWrittenTwice,
    sqsReadBack: options.sqsReadBack,
    selected: account.selected.length,
    dlqsBefore: sqs.referencedDlqs,
    dlqsAfter: sqs.referencedDlqs + sqs.queuesWithoutDlq,
    queuesWithoutDlq: sqs.queuesWithoutDlq,
    mappings: sqsMappings + account.streams.length,
    sqsMappings,
    streamMappings: account.streams.length,
    kinesisStreams: rules.streamFailureHandling
      ? new Set(account.streams.filter((s) => s.source === 'kinesis').map((s) => s.sourceName)).size
      : 0,
    functions: account.functions.length,
    asyncFunctions: asyncFns.length,
    asyncWithoutConfig: asyncFns.filter((f) => f.async?.config === 'none').length,
    subscriptions: asyncFns.filter((f) => f.async?.source === 'SNS subscription').length,
    buses: new Set(['default', CUSTOM_BUS, ...account.rules.map((r) => r.bus)]).size,
    rules: account.rules.length,
    buckets: account.buckets.length,
    mappingUpdates: mappings.updates,
    mappingsToUpdate: mappings.toUpdate,
    mappingsUpdatedTwice: mappings.updatedTwice,
    putInvokeConfigs,
    failureQueues,
    alarmRule: rules.iteratorAgeAlarm,
    iteratorAlarms,
    ticketMappings: mappings.tickets,
    writes: sqsWrites + mappings.updates + otherWrites,
    minWrites: sqsWrites + mappings.toUpdate + otherWrites,
    selectorTagCounts: account.selected.map((q) => Object.keys(q.tags).length),
    functionTagCounts: account.functions.map((f) => Object.keys(f.tags).length),
    // edaguard tags each DLQ it creates with managed-by and dlq-for, each on-failure queue with
    // managed-by and failure-destination-for.
    managedTagCountsAfter: Array.from({ length: sqs.queuesWithoutDlq + failureQueues }, () => 2),
    queueNames: [
      ...[...account.selected, ...account.others, ...account.dlqs].map((q) => q.name),
      STREAM_FAILURES,
      ASYNC_FAILURES,
    ],
    namesToCreate: [
      ...account.selected.filter((q) => !q.dlq).map((q) => dlqNameFor(q.name, q.fifo, POLICY.dlqSuffix)),
      ...[...failureQueueFns].map((fn) => failureQueueNameFor(fn, LAMBDA_POLICY.failureSuffix)),
    ],
  };
}

/** The SQS writes the selected queues and their DLQs need (the SQS rules, as orders.yaml sets them). */
function sqsChanges(account: Account) {
  let createDlq = 0;
  let setQueueAttributes = 0;
  let queuesWrittenTwice = 0;
  const referenced = new Set<string>();
  const retentionOf = new Map(account.dlqs.map((d) => [d.name, d.retention]));
  for (const q of account.selected) {
    let redrive = false;
    if (!q.dlq) {
      createDlq += 1; // the DLQ
      setQueueAttributes += 1; // its RedrivePolicy
      redrive = true;
    } else {
      referenced.add(q.dlq);
      const count = q.maxReceiveCount ?? 0;
      if (count < POLICY.minReceive || count > POLICY.maxReceive) {
        setQueueAttributes += 1;
        redrive = true;
      }
    }
    if (q.consumers.length > 0 && (q.visibility ?? 30) < requiredVisibility(q.consumers)) {
      setQueueAttributes += 1;
      if (redrive) queuesWrittenTwice += 1;
    }
  }
  for (const dlq of referenced)
    if ((retentionOf.get(dlq) ?? 0) < POLICY.minRetention) setQueueAttributes += 1;
  return {
    createDlq,
    setQueueAttributes,
    queuesWrittenTwice,
    referencedDlqs: referenced.size,
    queuesWithoutDlq: account.selected.filter((q) => !q.dlq).length,
  };
}

/**
 * The mapping updates: partial batch responses where the function opted in (a ticket where it did
 * not), stream failure handling on every stream mapping that lacks it.
 */
function mappingChanges(account: Account) {
  const fnByName = new Map(account.functions.map((f) => [f.name, f]));
  const optedIn = (fn: string) => fnByName.get(fn)?.optedIn === true;
  const changes = {
    updates: 0,
    toUpdate: 0,
    updatedTwice: 0,
    tickets: 0,
    failureQueueFns: new Set<string>(),
  };
  for (const c of [...account.selected, ...account.others].flatMap((q) => q.consumers)) {
    if (c.reportsBatchItemFailures) continue;
    if (optedIn(c.fn)) {
      changes.updates += 1;
      changes.toUpdate += 1;
    } else changes.tickets += 1;
  }
  for (const s of account.streams) {
    const streamFix = s.kind !== 'compliant';
    const batchFix = !s.reportsBatchItemFailures && optedIn(s.fn);
    if (!s.reportsBatchItemFailures && !optedIn(s.fn)) changes.tickets += 1;
    if (s.kind === 'AWS defaults') changes.failureQueueFns.add(s.fn);
    changes.updates += Number(streamFix) + Number(batchFix);
    if (streamFix || batchFix) changes.toUpdate += 1;
    if (streamFix && batchFix) changes.updatedTwice += 1;
  }
  return changes;
}
