import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copyEntry, redriveDeduplicationId } from '../../../src/redrive/copies.js';
import { createProgress } from '../../../src/redrive/progress.js';
import type { QueueFacts } from '../../../src/redrive/safety.js';

describe('createProgress', () => {
  it('not a terminal: one JSON line per update, nothing drawn', () => {
    const lines: string[] = [];
    const progress = createProgress({ command: 'redrive', tty: false, writeLine: (l) => lines.push(l) });
    progress.update({ done: 10, total: 25, moved: 10, failed: 0 });
    progress.update({ done: 25, total: 25, moved: 24, failed: 1 });
    progress.stop();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { progress: 'redrive', done: 10, total: 25, moved: 10, failed: 0 },
      { progress: 'redrive', done: 25, total: 25, moved: 24, failed: 1 },
    ]);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  it('a terminal: a bar on its stream, no JSON lines on stdout', () => {
    const lines: string[] = [];
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let drawn = '';
    stream.on('data', (c: Buffer) => {
      drawn += c.toString();
    });
    const progress = createProgress({
      command: 'redrive',
      tty: true,
      writeLine: (l) => lines.push(l),
      stream,
    });
    progress.update({ done: 3, total: 10, moved: 3 });
    progress.stop();
    expect(lines).toEqual([]);
    expect(drawn).toContain('redrive [');
    expect(drawn).toContain('moved=3');
  });
});

describe('copyEntry', () => {
  const standard: QueueFacts = {
    url: 'u',
    arn: 'arn:aws:sqs:us-east-1:1:t',
    fifo: false,
    approximateMessages: 0,
  };
  const fifo: QueueFacts = { ...standard, fifo: true };
  const message = {
    MessageId: 'dlq-message-1',
    Body: 'b',
    MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
    Attributes: { MessageGroupId: 'g', MessageDeduplicationId: 'd', AWSTraceHeader: 'Root=1-abc' },
  };

  const dlqArn = 'arn:aws:sqs:us-east-1:1:dlq.fifo';

  it('keeps body, attributes, the trace header and, for a FIFO target, the group with a fresh dedup id', () => {
    expect(copyEntry(message, 'm0', fifo, dlqArn)).toEqual({
      Id: 'm0',
      MessageBody: 'b',
      MessageAttributes: message.MessageAttributes,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' } },
      MessageGroupId: 'g',
      MessageDeduplicationId: redriveDeduplicationId(dlqArn, 'dlq-message-1', 'd'),
    });
    const copy = copyEntry(message, 'm1', standard, dlqArn);
    expect(copy.MessageGroupId).toBeUndefined();
    expect(copy.MessageDeduplicationId).toBeUndefined();
  });

  it('the dedup id is stable for one DLQ message, differs per DLQ and message, never the original, in the SQS alphabet', () => {
    const id = redriveDeduplicationId(dlqArn, 'm-1');
    expect(redriveDeduplicationId(dlqArn, 'm-1')).toBe(id);
    expect(redriveDeduplicationId(dlqArn, 'm-2')).not.toBe(id);
    expect(redriveDeduplicationId('arn:aws:sqs:us-east-1:1:other.fifo', 'm-1')).not.toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/);
    // An original that happens to equal the derived id still gets a different one.
    const clash = redriveDeduplicationId(dlqArn, 'm-1', id);
    expect(clash).not.toBe(id);
    expect(clash).toMatch(/^[0-9a-f]{64}$/);
  });
});
