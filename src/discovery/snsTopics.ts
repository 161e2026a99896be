import type { SNSClient } from '@aws-sdk/client-sns';
import { parseArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import type { ReadError, SubscriptionFacts, TaggedResource, Target, TopicFacts } from './inventory.js';
import { type QueueReadContext, readQueueInto } from './queueReads.js';
import { toReadError } from './readErrors.js';
import { topicDlqArnsToRead } from './readPlan.js';
import type { ReadRunner } from './readRequeue.js';

/** SNS answers NotFound for a topic or subscription deleted since it was listed. */
export function isSnsNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return name === 'NotFoundException' || name === 'NotFound';
}

/** The target a subscription's RedrivePolicy names: undefined when none, null when unusable. */
export function redriveTargetOf(raw: string | undefined): string | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed = JSON.parse(raw) as { deadLetterTargetArn?: unknown } | null;
    const target = parsed?.deadLetterTargetArn;
    return typeof target === 'string' && target.startsWith('arn:') ? target : null;
  } catch {
    return null;
  }
}

/** A confirmed subscription's attributes; undefined when it was deleted since it was listed. */
async function readSubscription(
  sns: SNSClient,
  arn: string,
  protocol: string,
): Promise<SubscriptionFacts | undefined> {
  const { GetSubscriptionAttributesCommand } = await sdk.sns();
  try {
    const out = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
    const attributes = out.Attributes ?? {};
    return {
      arn,
      protocol,
      pendingConfirmation: attributes.PendingConfirmation === 'true',
      deadLetterTargetArn: redriveTargetOf(attributes.RedrivePolicy),
    };
  } catch (error) {
    if (isSnsNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * ListSubscriptionsByTopic, then GetSubscriptionAttributes of each confirmed one. Whether the topic
 * is FIFO is in its name (SNS requires FIFO topic names to end in `.fifo`): no GetTopicAttributes.
 */
async function readTopic(sns: SNSClient, run: ReadRunner, resource: TaggedResource): Promise<TopicFacts> {
  const listed = await run(async () => {
    const { paginateListSubscriptionsByTopic } = await sdk.sns();
    const all: { arn: string; protocol: string }[] = [];
    for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: resource.arn })) {
      for (const s of page.Subscriptions ?? [])
        if (s.SubscriptionArn) all.push({ arn: s.SubscriptionArn, protocol: s.Protocol ?? 'unknown' });
    }
    return all;
  });
  const subscriptions = await Promise.all(
    listed.map((s) =>
      s.arn === 'PendingConfirmation'
        ? { arn: s.arn, protocol: s.protocol, pendingConfirmation: true, deadLetterTargetArn: undefined }
        : run(() => readSubscription(sns, s.arn, s.protocol)),
    ),
  );
  const name = parseArn(resource.arn).resource;
  return {
    arn: resource.arn,
    name,
    fifo: name.endsWith('.fifo'),
    tags: resource.tags,
    subscriptions: subscriptions.filter((s): s is SubscriptionFacts => s !== undefined),
  };
}

/** The selected topics; a topic whose reads still fail is its read error, and left out. */
export async function readTopics(
  sns: SNSClient,
  selected: readonly TaggedResource[],
  run: ReadRunner,
  readErrors: ReadError[],
): Promise<Map<string, TopicFacts>> {
  const topics = new Map<string, TopicFacts>();
  await Promise.all(
    selected.map(async (resource) => {
      try {
        topics.set(resource.arn, await readTopic(sns, run, resource));
      } catch (error) {
        if (!isSnsNotFound(error)) readErrors.push(toReadError(resource.arn, 'ReadSnsTopic', error));
      }
    }),
  );
  return topics;
}

/** The selected topics, then the queues their subscriptions redrive to (into the queue book). */
export async function readTopicsAndDlqs(
  ctx: QueueReadContext,
  sns: SNSClient,
  selected: readonly TaggedResource[],
  target: Target,
  knownTags: (arn: string) => Readonly<Record<string, string>>,
): Promise<Map<string, TopicFacts>> {
  const topics = await readTopics(sns, selected, ctx.run, ctx.readErrors);
  const dlqs = topicDlqArnsToRead(topics, ctx.book.queues, target);
  await Promise.all(dlqs.map((arn) => readQueueInto(ctx, arn, { ...knownTags(arn) })));
  return topics;
}
