import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../../src/aws/clients.js';
import { createRetryStrategy } from '../../../src/aws/retry.js';
import {
  type AttemptGuard,
  fenceWrites,
  type WriteAttempt,
  WriteRefusedError,
} from '../../../src/aws/writeFence.js';
import { EdaguardError } from '../../../src/errors.js';
import { type RecordingServer, startRecordingServer } from '../../support/recordingServer.js';

let server: RecordingServer | undefined;
let aws: AwsClients | undefined;
afterEach(async () => {
  aws?.destroy();
  aws = undefined;
  await server?.close();
  server = undefined;
});

const unavailable = { status: 503, body: { message: 'Service unavailable' } };
const created = { status: 200, body: { QueueUrl: 'http://127.0.0.1/123456789012/q' } };
const target = (r: { headers: Record<string, unknown> }) => String(r.headers['x-amz-target']);

/** Real clients against a local endpoint, their writes fenced by `beforeAttempt`. */
function fencedClients(
  url: string,
  beforeAttempt: (attempt: WriteAttempt, n: number) => AttemptGuard | Promise<AttemptGuard>,
) {
  const attempts: WriteAttempt[] = [];
  aws = createAwsClients({
    region: 'us-east-1',
    endpoint: url,
    maxAttempts: 3,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 5_000,
    retryTiming: { baseDelayMs: 1, throttlingBaseDelayMs: 2, maxDelayMs: 10 },
  });
  fenceWrites(aws, {
    beforeAttempt: async (attempt) => {
      attempts.push(attempt);
      return beforeAttempt(attempt, attempts.length);
    },
  });
  return { aws, attempts };
}

const open = (): AttemptGuard => ({ signal: new AbortController().signal, done: () => {} });

describe('the write fence (a middleware on every client)', () => {
  it('runs before every attempt of a write, retries included, with the input to be sent; never for a read', async () => {
    server = await startRecordingServer();
    server.route('POST', '/', (r) =>
      target(r).endsWith('ListQueues') ? { status: 200, body: { QueueUrls: [] } } : created,
    );
    server.script('POST', '/', unavailable, unavailable);
    const { aws, attempts } = fencedClients(server.url, open);
    await aws.sqs.send(new CreateQueueCommand({ QueueName: 'q', Attributes: { DelaySeconds: '1' } }));
    await aws.sqs.send(new ListQueuesCommand({}));
    expect(server.requests.map(target)).toEqual([
      'AmazonSQS.CreateQueue',
      'AmazonSQS.CreateQueue',
      'AmazonSQS.CreateQueue',
      'AmazonSQS.ListQueues',
    ]);
    expect(attempts).toHaveLength(3);
    expect(attempts[0]).toEqual({
      service: 'SQS',
      operation: 'CreateQueue',
      input: { QueueName: 'q', Attributes: { DelaySeconds: '1' } },
    });
  });

  it('a refused attempt is not sent, and not retried: the refusal is the error', async () => {
    server = await startRecordingServer();
    server.route('POST', '/', () => created);
    server.script('POST', '/', unavailable);
    const refusal = new WriteRefusedError('LEASE_LOST', 'lease lost');
    const { aws, attempts } = fencedClients(server.url, (_a, n) => {
      if (n === 2) throw refusal;
      return open();
    });
    await expect(aws.sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).rejects.toBe(refusal);
    expect(server.requests).toHaveLength(1);
    expect(attempts).toHaveLength(2);
  });

  it('an attempt in flight is aborted when its guard fires; the reason is the error, not retried', async () => {
    server = await startRecordingServer();
    server.route('POST', '/', () => new Promise((resolve) => setTimeout(() => resolve(created), 3_000)));
    const reason = new WriteRefusedError('LEASE_LOST', 'lost the lease while in flight');
    let finished = 0;
    const { aws } = fencedClients(server.url, () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 100);
      return { signal: controller.signal, done: () => (finished += 1) };
    });
    const t0 = performance.now();
    await expect(aws.sqs.send(new CreateQueueCommand({ QueueName: 'q' }))).rejects.toBe(reason);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
    expect(finished).toBe(1);
  });

  it('is the innermost middleware: after the retry, the signing and the rate limiter', () => {
    const { aws } = fencedClients('http://127.0.0.1:9', open);
    for (const stack of [
      aws.lambda.middlewareStack,
      aws.cloudwatch.middlewareStack,
      aws.sqs.middlewareStack,
    ]) {
      const order = stack.identify();
      expect(order.at(-1)).toBe('edaguardWriteFence - deserialize');
      const fence = order.indexOf('edaguardWriteFence - deserialize');
      expect(order.findIndex((m) => m.startsWith('retryMiddleware'))).toBeLessThan(fence);
      expect(order.findIndex((m) => m.startsWith('httpSigningMiddleware'))).toBeLessThan(fence);
    }
    const lambda = aws.lambda.middlewareStack.identify();
    expect(lambda.indexOf('edaguardRateLimit - deserialize')).toBeGreaterThanOrEqual(0);
    expect(lambda.indexOf('edaguardRateLimit - deserialize')).toBeLessThan(
      lambda.indexOf('edaguardWriteFence - deserialize'),
    );
  });
});

describe('the retry strategy and edaguard’s own errors', () => {
  it('never retries an EdaguardError raised in the stack, even one caused by a transient error', async () => {
    const strategy = createRetryStrategy(5);
    const first = await strategy.acquireInitialRetryToken('sqs');
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = new EdaguardError('LEASE_UNVERIFIED', 'could not check the lease', { cause });
    await expect(
      strategy.refreshRetryTokenForRetry(first, {
        errorType: 'TRANSIENT',
        error: error as unknown as Parameters<typeof strategy.refreshRetryTokenForRetry>[1]['error'],
      }),
    ).rejects.toThrow();
    // The same classification without our error is retried.
    await expect(
      strategy.refreshRetryTokenForRetry(first, { errorType: 'TRANSIENT' }),
    ).resolves.toBeDefined();
  });
});
