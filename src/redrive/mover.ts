/**
 * The receive → send → delete mover, for DLQs that StartMessageMoveTask does not serve (fed by a
 * Lambda on-failure destination or SNS) or endpoints without it. At-least-once: a message is
 * deleted from the DLQ only after the target acknowledged its copy, so an interruption at any
 * point leaves every message in the DLQ, in the target, or (between send and delete) in both.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { sdk } from '../aws/sdk.js';
import { type Routed, sendInOrder } from './copies.js';
import { nextReceiveSize, type SqsSender } from './queues.js';
import { type Routing, targetFor } from './resolveTarget.js';
import type { QueueFacts } from './safety.js';

export interface MoveProgress {
  received: number;
  moved: number;
  /** Not moved this run, left in the DLQ (send refused, no known source, FIFO order kept). */
  failed: number;
  /** Copies acknowledged by the target whose DLQ delete failed: they will be moved again. */
  duplicates: number;
  /** The DLQ's approximate depth when the run started. */
  expected: number;
}

export interface MoveFailure {
  messageId: string;
  reason: string;
}

export interface MoveResult extends MoveProgress {
  stoppedBy: 'empty' | 'max' | 'aborted' | 'fifo-order';
  failures: MoveFailure[];
}

export interface MoveOptions {
  dlq: QueueFacts;
  routing: Routing;
  /** Stop after this many messages were received. */
  max?: number;
  /** Messages per second, across sends. */
  perSecond: number;
  /** ReceiveMessage long poll; an empty receive ends the run. */
  waitTimeSeconds: number;
  /** How long a received message stays hidden while its copy is sent (longer than one batch). */
  visibilityTimeoutSeconds: number;
  /** Stops before the next receive; the batch in flight is finished (its acknowledged copies deleted). */
  signal?: AbortSignal;
  onProgress?: (progress: MoveProgress) => void;
  /** Called after a batch's copies were acknowledged and before they are deleted from the DLQ. */
  afterSend?: (acknowledged: number) => void | Promise<void>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** What one run has done so far, shared by its batches. */
interface MoveRun {
  progress: MoveProgress;
  failures: MoveFailure[];
  /** Messages received but left in the DLQ: shown again when the run ends. */
  leftInFlight: Array<{ Id: string; ReceiptHandle: string }>;
}

export async function moveMessages(sqs: SqsSender, options: MoveOptions): Promise<MoveResult> {
  const run: MoveRun = {
    progress: { received: 0, moved: 0, failed: 0, duplicates: 0, expected: options.dlq.approximateMessages },
    failures: [],
    leftInFlight: [],
  };
  const startedAt = Date.now();
  let stoppedBy: MoveResult['stoppedBy'] = 'empty';
  try {
    for (;;) {
      const size = nextReceiveSize(options.signal, options.max, run.progress.received);
      if (typeof size === 'string') {
        stoppedBy = size;
        break;
      }
      // Rate: the next batch starts no earlier than the messages already handled allow.
      await sleep(
        startedAt + (run.progress.received / options.perSecond) * 1000 - Date.now(),
        options.signal,
      );
      if (options.signal?.aborted) {
        stoppedBy = 'aborted';
        break;
      }
      const messages = await receiveBatch(sqs, options, size);
      if (messages.length === 0) break;
      run.progress.received += messages.length;
      const { broken } = await moveBatch(sqs, options, run, messages);
      options.onProgress?.({ ...run.progress });
      if (broken) {
        stoppedBy = 'fifo-order';
        break;
      }
    }
  } finally {
    await showAgain(sqs, options.dlq.url, run.leftInFlight);
  }
  return { ...run.progress, stoppedBy, failures: run.failures };
}

async function receiveBatch(sqs: SqsSender, options: MoveOptions, size: number): Promise<Message[]> {
  const { ReceiveMessageCommand } = await sdk.sqs();
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: options.dlq.url,
      MaxNumberOfMessages: size,
      WaitTimeSeconds: options.waitTimeSeconds,
      VisibilityTimeout: options.visibilityTimeoutSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return received.Messages ?? [];
}

/** Records a message left in the DLQ (not moved this run) and why. */
function leaveInDlq(run: MoveRun, message: Message, reason: string, idPrefix: string) {
  run.progress.failed += 1;
  run.failures.push({ messageId: message.MessageId ?? '?', reason });
  run.leftInFlight.push({
    Id: `${idPrefix}${run.leftInFlight.length}`,
    ReceiptHandle: message.ReceiptHandle as string,
  });
}

/** Sends one batch's copies, then deletes from the DLQ exactly those the target acknowledged. */
async function moveBatch(
  sqs: SqsSender,
  options: MoveOptions,
  run: MoveRun,
  messages: Message[],
): Promise<{ broken: boolean }> {
  const { DeleteMessageBatchCommand } = await sdk.sqs();
  const batch = routeBatch(messages, options.routing, (message) =>
    leaveInDlq(
      run,
      message,
      'no DeadLetterQueueSourceArn to say which source queue it came from: use --to',
      'u',
    ),
  );
  const { acknowledged, why, broken } = await sendInOrder(sqs, batch, options.dlq.arn);
  await options.afterSend?.(acknowledged.size);

  const toDelete: Array<{ Id: string; ReceiptHandle: string }> = [];
  for (const { id, message } of batch) {
    if (acknowledged.has(id)) toDelete.push({ Id: id, ReceiptHandle: message.ReceiptHandle as string });
    else leaveInDlq(run, message, why.get(id) ?? 'not acknowledged', 'f');
  }
  if (toDelete.length > 0) {
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: options.dlq.url, Entries: toDelete }),
    );
    run.progress.moved += toDelete.length;
    // The copy is in the target and the original still in the DLQ: a duplicate, never a loss.
    run.progress.duplicates += (deleted.Failed ?? []).length;
  }
  return { broken };
}

/** Each message with its target; `unknown` gets those whose source queue cannot be known. */
function routeBatch(messages: Message[], routing: Routing, unknown: (message: Message) => void): Routed[] {
  const batch: Routed[] = [];
  for (const message of messages) {
    const target = targetFor(routing, message.Attributes?.DeadLetterQueueSourceArn);
    if (target) batch.push({ message, target, id: `m${batch.length}` });
    else unknown(message);
  }
  return batch;
}

/** Messages this run left in the DLQ become visible again now rather than after the timeout. */
async function showAgain(sqs: SqsSender, url: string, entries: Array<{ Id: string; ReceiptHandle: string }>) {
  const { ChangeMessageVisibilityBatchCommand } = await sdk.sqs();
  for (let i = 0; i < entries.length; i += 10) {
    try {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: entries.slice(i, i + 10).map((e) => ({ ...e, VisibilityTimeout: 0 })),
        }),
      );
    } catch {
      // Best effort: they reappear by themselves when the visibility timeout ends.
    }
  }
}
