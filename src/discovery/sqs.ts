import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseArn, sqsQueueUrlFromArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import type { QueueFacts, RedrivePolicy } from './inventory.js';
import { UnexpectedResponseError } from './shape.js';

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

/**
 * The RedrivePolicy as AWS must have written it, or the queue's UnexpectedResponseError:
 * treating a malformed one as "no DLQ" would create a DLQ and overwrite it.
 */
export function readRedrivePolicy(arn: string, raw: string | undefined): RedrivePolicy | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UnexpectedResponseError(
      arn,
      'RedrivePolicy',
      `is not JSON (${JSON.stringify(raw.slice(0, 80))})`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UnexpectedResponseError(arn, 'RedrivePolicy', 'is JSON but not an object');
  }
  const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
  if (typeof deadLetterTargetArn !== 'string' || !deadLetterTargetArn.startsWith('arn:')) {
    throw new UnexpectedResponseError(arn, 'RedrivePolicy.deadLetterTargetArn', 'is missing or not an ARN');
  }
  // SQS gives the count as a number or as a string of digits.
  const count =
    typeof maxReceiveCount === 'string' && /^\d+$/.test(maxReceiveCount)
      ? Number(maxReceiveCount)
      : maxReceiveCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new UnexpectedResponseError(
      arn,
      'RedrivePolicy.maxReceiveCount',
      `is ${maxReceiveCount === undefined ? 'missing' : JSON.stringify(maxReceiveCount)}, not a positive integer`,
    );
  }
  return { deadLetterTargetArn, maxReceiveCount: count };
}

/** Attributes GetQueueAttributes(All) always returns, and that rules decide on. */
export const REQUIRED_QUEUE_ATTRIBUTES = ['VisibilityTimeout', 'MessageRetentionPeriod'] as const;

/**
 * Normalises a queue's attributes. An attribute that is absent gets SQS's default (callers that
 * read a real queue check REQUIRED_QUEUE_ATTRIBUTES first); one that is present but malformed is
 * an UnexpectedResponseError.
 */
export function toQueueFacts(
  arn: string,
  url: string,
  attributes: Record<string, string>,
  tags: Record<string, string>,
): QueueFacts {
  const num = (key: string, fallback: number) => {
    const raw = attributes[key];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new UnexpectedResponseError(arn, key, `is ${JSON.stringify(raw)}, not a number`);
    }
    return n;
  };
  const flag = (key: string) => {
    const raw = attributes[key];
    if (raw === undefined || raw === 'true' || raw === 'false') return raw === 'true';
    throw new UnexpectedResponseError(arn, key, `is ${JSON.stringify(raw)}, not true or false`);
  };
  const redrivePolicy = readRedrivePolicy(arn, attributes.RedrivePolicy);
  const kmsMasterKeyId = attributes.KmsMasterKeyId || undefined;
  const policy = attributes.Policy || undefined;
  return {
    arn,
    url,
    name: parseArn(arn).resource,
    fifo: flag('FifoQueue'),
    tags,
    visibilityTimeout: num('VisibilityTimeout', 30),
    messageRetentionPeriod: num('MessageRetentionPeriod', 345_600),
    ...(redrivePolicy ? { redrivePolicy } : {}),
    ...(kmsMasterKeyId
      ? { kmsMasterKeyId, kmsDataKeyReusePeriodSeconds: num('KmsDataKeyReusePeriodSeconds', 300) }
      : {}),
    sqsManagedSseEnabled: flag('SqsManagedSseEnabled'),
    approximateNumberOfMessages: num('ApproximateNumberOfMessages', 0),
    ...(policy ? { policy } : {}),
  };
}

/** One GetQueueAttributes(All); undefined when the queue does not exist. */
export async function readQueue(
  sqs: SQSClient,
  arn: string,
  tags: Record<string, string>,
  endpoint: string | undefined,
): Promise<QueueFacts | undefined> {
  const { GetQueueAttributesCommand } = await sdk.sqs();
  const url = sqsQueueUrlFromArn(arn, endpoint);
  try {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    const attributes = out.Attributes ?? {};
    for (const name of REQUIRED_QUEUE_ATTRIBUTES) {
      if (attributes[name] === undefined)
        throw new UnexpectedResponseError(arn, name, 'is missing from GetQueueAttributes(All)');
    }
    return toQueueFacts(arn, url, attributes, tags);
  } catch (error) {
    if (isQueueMissing(error)) return undefined;
    throw error;
  }
}

/** Whether some queue names this one as its DLQ (one page is enough to know). */
export async function hasDeadLetterSources(sqs: SQSClient, url: string): Promise<string[]> {
  const { ListDeadLetterSourceQueuesCommand } = await sdk.sqs();
  const out = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: url, MaxResults: 10 }));
  return out.queueUrls ?? [];
}

/** One ListQueues page of up to `maxResults` URLs under `prefix` ('' for the whole account). */
export async function listQueuesPage(
  sqs: SQSClient,
  prefix: string,
  maxResults: number,
  nextToken: string | undefined,
): Promise<{ urls: string[]; nextToken: string | undefined }> {
  const { ListQueuesCommand } = await sdk.sqs();
  const out = await sqs.send(
    new ListQueuesCommand({
      MaxResults: maxResults,
      ...(prefix ? { QueueNamePrefix: prefix } : {}),
      ...(nextToken ? { NextToken: nextToken } : {}),
    }),
  );
  return { urls: out.QueueUrls ?? [], nextToken: out.NextToken || undefined };
}

/** A queue's own tags (ListQueueTags), not the eventually consistent tagging API's. */
export async function queueTags(sqs: SQSClient, url: string): Promise<Record<string, string>> {
  const { ListQueueTagsCommand } = await sdk.sqs();
  return (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
}

/** Only a queue's RedrivePolicy (its dead-letter edge); null when the queue does not exist. */
export async function readRedriveOnly(
  sqs: SQSClient,
  arn: string,
  url: string,
): Promise<RedrivePolicy | undefined | null> {
  const { GetQueueAttributesCommand } = await sdk.sqs();
  try {
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }),
    );
    return readRedrivePolicy(arn, out.Attributes?.RedrivePolicy);
  } catch (error) {
    if (isQueueMissing(error)) return null;
    throw error;
  }
}

/**
 * Whether a queue of this name exists (an unmanaged one must not be adopted by CreateQueue), and
 * its own tags when it does. The tags are read from SQS itself because the tagging API is
 * eventually consistent: a DLQ created just before a crash may not be listed there yet, and its
 * managed tag must still let the next cycle adopt it.
 */
export async function queueByName(
  sqs: SQSClient,
  name: string,
): Promise<{ exists: false } | { exists: true; tags: Record<string, string> }> {
  const { GetQueueUrlCommand } = await sdk.sqs();
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (isQueueMissing(error)) return { exists: false };
    throw error;
  }
  if (!url) return { exists: true, tags: {} };
  return { exists: true, tags: await queueTags(sqs, url) };
}
