/**
 * `edaguard replay`: each Lambda on-failure record in the queue is re-delivered to its function;
 * a record leaves the queue only after Lambda accepted the re-delivery. Records that can no
 * longer be recovered (stream data expired or trimmed, payload missing, not a record at all) are
 * reported and left in the queue for a person, and so are records refused for safety (a function
 * that does not send its failures here, a stream in another account or region: see origin.ts).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Message } from '@aws-sdk/client-sqs';
import { unqualifiedFunctionArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import { describeQueue, nextReceiveSize, queueUrlOf, type SqsSender } from '../redrive/queues.js';
import { readDynamodbBatch } from './dynamodbStreamReader.js';
import { readKinesisBatch } from './kinesisReader.js';
import { dynamodbEvent, kinesisEvent } from './lambdaEvents.js';
import { OriginCheck, type OriginClients, streamRefusal } from './origin.js';
import { type FailureRecord, parseFailureRecord } from './records.js';
import { type Delivery, invokeAsync, invokeTimeoutMs, invokeWithBatch } from './redeliver.js';
import type { StreamClients } from './streamClients.js';

export interface ReplayClients extends OriginClients {
  sqs: SqsSender;
  /** Control-plane reads (destinations, the function's Timeout). */
  lambda: Pick<LambdaClient, 'send'>;
  /** Invokes: one attempt each (createInvokeClient). */
  invoker: Pick<LambdaClient, 'send'>;
  streams: Pick<StreamClients, 'kinesis' | 'dynamodbStreams'>;
}

/** Added to the function's Timeout for a synchronous Invoke's request timeout (init, network). */
export const DEFAULT_INVOKE_MARGIN_MS = 15_000;

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
  /** A synchronous Invoke waits the function's Timeout plus this (default 15 s). */
  invokeMarginMs?: number;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayProgress {
  received: number;
  replayed: number;
  left: number;
  /** Left in the queue, refused for safety (REPLAY_REFUSED). */
  refused: number;
  expected: number;
}

export interface ReplayEntry {
  messageId: string;
  kind: FailureRecord['kind'] | 'unknown';
  functionName?: string;
  /**
   * replayed: accepted and deleted; would-replay: dry run; left: still in the queue, with why;
   * refused: still in the queue, not replayed for safety (code REPLAY_REFUSED).
   */
  outcome: 'replayed' | 'would-replay' | 'left' | 'refused';
  code?: 'REPLAY_REFUSED';
  records?: number;
  reason?: string;
  /** The Invoke got no answer: the function may have run (the record stays). */
  mayHaveRun?: boolean;
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

interface RunContext {
  clients: ReplayClients;
  options: ReplayOptions;
  queueArn: string;
  origin: OriginCheck;
  /** Each function's invoke timeout, read once per run. */
  timeouts: Map<string, Promise<number>>;
}

async function deliver(
  run: RunContext,
  record: FailureRecord,
  fn: string,
  event: unknown,
): Promise<Delivery> {
  if (record.kind === 'async') return invokeAsync(run.clients.invoker, fn, event);
  let timeout = run.timeouts.get(fn);
  if (!timeout) {
    timeout = invokeTimeoutMs(run.clients.lambda, fn, run.options.invokeMarginMs ?? DEFAULT_INVOKE_MARGIN_MS);
    run.timeouts.set(fn, timeout);
  }
  return invokeWithBatch(run.clients.invoker, fn, event, await timeout);
}

/** Why the record may not be replayed as it is; undefined when it may. */
async function refusal(run: RunContext, record: FailureRecord): Promise<string | undefined> {
  const stream = streamRefusal(record, run.queueArn);
  if (stream) return stream;
  if (run.options.functionName !== undefined) return undefined; // the operator named the function
  const why = await run.origin.refusal(record);
  return why && `${why}; name the function with --function to replay it anyway`;
}

async function replayOne(run: RunContext, message: Message, now: Date): Promise<ReplayEntry> {
  const { clients, options } = run;
  const messageId = message.MessageId ?? '?';
  const parsed = parseFailureRecord(message.Body ?? '');
  if (!parsed.ok) return { messageId, kind: 'unknown', outcome: 'left', reason: parsed.reason };
  const { record } = parsed;
  const functionName = options.functionName ?? unqualifiedFunctionArn(record.functionArn);
  const base = { messageId, kind: record.kind, functionName };
  const refused = await refusal(run, record);
  if (refused) return { ...base, outcome: 'refused', code: 'REPLAY_REFUSED', reason: refused };
  const rebuilt = await rebuild(record, clients.streams, now);
  if ('reason' in rebuilt) return { ...base, outcome: 'left', reason: rebuilt.reason };
  if (options.dryRun) return { ...base, outcome: 'would-replay', records: rebuilt.records };
  let delivery: Delivery;
  try {
    delivery = await deliver(run, record, functionName, rebuilt.event);
  } catch (error) {
    // Before any Invoke was sent (reading the function's configuration).
    const e = error as { name?: string; message?: string };
    delivery = { accepted: false, reason: `${e.name ?? 'Error'}: ${e.message ?? ''}` };
  }
  if (!delivery.accepted)
    return {
      ...base,
      outcome: 'left',
      records: rebuilt.records,
      reason: delivery.reason ?? 'not accepted',
      ...(delivery.mayHaveRun ? { mayHaveRun: true } : {}),
    };
  return { ...base, outcome: 'replayed', records: rebuilt.records };
}

export async function replayFailureQueue(
  clients: ReplayClients,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const { ChangeMessageVisibilityBatchCommand, DeleteMessageCommand, ReceiveMessageCommand } =
    await sdk.sqs();
  const queue = await describeQueue(
    clients.sqs,
    await queueUrlOf(clients.sqs, options.queue, options.endpoint),
  );
  const now = options.now ?? (() => new Date());
  const entries: ReplayEntry[] = [];
  const progress: ReplayProgress = {
    received: 0,
    replayed: 0,
    left: 0,
    refused: 0,
    expected: queue.approximateMessages,
  };
  const run: RunContext = {
    clients,
    options,
    queueArn: queue.arn,
    origin: new OriginCheck(clients, queue.arn),
    timeouts: new Map(),
  };
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
        const entry = await replayOne(run, message, now());
        entries.push(entry);
        if (entry.outcome === 'replayed') {
          await clients.sqs.send(
            new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle as string }),
          );
          progress.replayed += 1;
        } else {
          if (entry.outcome === 'left') progress.left += 1;
          if (entry.outcome === 'refused') progress.refused += 1;
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
