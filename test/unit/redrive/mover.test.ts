/**
 * The mover's FIFO sends, with the SQS client mocked at the client boundary by a small FIFO model
 * that deduplicates as SQS does: a send whose MessageDeduplicationId (or, with content-based
 * deduplication, body hash) the queue saw in the last 5 minutes is answered "Successful" and
 * dropped, whether or not the first message is still in the queue. moto only deduplicates
 * against messages it still stores (moto/sqs/models.py, Queue.add_message), so the common case
 * (the original was consumed or dead-lettered, then redriven within 5 minutes) needs this model.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redrive } from '../../../src/redrive/redrive.js';
import { ACCOUNT_URL, arnOf, fakeSqs, queueHandlers } from './fakeSqs.js';

interface Stored {
  MessageId: string;
  Body: string;
  Attributes: Record<string, string>;
  ReceiptHandle: string;
  hidden?: boolean;
}

type Entry = { Id: string; MessageBody: string; MessageGroupId?: string; MessageDeduplicationId?: string };

/** A FIFO DLQ and a FIFO target, the target remembering every deduplication id it saw. */
function fifoModel(options: {
  dlq: Stored[];
  /** Ids (or body hashes) the target saw in the last 5 minutes: the originals' sends. */
  seen?: string[];
  contentBased?: boolean;
  /** Bodies whose send the target refuses (per entry), once. */
  refuseOnce?: string[];
}) {
  const dlq = [...options.dlq];
  const target: Entry[] = [];
  const seen = new Set(options.seen ?? []);
  const refuse = new Set(options.refuseOnce ?? []);
  const batches: string[][] = [];
  const handlers = {
    ...queueHandlers(
      { 'ledger-dlq.fifo': { fifo: true, messages: dlq.length }, 'ledger.fifo': { fifo: true } },
      { 'ledger-dlq.fifo': ['ledger.fifo'] },
    ),
    ReceiveMessage: () => {
      const visible = dlq.filter((m) => !m.hidden).slice(0, 10);
      for (const m of visible) m.hidden = true;
      return { Messages: visible.map(({ hidden: _hidden, ...m }) => m) };
    },
    SendMessageBatch: (input: Record<string, unknown>) => {
      const entries = input.Entries as Entry[];
      batches.push(entries.map((e) => e.MessageBody));
      const Successful: Array<{ Id: string }> = [];
      const Failed: Array<{ Id: string; Code: string; SenderFault: boolean }> = [];
      for (const e of entries) {
        if (refuse.delete(e.MessageBody)) {
          Failed.push({ Id: e.Id, Code: 'InternalError', SenderFault: false });
          continue;
        }
        const dedup =
          e.MessageDeduplicationId ??
          (options.contentBased ? createHash('sha256').update(e.MessageBody).digest('hex') : undefined);
        if (!dedup) throw Object.assign(new Error('no dedup id'), { name: 'InvalidParameterValue' });
        if (!seen.has(dedup)) target.push(e);
        seen.add(dedup);
        Successful.push({ Id: e.Id });
      }
      return { Successful, Failed };
    },
    DeleteMessageBatch: (input: Record<string, unknown>) => {
      for (const e of input.Entries as Array<{ ReceiptHandle: string }>) {
        const i = dlq.findIndex((m) => m.ReceiptHandle === e.ReceiptHandle);
        if (i >= 0) dlq.splice(i, 1);
      }
      return { Successful: [], Failed: [] };
    },
    ChangeMessageVisibilityBatch: (input: Record<string, unknown>) => {
      for (const e of input.Entries as Array<{ ReceiptHandle: string }>) {
        const m = dlq.find((d) => d.ReceiptHandle === e.ReceiptHandle);
        if (m) m.hidden = false;
      }
      return { Successful: [], Failed: [] };
    },
  };
  return { ...fakeSqs(handlers), dlq, target, batches };
}

const dead = (id: string, body: string, group: string, dedup?: string): Stored => ({
  MessageId: id,
  Body: body,
  ReceiptHandle: `rh-${id}`,
  Attributes: {
    MessageGroupId: group,
    ...(dedup ? { MessageDeduplicationId: dedup } : {}),
    DeadLetterQueueSourceArn: arnOf('ledger.fifo'),
  },
});

const request = {
  dlq: `${ACCOUNT_URL}/ledger-dlq.fifo`,
  mode: 'mover' as const,
  dryRun: false,
  wait: true,
  perSecond: 10_000,
  waitTimeSeconds: 0,
};

describe('mover, FIFO deduplication (SQS client mocked: moto forgets ids of deleted messages)', () => {
  it('a message redriven within 5 minutes of its original send is delivered, not dropped as a duplicate', async () => {
    // The original "pay-1" reached ledger.fifo 2 minutes ago, failed, and was dead-lettered.
    const model = fifoModel({ dlq: [dead('x-1', 'pay-1', 'acct-a', 'dedup-pay-1')], seen: ['dedup-pay-1'] });
    const outcome = await redrive(model.sqs, request);
    expect(outcome.kind === 'mover' && outcome.result.moved).toBe(1);
    expect(model.dlq).toEqual([]);
    // The one copy is in the target: deleted from the DLQ only because it really arrived.
    expect(model.target.map((e) => e.MessageBody)).toEqual(['pay-1']);
    expect(model.target[0]?.MessageDeduplicationId).not.toBe('dedup-pay-1');
  });

  it('content-based deduplication: the copy carries an explicit id, so the same body is not dropped', async () => {
    const body = '{"order":7}';
    const model = fifoModel({
      dlq: [dead('x-7', body, 'acct-b')],
      seen: [createHash('sha256').update(body).digest('hex')],
      contentBased: true,
    });
    await redrive(model.sqs, request);
    expect(model.target.map((e) => e.MessageBody)).toEqual([body]);
    expect(model.dlq).toEqual([]);
  });

  it('a re-run after a crash between send and delete is still deduplicated: one copy in the target', async () => {
    const model = fifoModel({
      dlq: [dead('x-1', 'pay-1', 'acct-a', 'd-1'), dead('x-2', 'pay-2', 'acct-a', 'd-2')],
    });
    await expect(
      redrive(model.sqs, {
        ...request,
        afterSend: () => {
          throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(model.dlq).toHaveLength(2);
    for (const m of model.dlq) m.hidden = false; // their visibility timeout ends
    await redrive(model.sqs, request);
    expect(model.dlq).toEqual([]);
    expect(model.target.map((e) => e.MessageBody)).toEqual(['pay-1', 'pay-2']);
  });
});

describe('mover, FIFO order within a receive', () => {
  it('after a failed message nothing later of its group has been sent; other groups go on', async () => {
    const model = fifoModel({
      dlq: [
        dead('a0', 'a#0', 'a', 'da0'),
        dead('b0', 'b#0', 'b', 'db0'),
        dead('a1', 'a#1', 'a', 'da1'),
        dead('a2', 'a#2', 'a', 'da2'),
        dead('b1', 'b#1', 'b', 'db1'),
        dead('a3', 'a#3', 'a', 'da3'),
      ],
      refuseOnce: ['a#1'],
    });
    const first = await redrive(model.sqs, request);
    expect(first).toMatchObject({ kind: 'mover', result: { moved: 3, failed: 3, stoppedBy: 'fifo-order' } });
    const sent = model.batches.flat();
    expect(sent).not.toContain('a#2');
    expect(sent).not.toContain('a#3');
    expect(model.target.map((e) => e.MessageBody)).toEqual(['a#0', 'b#0', 'b#1']);
    // At most one message per group in each SendMessageBatch.
    for (const batch of model.batches)
      expect(new Set(batch.map((b) => b.split('#')[0])).size).toBe(batch.length);

    const second = await redrive(model.sqs, request);
    expect(second.kind === 'mover' && second.result.stoppedBy).toBe('empty');
    const inGroupA = model.target.map((e) => e.MessageBody).filter((b) => b.startsWith('a#'));
    expect(inGroupA).toEqual(['a#0', 'a#1', 'a#2', 'a#3']);
  });
});
