/**
 * Queue reads with the requeue: a GetQueueAttributes that fails with throttling is retried within
 * the same discovery and only one still failing after every round is the queue's read error. The
 * client answers from a script; the waits are injected.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { ReadError } from '../../../src/discovery/inventory.js';
import {
  QueueBook,
  readDeadLetterSources,
  readSelectedQueuesAndDlqs,
} from '../../../src/discovery/queueReads.js';
import { createReadRunner, READ_REQUEUE_ROUNDS } from '../../../src/discovery/readRequeue.js';
import { arnOf, queue, TARGET, urlOf } from '../fixtures.js';

const throttled = () =>
  Object.assign(new Error('slow down'), { name: 'RequestThrottled', $metadata: { httpStatusCode: 403 } });
const denied = () =>
  Object.assign(new Error('no'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
const attributes = (extra: Record<string, string> = {}) => ({
  Attributes: { VisibilityTimeout: '30', MessageRetentionPeriod: '345600', ...extra },
});

/** An SQS client whose answers per (operation, queue URL) are scripted in turn; the last repeats. */
function scriptedSqs(script: Record<string, Array<() => unknown>>) {
  const calls: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: { QueueUrl?: string } }) => {
      const key = `${command.constructor.name.replace(/Command$/, '')} ${command.input.QueueUrl}`;
      calls.push(key);
      const answers = script[key] ?? [];
      const answer = answers[Math.min(calls.filter((c) => c === key).length, answers.length) - 1];
      if (!answer) throw new Error(`unscripted ${key}`);
      return answer();
    },
  } as unknown as SQSClient;
  return { client, calls: (key: string) => calls.filter((c) => c === key).length };
}

function context(client: SQSClient) {
  const readErrors: ReadError[] = [];
  const run = createReadRunner({ concurrency: 2, sleep: async () => {} });
  return { sqs: client, endpoint: undefined, run, book: new QueueBook(), readErrors };
}

const fail = (error: () => Error) => () => {
  throw error();
};

describe('queue reads, requeued', () => {
  it('a queue throttled twice, then answering, is read with no read error; so is the DLQ it names', async () => {
    const redrive = JSON.stringify({ deadLetterTargetArn: arnOf('orders-dlq'), maxReceiveCount: 5 });
    const sqs = scriptedSqs({
      [`GetQueueAttributes ${urlOf('orders')}`]: [
        fail(throttled),
        fail(throttled),
        () => attributes({ RedrivePolicy: redrive }),
      ],
      [`GetQueueAttributes ${urlOf('orders-dlq')}`]: [fail(throttled), () => attributes()],
    });
    const ctx = context(sqs.client);
    await readSelectedQueuesAndDlqs(ctx, [{ arn: arnOf('orders'), type: 'sqs:queue', tags: {} }], () => ({}));
    expect(ctx.readErrors).toEqual([]);
    expect([...ctx.book.queues.keys()]).toEqual([arnOf('orders'), arnOf('orders-dlq')]);
    expect(ctx.book.deadLetterSources.get(arnOf('orders-dlq'))).toEqual([arnOf('orders')]);
    expect(sqs.calls(`GetQueueAttributes ${urlOf('orders')}`)).toBe(3);
  });

  it('a queue throttled in every round is one read error, after the first read and every round', async () => {
    const sqs = scriptedSqs({ [`GetQueueAttributes ${urlOf('orders')}`]: [fail(throttled)] });
    const ctx = context(sqs.client);
    await readSelectedQueuesAndDlqs(ctx, [{ arn: arnOf('orders'), type: 'sqs:queue', tags: {} }], () => ({}));
    expect(ctx.readErrors).toEqual([
      {
        resource: arnOf('orders'),
        operation: 'GetQueueAttributes',
        code: 'RequestThrottled',
        message: 'slow down',
      },
    ]);
    expect(sqs.calls(`GetQueueAttributes ${urlOf('orders')}`)).toBe(1 + READ_REQUEUE_ROUNDS);
  });

  it('ListDeadLetterSourceQueues: access denied is not asked again, a throttled one is', async () => {
    const sqs = scriptedSqs({
      [`ListDeadLetterSourceQueues ${urlOf('a')}`]: [fail(denied)],
      [`ListDeadLetterSourceQueues ${urlOf('b')}`]: [fail(throttled), () => ({ queueUrls: [urlOf('src')] })],
    });
    const ctx = context(sqs.client);
    await readDeadLetterSources(ctx, [queue('a'), queue('b')], TARGET);
    expect(ctx.readErrors.map((e) => [e.resource, e.operation, e.code])).toEqual([
      [arnOf('a'), 'ListDeadLetterSourceQueues', 'AccessDenied'],
    ]);
    expect(sqs.calls(`ListDeadLetterSourceQueues ${urlOf('a')}`)).toBe(1);
    expect(ctx.book.deadLetterSources.get(arnOf('b'))).toEqual([arnOf('src')]);
  });
});
