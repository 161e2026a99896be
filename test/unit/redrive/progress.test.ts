import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copyEntry } from '../../../src/redrive/mover.js';
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
    Body: 'b',
    MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
    Attributes: { MessageGroupId: 'g', MessageDeduplicationId: 'd', AWSTraceHeader: 'Root=1-abc' },
  };

  it('keeps body, attributes and the trace header; group and dedup ids only for a FIFO target', () => {
    expect(copyEntry(message, 'm0', fifo)).toEqual({
      Id: 'm0',
      MessageBody: 'b',
      MessageAttributes: message.MessageAttributes,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' } },
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd',
    });
    const copy = copyEntry(message, 'm1', standard);
    expect(copy.MessageGroupId).toBeUndefined();
    expect(copy.MessageDeduplicationId).toBeUndefined();
  });
});
