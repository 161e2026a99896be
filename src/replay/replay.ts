/**
 * `edaguard replay`: each Lambda on-failure record in the queue is re-delivered to its function;
 * a record leaves the queue only after Lambda accepted the re-delivery. Records that can no
 * longer be recovered (stream data expired or trimmed, payload missing, not a record at all) are
 * reported and left in the queue for a person.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { unqualifiedFunctionArn } from '../aws/arn.js';
import { describeQueue, nextReceiveSize, queueUrlOf, type SqsSender } from '../redrive/queues.js';
import { readDynamodbBatch } from './dynamodbStreamReader.js';
import { readKinesisBatch } from './kinesisReader.js';
import { dynamodbEvent, kinesisEvent } from './lambdaEvents.js';
import { type FailureRecord, parseFailureRecord } from './records.js';
import { type Delivery, invokeAsync, invokeWithBatch } from './redeliver.js';
import type { StreamClients } from './streamClients.js';

export interface ReplayClients {
  sqs: SqsSender;
  lambda: Pick<LambdaClient, 'send'>;
  streams: Pick<StreamClients, 'kinesis' | 'dynamodbStreams'>;
}

export interface ReplayOptions {
  queue: string;
  /** Re-deliver to this function (name, ARN, alias) instead of the record's, unqualified. */
  functionName?: string;
  dryRun: boolean;
  max?: number;
  endpoint?: string;
  signal?: AbortSignal;
  now?: () => Date;
  waitTimeSeconds?: number;
  /** How long a record stays hidden while it is re-delivered (a synchronous invoke can be long). */
  visibilityTimeoutSeconds?: number;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayProgress {
  received: number;
  replayed: number;
  left: number;
  expected: number;
}

export interface ReplayEntry {
  messageId: string;
  kind: FailureRecord['kind'] | 'unknown';
  functionName?: string;
  /** replayed: accepted and deleted; would-replay: dry run; left: still in the queue, with why. */
  outcome: 'replayed' | 'would-replay' | 'left';
  records?: number;
  reason?: string;
}

export interface ReplayResult extends ReplayProgress {
  queueArn: string;
  entries: ReplayEntry[];
  stoppedBy: 'empty' | 'max' | 'aborted';
}

/** The event to re-deliver, or why it cannot be rebuilt. */
async function rebuild(
  record: FailureRecord,
  streams: ReplayClients['streams'],
  now: Date,
): Promise<{ event: unknown; records: number } | { reason: string }> {
  if (record.kind === 'async') return { event: record.payload, records: 1 };
  const read =
    record.kind === 'kinesis'
      ? await readKinesisBatch(streams.kinesis, record.batch, now)
      : await readDynamodbBatch(streams.dynamodbStreams, record.batch, now);
  if (!read.ok) return { reason: read.reason ?? 'unrecoverable' };
  const event =
    record.kind === 'kinesis'
      ? kinesisEvent(read.records as Parameters<typeof kinesisEvent>[0], record.batch)
      : dynamodbEvent(read.records as Parameters<typeof dynamodbEvent>[0], record.batch);
  return { event, records: read.records.length };
}

async function deliver(lambda: ReplayClients['lambda'], record: FailureRecord, fn: string, event: unknown) {
  return record.kind === 'async' ? invokeAsync(lambda, fn, event) : invokeWithBatch(lambda, fn, event);
}

async function replayOne(
  clients: ReplayClients,
  message: Message,
  options: ReplayOptions,
  now: Date,
): Promise<ReplayEntry> {
  const messageId = message.MessageId ?? '?';
  const parsed = parseFailureRecord(message.Body ?? '');
  if (!parsed.ok) return { messageId, kind: 'unknown', outcome: 'left', reason: parsed.reason };
  const { record } = parsed;
  const functionName = options.functionName ?? unqualifiedFunctionArn(record.functionArn);
  const base = { messageId, kind: record.kind, functionName };
  const rebuilt = await rebuild(record, clients.streams, now);
  if ('reason' in rebuilt) return { ...base, outcome: 'left', reason: rebuilt.reason };
  if (options.dryRun) return { ...base, outcome: 'would-replay', records: rebuilt.records };
  let delivery: Delivery;
  try {
    delivery = await deliver(clients.lambda, record, functionName, rebuilt.event);
  } catch (error) {
    const e = error as { name?: string; message?: string };
    delivery = { accepted: false, reason: `${e.name ?? 'Error'}: ${e.message ?? ''}` };
  }
  if (!delivery.accepted)
    return { ...base, outcome: 'left', records: rebuilt.records, reason: delivery.reason ?? 'not accepted' };
  return { ...base, outcome: 'replayed', records: rebuilt.records };
}

export async function replayFailureQueue(
  clients: ReplayClients,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const queue = await describeQueue(
    clients.sqs,
    await queueUrlOf(clients.sqs, options.queue, options.endpoint),
  );
  const now = options.now ?? (() => new Date());
  const entries: ReplayEntry[] = [];
  const progress: ReplayProgress = { received: 0, replayed: 0, left: 0, expected: queue.approximateMessages };
  const hidden: Array<{ Id: string; ReceiptHandle: string }> = [];
  let stoppedBy: ReplayResult['stoppedBy'] = 'empty';
  try {
    for (;;) {
      const size = nextReceiveSize(options.signal, options.max, progress.received);
      if (typeof size === 'string') {
        stoppedBy = size;
        break;
      }
      const out = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: size,
          WaitTimeSeconds: options.waitTimeSeconds ?? 1,
          VisibilityTimeout: options.visibilityTimeoutSeconds ?? 900,
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      progress.received += messages.length;
      for (const message of messages) {
        // One record at a time: a record is deleted right after its own re-delivery was accepted.
        const entry = await replayOne(clients, message, options, now());
        entries.push(entry);
        if (entry.outcome === 'replayed') {
          await clients.sqs.send(
            new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle as string }),
          );
          progress.replayed += 1;
        } else {
          if (entry.outcome === 'left') progress.left += 1;
          hidden.push({ Id: `h${hidden.length}`, ReceiptHandle: message.ReceiptHandle as string });
        }
        options.onProgress?.({ ...progress });
      }
    }
  } finally {
    // What stays in the queue is visible again now, not after the long visibility timeout.
    for (let i = 0; i < hidden.length; i += 10) {
      await clients.sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queue.url,
            Entries: hidden.slice(i, i + 10).map((h) => ({ ...h, VisibilityTimeout: 0 })),
          }),
        )
        .catch(() => undefined);
    }
  }
  return { ...progress, queueArn: queue.arn, entries, stoppedBy };
}
