/**
 * The mover's sends: the copy of each received DLQ message, and the order they go out in so that
 * a FIFO group never gets a later message after an earlier one failed.
 */
import { createHash } from 'node:crypto';
import type { Message, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { sdk } from '../aws/sdk.js';
import type { SqsSender } from './queues.js';
import type { QueueFacts } from './safety.js';

/**
 * The MessageDeduplicationId of a FIFO copy. Never the original's: a FIFO queue drops (and
 * acknowledges as "Successful") a send whose id it saw in the last 5 minutes, so reusing it would
 * lose a message redriven soon after it failed. Stable for one DLQ message (its DLQ's ARN and its
 * MessageId), so a re-run after a crash between send and delete is still deduplicated. 64 hex
 * characters: inside SQS's 128-character id alphabet.
 */
export function redriveDeduplicationId(dlqArn: string, messageId: string, original?: string): string {
  const id = createHash('sha256').update(`edaguard-redrive\n${dlqArn}\n${messageId}`).digest('hex');
  return id === original ? createHash('sha256').update(`${id}\n${dlqArn}`).digest('hex') : id;
}

/** The copy of a received message: body, attributes and, for FIFO, its group and a fresh deduplication id. */
export function copyEntry(
  message: Message,
  id: string,
  target: QueueFacts,
  dlqArn: string,
): SendMessageBatchRequestEntry {
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
    // Explicit for content-based deduplication too: the body's hash is the original's id.
    ...(target.fifo
      ? {
          ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
          MessageDeduplicationId: redriveDeduplicationId(
            dlqArn,
            message.MessageId ?? '',
            system.MessageDeduplicationId,
          ),
        }
      : {}),
  };
}

export interface Routed {
  message: Message;
  target: QueueFacts;
  /** The entry id in this batch's sends. */
  id: string;
}

const groupOf = (item: Routed) => `${item.target.url}|${item.message.Attributes?.MessageGroupId ?? ''}`;

/**
 * Rounds of sends: a FIFO group has at most one message per round, in received order; standard
 * targets' messages all go in the first round. So when a message fails, nothing after it in its
 * group has been sent yet.
 */
export function sendRounds(batch: Routed[]): Routed[][] {
  const rounds: Routed[][] = [];
  const seen = new Map<string, number>();
  for (const item of batch) {
    let round = 0;
    if (item.target.fifo) {
      const group = groupOf(item);
      round = seen.get(group) ?? 0;
      seen.set(group, round + 1);
    }
    const slot = rounds[round] ?? [];
    slot.push(item);
    rounds[round] = slot;
  }
  return rounds;
}

export interface SentBatch {
  /** Ids the target acknowledged. */
  acknowledged: Set<string>;
  /** Why each id was not acknowledged (refused, or held back behind a failure in its group). */
  why: Map<string, string>;
  /** A FIFO message failed: the run stops after this batch. */
  broken: boolean;
}

/**
 * Sends a received batch round by round. Once a FIFO message is refused, the later messages of
 * its group are not sent at all (they stay in the DLQ, in order).
 */
export async function sendInOrder(sqs: SqsSender, batch: Routed[], dlqArn: string): Promise<SentBatch> {
  const acknowledged = new Set<string>();
  const why = new Map<string, string>();
  const blocked = new Set<string>();
  for (const round of sendRounds(batch)) {
    const byTarget = new Map<string, { target: QueueFacts; items: Routed[] }>();
    for (const item of round) {
      if (item.target.fifo && blocked.has(groupOf(item))) {
        why.set(item.id, 'held back: an earlier message of its FIFO group was not moved');
        continue;
      }
      const slot = byTarget.get(item.target.url) ?? { target: item.target, items: [] };
      slot.items.push(item);
      byTarget.set(item.target.url, slot);
    }
    for (const { target, items } of byTarget.values()) {
      const sent = await sendCopies(
        sqs,
        target,
        items.map((item) => copyEntry(item.message, item.id, target, dlqArn)),
      );
      for (const item of items) {
        if (sent.ok.has(item.id)) acknowledged.add(item.id);
        else {
          why.set(item.id, sent.failed.get(item.id) ?? 'not acknowledged by the target');
          if (target.fifo) blocked.add(groupOf(item));
        }
      }
    }
  }
  return { acknowledged, why, broken: blocked.size > 0 };
}

/** Sends one target's copies; returns the ids the target acknowledged and why the others failed. */
async function sendCopies(
  sqs: SqsSender,
  target: QueueFacts,
  entries: SendMessageBatchRequestEntry[],
): Promise<{ ok: Set<string>; failed: Map<string, string> }> {
  const { SendMessageBatchCommand } = await sdk.sqs();
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
        for (const [id, reason] of one.failed) failed.set(id, reason);
      }
      return { ok, failed };
    }
    return {
      ok: new Set(),
      failed: new Map(entries.map((e) => [e.Id as string, `${name}: ${(error as Error).message}`])),
    };
  }
}
