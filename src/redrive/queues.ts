import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseArn, sqsQueueUrlFromArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import { EdaguardError } from '../errors.js';
import { parseRedriveAllowPolicy, type QueueFacts } from './safety.js';

/** Only `send` is used: tests of the pure parts can pass a client mocked at this boundary. */
export type SqsSender = Pick<SQSClient, 'send'>;

export class QueueNotFoundError extends EdaguardError {
  constructor(queue: string, options?: { cause?: unknown }) {
    super('QUEUE_NOT_FOUND', `queue not found: ${queue}`, options);
  }
}

const isMissingQueue = (error: unknown) => {
  const name = (error as { name?: string }).name ?? '';
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
};

/** A queue named by URL, ARN or name, as an operator types it, to its URL. */
export async function queueUrlOf(sqs: SqsSender, queue: string, endpoint?: string): Promise<string> {
  const { GetQueueUrlCommand } = await sdk.sqs();
  if (/^https?:\/\//.test(queue)) return queue;
  if (queue.startsWith('arn:')) {
    if (parseArn(queue).service !== 'sqs')
      throw new EdaguardError('QUEUE_INVALID', `not an SQS queue: ${queue}`);
    return sqsQueueUrlFromArn(queue, endpoint);
  }
  try {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    if (!out.QueueUrl) throw new QueueNotFoundError(queue);
    return out.QueueUrl;
  } catch (error) {
    if (isMissingQueue(error)) throw new QueueNotFoundError(queue, { cause: error });
    throw error;
  }
}

/** The attributes a redrive decision needs, read once. */
export async function describeQueue(sqs: SqsSender, url: string): Promise<QueueFacts> {
  const { GetQueueAttributesCommand } = await sdk.sqs();
  try {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        // All, not a list of names: emulators that do not know RedriveAllowPolicy reject the name.
        AttributeNames: ['All'],
      }),
    );
    const attributes = out.Attributes ?? {};
    const arn = attributes.QueueArn;
    if (!arn) throw new QueueNotFoundError(url);
    return {
      url,
      arn,
      fifo: attributes.FifoQueue === 'true',
      redriveAllowPolicy: parseRedriveAllowPolicy(attributes.RedriveAllowPolicy),
      approximateMessages: Number(attributes.ApproximateNumberOfMessages ?? 0),
      approximateNotVisible: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } catch (error) {
    if (isMissingQueue(error)) throw new QueueNotFoundError(url, { cause: error });
    throw error;
  }
}

/** The queues whose redrive policy names this DLQ (SQS sources only: Lambda and SNS never appear). */
export async function deadLetterSourceQueueUrls(sqs: SqsSender, dlqUrl: string): Promise<string[]> {
  const { ListDeadLetterSourceQueuesCommand } = await sdk.sqs();
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sqs.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, MaxResults: 1000, NextToken }),
    );
    urls.push(...(out.queueUrls ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return urls;
}

/**
 * How many messages the next ReceiveMessage may take (at most 10), or why a draining run stops
 * before it: the run was aborted, or `max` messages were received already.
 */
export function nextReceiveSize(
  signal: AbortSignal | undefined,
  max: number | undefined,
  received: number,
): number | 'aborted' | 'max' {
  if (signal?.aborted) return 'aborted';
  const remaining = max === undefined ? 10 : max - received;
  return remaining <= 0 ? 'max' : Math.min(10, remaining);
}
