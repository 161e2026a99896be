import type { SQSClient } from '@aws-sdk/client-sqs';
import { sqsQueueArn } from '../aws/arn.js';
import { MANAGED_BY_VALUE, TAGS } from '../policy/schema.js';
import type { QueueFacts, QueueNameCandidate, ReadError, TaggedResource, Target } from './inventory.js';
import type { NameLookup } from './queueListing.js';
import { toReadError } from './readErrors.js';
import { dlqArnsToRead } from './readPlan.js';
import type { ReadRunner } from './readRequeue.js';
import { hasDeadLetterSources, queueByName, queueTags, readQueue } from './sqs.js';

/** What the queue reads found, filled stage by stage. */
export class QueueBook {
  readonly queues = new Map<string, QueueFacts>();
  /** DLQs some redrive policy names that do not exist. */
  readonly missingQueues = new Set<string>();
  readonly deadLetterSources = new Map<string, string[]>();

  addSource(dlq: string, source: string): void {
    const list = this.deadLetterSources.get(dlq) ?? [];
    if (!list.includes(source)) list.push(source);
    this.deadLetterSources.set(dlq, list);
  }

  /** Queues edaguard created say whose DLQ they are in their tags. */
  addSourcesFromTags(tagsByArn: ReadonlyMap<string, Readonly<Record<string, string>>>): void {
    for (const [arn, tags] of tagsByArn) {
      const source = tags[TAGS.dlqFor];
      if (source) this.addSource(arn, source);
    }
  }
}

export interface QueueReadContext {
  readonly sqs: SQSClient;
  readonly endpoint: string | undefined;
  readonly run: ReadRunner;
  readonly book: QueueBook;
  readonly readErrors: ReadError[];
}

/** One GetQueueAttributes into the book; its final failure is the queue's read error. */
export async function readQueueInto(
  ctx: QueueReadContext,
  arn: string,
  tags: Record<string, string>,
): Promise<void> {
  try {
    const facts = await ctx.run(() => readQueue(ctx.sqs, arn, tags, ctx.endpoint));
    if (facts) ctx.book.queues.set(arn, facts);
    else ctx.book.missingQueues.add(arn);
  } catch (error) {
    ctx.readErrors.push(toReadError(arn, 'GetQueueAttributes', error));
  }
}

/** The selected queues, then the DLQs their redrive policies name. */
export async function readSelectedQueuesAndDlqs(
  ctx: QueueReadContext,
  selected: readonly TaggedResource[],
  knownTags: (arn: string) => Readonly<Record<string, string>>,
): Promise<void> {
  await Promise.all(selected.map((r) => readQueueInto(ctx, r.arn, { ...r.tags })));
  // A selected queue can vanish between the tag query and the read: it is simply gone.
  for (const r of selected) ctx.book.missingQueues.delete(r.arn);
  for (const queue of ctx.book.queues.values())
    if (queue.redrivePolicy) ctx.book.addSource(queue.redrivePolicy.deadLetterTargetArn, queue.arn);
  const dlqs = dlqArnsToRead(ctx.book.queues);
  await Promise.all(dlqs.map((arn) => readQueueInto(ctx, arn, { ...knownTags(arn) })));
}

/** ListDeadLetterSourceQueues for queues that may need a DLQ: are they some queue's DLQ? */
export async function readDeadLetterSources(
  ctx: QueueReadContext,
  queues: readonly QueueFacts[],
  target: Target,
): Promise<void> {
  await Promise.all(
    queues.map(async (queue) => {
      try {
        const sources = await ctx.run(() => hasDeadLetterSources(ctx.sqs, queue.url));
        for (const url of sources)
          ctx.book.addSource(queue.arn, sqsQueueArn(target, url.split('/').pop() ?? url));
      } catch (error) {
        ctx.readErrors.push(toReadError(queue.arn, 'ListDeadLetterSourceQueues', error));
      }
    }),
  );
}

/**
 * What exists under each name edaguard may give a queue it creates, from the ListQueues lookups
 * (a name in the managed-by tag query needs none). An existing queue's own tags say whether
 * edaguard made it; a managed one found there (adoptable) is read too, so that its retention is
 * checked in the same cycle as its adoption.
 */
export async function readQueueNameCandidates(
  ctx: QueueReadContext,
  names: readonly string[],
  lookup: NameLookup,
  target: Target,
  managedTags: ReadonlyMap<string, Record<string, string>>,
): Promise<Map<string, QueueNameCandidate>> {
  const candidates = new Map<string, QueueNameCandidate>();
  const lookUp = async (name: string) => {
    const arn = sqsQueueArn(target, name);
    let tags = managedTags.get(arn);
    let exists = tags !== undefined;
    try {
      if (!exists) {
        const found = await existingTags(ctx, name, lookup);
        exists = found !== undefined;
        if (found?.[TAGS.managedBy] === MANAGED_BY_VALUE) {
          tags = found;
          const source = tags[TAGS.dlqFor];
          if (source) ctx.book.addSource(arn, source);
        }
      }
    } catch (error) {
      ctx.readErrors.push(toReadError(arn, lookUpOperation(name, lookup), error));
      return;
    }
    candidates.set(name, { name, arn, exists, managedByEdaguard: tags !== undefined });
    if (tags !== undefined && !ctx.book.queues.has(arn)) await readQueueInto(ctx, arn, { ...tags });
  };
  await Promise.all(names.map(lookUp));
  return candidates;
}

/** The call that answers for this name: its listing, its own tags, or GetQueueUrl. */
const lookUpOperation = (name: string, lookup: NameLookup) =>
  lookup.urls.has(name) ? 'ListQueueTags' : lookup.unresolved.includes(name) ? 'GetQueueUrl' : 'ListQueues';

/**
 * The own tags of the queue of this name, or undefined when none exists. A name the listings
 * could not settle is asked with GetQueueUrl. Throws the failed listing's error.
 */
async function existingTags(
  ctx: QueueReadContext,
  name: string,
  lookup: NameLookup,
): Promise<Record<string, string> | undefined> {
  if (lookup.failed.has(name)) throw lookup.failed.get(name);
  const url = lookup.urls.get(name);
  if (url) return ctx.run(() => queueTags(ctx.sqs, url));
  if (!lookup.unresolved.includes(name)) return undefined;
  const found = await ctx.run(() => queueByName(ctx.sqs, name));
  return found.exists ? found.tags : undefined;
}
