import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseArn, sqsQueueUrlFromArn } from '../aws/arn.js';
import type { QueueFacts, RedrivePolicy } from './inventory.js';

export function isQueueMissing(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
}

/** RedrivePolicy arrives as a JSON string, maxReceiveCount sometimes as a string inside it. */
export function parseRedrivePolicy(raw: string | undefined): RedrivePolicy | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof parsed.deadLetterTargetArn !== 'string' || parsed.deadLetterTargetArn === '') return undefined;
    const count = Number(parsed.maxReceiveCount);
    return {
      deadLetterTargetArn: parsed.deadLetterTargetArn,
      maxReceiveCount: Number.isFinite(count) ? count : 0,
    };
  } catch {
    return undefined;
  }
}

export function toQueueFacts(
  arn: string,
  url: string,
  attributes: Record<string, string>,
  tags: Record<string, string>,
): QueueFacts {
  const num = (key: string, fallback: number) => {
    const n = Number(attributes[key]);
    return attributes[key] !== undefined && Number.isFinite(n) ? n : fallback;
  };
  const redrivePolicy = parseRedrivePolicy(attributes.RedrivePolicy);
  const kmsMasterKeyId = attributes.KmsMasterKeyId || undefined;
  return {
    arn,
    url,
    name: parseArn(arn).resource,
    fifo: attributes.FifoQueue === 'true',
    tags,
    visibilityTimeout: num('VisibilityTimeout', 30),
    messageRetentionPeriod: num('MessageRetentionPeriod', 345_600),
    ...(redrivePolicy ? { redrivePolicy } : {}),
    ...(kmsMasterKeyId
      ? { kmsMasterKeyId, kmsDataKeyReusePeriodSeconds: num('KmsDataKeyReusePeriodSeconds', 300) }
      : {}),
    sqsManagedSseEnabled: attributes.SqsManagedSseEnabled === 'true',
    approximateNumberOfMessages: num('ApproximateNumberOfMessages', 0),
  };
}

/** One GetQueueAttributes(All); undefined when the queue does not exist. */
export async function readQueue(
  sqs: SQSClient,
  arn: string,
  tags: Record<string, string>,
  endpoint: string | undefined,
): Promise<QueueFacts | undefined> {
  const url = sqsQueueUrlFromArn(arn, endpoint);
  try {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    return toQueueFacts(arn, url, out.Attributes ?? {}, tags);
  } catch (error) {
    if (isQueueMissing(error)) return undefined;
    throw error;
  }
}

/** Whether some queue names this one as its DLQ (one page is enough to know). */
export async function hasDeadLetterSources(sqs: SQSClient, url: string): Promise<string[]> {
  const out = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: url, MaxResults: 10 }));
  return out.queueUrls ?? [];
}

/** Whether a queue of this name exists (an unmanaged one must not be adopted by CreateQueue). */
export async function queueNameExists(sqs: SQSClient, name: string): Promise<boolean> {
  try {
    await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return true;
  } catch (error) {
    if (isQueueMissing(error)) return false;
    throw error;
  }
}
