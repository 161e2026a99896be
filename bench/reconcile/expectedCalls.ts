/**
 * The calls each phase should make, per operation: the least any controller needs on real AWS
 * ("minimum"), what edaguard's design makes on moto ("expected") and on AWS ("expectedOnAws").
 */
import type { Expected } from './expectations.js';
import { motoGetResourcesPages, motoSnsPages, pages } from './paging.js';
import { PAGE } from './parameters.js';
import { modelQueueReads } from './queueReadsModel.js';

export interface CallSpec {
  operation: string;
  minimum: number;
  /** What the controller's design makes this phase call, on moto. */
  expected: number;
  /** The same, with real AWS page sizes instead of moto's. */
  expectedOnAws: number;
  note: string;
}

export interface PhaseModel {
  phase: 'plan' | 'reconcile #1' | 'reconcile #2';
  converged: boolean;
  writes: boolean;
}

export function expectedCalls(model: PhaseModel, e: Expected): CallSpec[] {
  return [
    ...taggingReads(model, e),
    ...sqsReads(model, e),
    ...lambdaReads(model, e),
    ...asyncCallerReads(e),
    ...alarmReads(model, e),
    ...kinesisReads(e),
    ...writes(model, e),
  ];
}

function taggingReads(model: PhaseModel, e: Expected): CallSpec[] {
  const managedTagCounts = model.converged ? e.managedTagCountsAfter : [];
  const selectorMoto = motoGetResourcesPages(e.selectorTagCounts);
  const selectorAws = pages(e.selected, PAGE.getResources);
  const functionsMoto = motoGetResourcesPages(e.functionTagCounts);
  const functionsAws = pages(e.functions, PAGE.getResources);
  const managedMoto = motoGetResourcesPages(managedTagCounts);
  const managedAws = pages(managedTagCounts.length, PAGE.getResources);
  return [
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
  ];
}

/** The SQS reads around writes, beyond the minimum. */
function sqsWriteReadsNote(e: Expected, readBacks: number, preconditions: number): string {
  const created = e.createDlq + e.failureQueues;
  const notReadBack = `the ${created} CreateQueue are not read back: CreateQueue fails unless the queue has exactly the attributes sent, so its answer is the read-back`;
  if (!e.sqsReadBack)
    return (
      `one re-read before each of the ${preconditions} SetQueueAttributes (precondition: not changed since discovery). ` +
      `None is read back in the cycle (sqsVerification next-cycle: SQS takes up to 60 s to show a change; the next cycle's discovery reads it); ${notReadBack}.`
    );
  return (
    `one read-back after each of the ${readBacks} SetQueueAttributes (sqsVerification read-back; ${notReadBack}), and one re-read before each ` +
    `SetQueueAttributes (precondition: not changed since discovery) except on the ${e.queuesWrittenTwice} queues written by two findings, ` +
    `where the first one's read-back is the second one's precondition (${preconditions}).`
  );
}

function sqsReads(model: PhaseModel, e: Expected): CallSpec[] {
  const dlqs = model.converged ? e.dlqsAfter : e.dlqsBefore;
  const lacking = model.converged ? 0 : e.queuesWithoutDlq;
  const w = model.writes;
  // Before a finding's writes, what each SetQueueAttributes would overwrite is read again. With
  // sqsVerification read-back, each is also read back, and that read-back is the precondition of
  // the finding just after on the same queue; by default the next cycle's discovery checks instead.
  const readBacks = w && e.sqsReadBack ? e.setQueueAttributes : 0;
  const shared = w && e.sqsReadBack ? e.queuesWrittenTwice : 0;
  const preconditionQueueReads = w ? e.setQueueAttributes - shared : 0;
  // Converged: every selected queue has a DLQ and no name is to be created, so none of these reads.
  const reads = (onMoto: boolean) =>
    modelQueueReads({
      queues: e.queueNames,
      readQueues: e.selected + dlqs,
      candidates: lacking,
      names: model.converged ? [] : e.namesToCreate,
      onMoto,
    });
  const moto = reads(true);
  const aws = reads(false);
  const accountPages = lacking > 0 ? pages(e.queueNames.length, 1000) : 0;
  const queueReads = e.selected + dlqs + readBacks + preconditionQueueReads;
  return [
    {
      operation: 'SQS.GetQueueAttributes',
      minimum: e.selected + dlqs,
      expected: queueReads + moto.unreadReads,
      expectedOnAws: queueReads + aws.unreadReads,
      note:
        `minimum: one per selected queue (${e.selected}) + one per distinct existing DLQ they reference (${dlqs}).` +
        (aws.unreadReads > 0
          ? ` Beyond the minimum on AWS: the RedrivePolicy of the ${aws.unreadReads} queues not read otherwise (strategy ${aws.strategy}: fewer calls than ${lacking} ListDeadLetterSourceQueues).`
          : '') +
        (w ? ` Beyond the minimum: ${sqsWriteReadsNote(e, readBacks, preconditionQueueReads)}` : ''),
    },
    {
      operation: 'SQS.ListQueues',
      minimum: accountPages,
      expected: moto.listQueues,
      expectedOnAws: aws.listQueues,
      note:
        lacking > 0
          ? `minimum ⌈${e.queueNames.length} queues/1,000⌉ = ${accountPages} page(s): the account's list shows the ${e.namesToCreate.length} names edaguard would create are free ` +
            `and, with the queues not read otherwise, which of the ${lacking} queues lacking a DLQ are DLQs. moto answers at most 1,000 queues without a NextToken, ` +
            'so edaguard takes such an answer as cut short and lists narrower QueueNamePrefixes for the names.'
          : 'converged: no queue lacks a DLQ and no name is to be created, so no listing.',
    },
    {
      operation: 'SQS.ListDeadLetterSourceQueues',
      minimum: 0,
      expected: moto.listDeadLetterSources,
      expectedOnAws: aws.listDeadLetterSources,
      note:
        `beyond the minimum: strategy ${moto.strategy} on moto (its account list is cut short), ${aws.strategy} on AWS; ` +
        `one per selected queue lacking a DLQ (${lacking}) when asked this way, so a queue that is itself a DLQ never gets one.`,
    },
  ];
}

function lambdaReads(model: PhaseModel, e: Expected): CallSpec[] {
  const w = model.writes;
  const mappingPages = pages(e.mappings, PAGE.mappings);
  const functionPages = pages(e.functions, PAGE.functions);
  const readBacks = (n: number) => (n > 0 ? ` + one read-back per write (${n})` : '');
  return [
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
      expected: e.asyncFunctions + (w ? e.putInvokeConfigs : 0),
      expectedOnAws: e.asyncFunctions + (w ? e.putInvokeConfigs : 0),
      note:
        `minimum: one per selected function invoked asynchronously (${e.asyncFunctions})${readBacks(w ? e.putInvokeConfigs : 0)}.` +
        (w
          ? ` edaguard re-reads each config before its Put (precondition, ${e.putInvokeConfigs}) and reads none back: Put answers with the config as stored, which is the read-back.`
          : '') +
        (model.converged ? '' : ` ${e.asyncWithoutConfig} of them have no config: "not found" answers.`),
    },
    {
      operation: 'Lambda.GetEventSourceMapping',
      minimum: w ? e.mappingsToUpdate : 0,
      expected: w ? e.mappingUpdates - e.mappingsUpdatedTwice : 0,
      expectedOnAws: w ? e.mappingUpdates - e.mappingsUpdatedTwice : 0,
      note: w
        ? `minimum one read-back per mapping changed (${e.mappingsToUpdate}). edaguard reads none back (UpdateEventSourceMapping answers with the mapping as updated: that is the read-back) ` +
          `and re-reads each mapping before its first update (precondition, ${e.mappingsToUpdate}); the second update of the ${e.mappingsUpdatedTwice} mappings updated twice starts from the first one's answer ` +
          'when it follows within 2 s (a remembered read stands in for no longer), else it reads again: up to ' +
          `${e.mappingsUpdatedTwice} more, depending on the order the two findings run in.`
        : 'read-back',
    },
  ];
}

/** The listings that find which functions SNS, EventBridge and S3 invoke. */
function asyncCallerReads(e: Expected): CallSpec[] {
  const subscriptionPages = pages(e.subscriptions, PAGE.subscriptions);
  return [
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
  ];
}

function alarmReads(model: PhaseModel, e: Expected): CallSpec[] {
  const w = model.writes;
  const existingAlarms = model.converged ? e.iteratorAlarms : 0;
  return [
    {
      operation: 'CloudWatch.DescribeAlarms',
      minimum: e.alarmRule ? pages(existingAlarms, 100) : 0,
      expected: e.alarmRule ? 1 + (w ? e.iteratorAlarms : 0) : 0,
      expectedOnAws: e.alarmRule ? pages(existingAlarms, 100) + (w ? e.iteratorAlarms : 0) : 0,
      note:
        `minimum ⌈${existingAlarms} alarms/100⌉ = ${pages(existingAlarms, 100)} page(s) of edaguard's alarms (by name prefix); moto does not page.` +
        (w ? ` Beyond the minimum: one read-back after each PutMetricAlarm (${e.iteratorAlarms}).` : ''),
    },
  ];
}

/** The retention of each Kinesis stream the stream rule governs (its record age must fit in it). */
function kinesisReads(e: Expected): CallSpec[] {
  return [
    {
      operation: 'Kinesis.DescribeStreamSummary',
      minimum: e.kinesisStreams,
      expected: e.kinesisStreams,
      expectedOnAws: e.kinesisStreams,
      note: `one per distinct Kinesis stream read by a stream mapping of a selected function (${e.kinesisStreams}), for its retention: esm-stream-failure-handling compares maxRecordAgeSeconds with it.`,
    },
  ];
}

function writes(model: PhaseModel, e: Expected): CallSpec[] {
  const w = model.writes;
  return [
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
}
