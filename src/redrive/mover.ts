/**
 * The receive → send → delete mover, for DLQs that StartMessageMoveTask does not serve (fed by a
 * Lambda on-failure destination or SNS) or endpoints without it. At-least-once: a message is
 * deleted from the DLQ only after the target acknowledged its copy, so an interruption at any
 * point leaves every message in the DLQ, in the target, or (between send and delete) in both.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
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

/** The copy of a received message: body, attributes and, for FIFO, group and deduplication ids. */
export function copyEntry(message: Message, id: string, target: QueueFacts): SendMessageBatchRequestEntry {
  const system = message.Attributes ?? {};
  const trace = system.AWSTraceHeader;
  return {
    Id: id,
    MessageBody: message.Body ?? '',
    ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
      ? { MessageAttributes: message.MessageAttributes }
      : {}),
    ...(trace
      ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } } }
      : {}),
    ...(target.fifo && system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
    ...(target.fifo && system.MessageDeduplicationId
      ? { MessageDeduplicationId: system.MessageDeduplicationId }
      : {}),
  };
}

interface Routed {
  message: Message;
  target: QueueFacts;
}

/** Sends one target's copies; returns the ids the target acknowledged and why the others failed. */
async function sendCopies(
  sqs: SqsSender,
  target: QueueFacts,
  entries: SendMessageBatchRequestEntry[],
): Promise<{ ok: Set<string>; failed: Map<string, string> }> {
  try {
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: target.url, Entries: entries }));
    return {
      ok: new Set((out.Successful ?? []).map((s) => s.Id as string)),
      failed: new Map((out.Failed ?? []).map((f) => [f.Id as string, `${f.Code}: ${f.Message ?? ''}`])),
    };
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    // Ten messages can exceed the batch size limit together while each fits alone.
    if (name === 'BatchRequestTooLong' && entries.length > 1) {
      const ok = new Set<string>();
      const failed = new Map<string, string>();
      for (const entry of entries) {
        const one = await sendCopies(sqs, target, [entry]);
        for (const id of one.ok) ok.add(id);
        for (const [id, why] of one.failed) failed.set(id, why);
      }
      return { ok, failed };
    }
    return {
      ok: new Set(),
      failed: new Map(entries.map((e) => [e.Id as string, `${name}: ${(error as Error).message}`])),
    };
  }
}

/**
 * FIFO: a group's copies after one that failed are not deleted either (they stay in the DLQ), and
 * the run stops, so the group's order in the target is never made worse by deleting past a gap.
 */
function keepFifoOrder(
  batch: Routed[],
  ids: string[],
  ok: Set<string>,
): { ok: Set<string>; broken: boolean } {
  const blocked = new Set<string>();
  const kept = new Set<string>();
  let broken = false;
  batch.forEach((item, i) => {
    const id = ids[i] as string;
    const group = `${item.target.url}|${item.message.Attributes?.MessageGroupId ?? ''}`;
    if (!item.target.fifo) {
      if (ok.has(id)) kept.add(id);
      return;
    }
    if (blocked.has(group)) return;
    if (ok.has(id)) kept.add(id);
    else {
      blocked.add(group);
      broken = true;
    }
  });
  return { ok: kept, broken };
}

export async function moveMessages(sqs: SqsSender, options: MoveOptions): Promise<MoveResult> {
  const progress: MoveProgress = {
    received: 0,
    moved: 0,
    failed: 0,
    duplicates: 0,
    expected: options.dlq.approximateMessages,
  };
  const failures: MoveFailure[] = [];
  const leftInFlight: Array<{ Id: string; ReceiptHandle: string }> = [];
  const startedAt = Date.now();
  let stoppedBy: MoveResult['stoppedBy'] = 'empty';
  try {
    for (;;) {
      const size = nextReceiveSize(options.signal, options.max, progress.received);
      if (typeof size === 'string') {
        stoppedBy = size;
        break;
      }
      // Rate: the next batch starts no earlier than the messages already handled allow.
      await sleep(startedAt + (progress.received / options.perSecond) * 1000 - Date.now(), options.signal);
      if (options.signal?.aborted) {
        stoppedBy = 'aborted';
        break;
      }
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
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      progress.received += messages.length;

      const batch: Routed[] = [];
      for (const message of messages) {
        const target = targetFor(options.routing, message.Attributes?.DeadLetterQueueSourceArn);
        if (target) batch.push({ message, target });
        else {
          progress.failed += 1;
          failures.push({
            messageId: message.MessageId ?? '?',
            reason: 'no DeadLetterQueueSourceArn to say which source queue it came from: use --to',
          });
          leftInFlight.push({
            Id: `u${leftInFlight.length}`,
            ReceiptHandle: message.ReceiptHandle as string,
          });
        }
      }
      const ids = batch.map((_, i) => `m${i}`);
      const byTarget = new Map<string, { target: QueueFacts; entries: SendMessageBatchRequestEntry[] }>();
      batch.forEach((item, i) => {
        const slot = byTarget.get(item.target.url) ?? { target: item.target, entries: [] };
        slot.entries.push(copyEntry(item.message, ids[i] as string, item.target));
        byTarget.set(item.target.url, slot);
      });
      const acknowledged = new Set<string>();
      const why = new Map<string, string>();
      for (const { target, entries } of byTarget.values()) {
        const sent = await sendCopies(sqs, target, entries);
        for (const id of sent.ok) acknowledged.add(id);
        for (const [id, reason] of sent.failed) why.set(id, reason);
      }
      const { ok, broken } = keepFifoOrder(batch, ids, acknowledged);
      await options.afterSend?.(ok.size);

      const toDelete: Array<{ Id: string; ReceiptHandle: string }> = [];
      batch.forEach((item, i) => {
        const id = ids[i] as string;
        if (ok.has(id)) toDelete.push({ Id: id, ReceiptHandle: item.message.ReceiptHandle as string });
        else {
          progress.failed += 1;
          failures.push({
            messageId: item.message.MessageId ?? '?',
            reason: why.get(id) ?? 'held back: an earlier message of its FIFO group was not moved',
          });
          leftInFlight.push({
            Id: `f${leftInFlight.length}`,
            ReceiptHandle: item.message.ReceiptHandle as string,
          });
          if (acknowledged.has(id)) progress.duplicates += 1;
        }
      });
      if (toDelete.length > 0) {
        const deleted = await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: options.dlq.url, Entries: toDelete }),
        );
        progress.moved += toDelete.length;
        // The copy is in the target and the original still in the DLQ: a duplicate, never a loss.
        progress.duplicates += (deleted.Failed ?? []).length;
      }
      options.onProgress?.({ ...progress });
      if (broken) {
        stoppedBy = 'fifo-order';
        break;
      }
    }
  } finally {
    await showAgain(sqs, options.dlq.url, leftInFlight);
  }
  return { ...progress, stoppedBy, failures };
}

/** Messages this run left in the DLQ become visible again now rather than after the timeout. */
async function showAgain(sqs: SqsSender, url: string, entries: Array<{ Id: string; ReceiptHandle: string }>) {
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
