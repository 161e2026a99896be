import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { sqsQueueUrlFromArn } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import { sdk } from '../../aws/sdk.js';
import type { Action } from '../../reconcile/model.js';
import type { CycleReads } from '../cycleReads.js';
import { attributesNotYetVisible } from '../queueAttributes.js';
import { arnsInQueueAttributes } from './queueAttributeFacts.js';
import { type ActionHandler, NO_PRECONDITION_READ } from './types.js';

type CreateQueue = Extract<Action, { kind: 'CreateQueue' }>;

/** The attributes of a queue a write set, as SQS shows them now. */
export async function readQueueAttributes(
  aws: AwsClients,
  queueUrl: string,
  wanted: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  const { GetQueueAttributesCommand } = await sdk.sqs();
  const out = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: Object.keys(wanted) as QueueAttributeName[],
    }),
  );
  return out.Attributes ?? {};
}

/** What CycleReads remembers of a queue: the attributes a read asked for (all, or `names`). */
interface QueueAttributesRead {
  readonly all: boolean;
  readonly names: readonly string[];
  readonly values: Readonly<Record<string, string>>;
}

const QUEUE_ATTRIBUTES = 'sqs:attributes';

/**
 * The queue's attributes `names` now: what this cycle read of it since its last write when that
 * is fresh and `recall` allows it (a precondition), else one GetQueueAttributes, remembered for
 * the next finding on the queue. `all`: ask for every attribute (a read-back, so that the next
 * finding's precondition, whatever it compares, need not read again).
 */
export async function queueAttributesNow(
  ctx: { readonly aws: AwsClients; readonly reads?: CycleReads },
  queue: { readonly arn: string; readonly url: string },
  names: readonly string[],
  options: { readonly recall: boolean; readonly all: boolean },
): Promise<Record<string, string>> {
  const { reads } = ctx;
  if (options.recall) {
    const known = reads?.recall<QueueAttributesRead>(
      queue.arn,
      QUEUE_ATTRIBUTES,
      (read) => read.all || names.every((n) => read.names.includes(n)),
    );
    if (known) return { ...known.values };
  }
  const all = options.all && reads !== undefined;
  const ticket = reads?.reading(queue.arn, QUEUE_ATTRIBUTES);
  const asked = all ? ['All'] : names;
  const values = await readQueueAttributes(ctx.aws, queue.url, Object.fromEntries(asked.map((n) => [n, ''])));
  ticket?.done({ all, names: [...names], values } satisfies QueueAttributesRead);
  return values;
}

/** A DLQ edaguard creates (tagged managed-by): nobody else owns it. */
export const createQueue: ActionHandler<CreateQueue, string> = {
  // Creating with tags also needs sqs:TagQueue.
  iamActions: ['sqs:CreateQueue', 'sqs:TagQueue', 'sqs:GetQueueAttributes'],
  targets: (action) => [
    action.queueArn,
    ...arnsInQueueAttributes(action.attributes),
    // A managed DLQ's tags name the queue it serves.
    ...Object.values(action.tags ?? {}).filter((v) => typeof v === 'string' && v.startsWith('arn:')),
  ],
  describe: (action) => `CreateQueue ${action.queueName} ${JSON.stringify(action.attributes)}`,
  // Discovery found no queue of that name (or one of ours, adopted instead): nothing to overwrite.
  precondition: NO_PRECONDITION_READ,
  async write(action, ctx) {
    const { CreateQueueCommand } = await sdk.sqs();
    const out = await ctx.aws.sqs.send(
      new CreateQueueCommand({
        QueueName: action.queueName,
        Attributes: action.attributes,
        tags: action.tags,
      }),
    );
    // CreateQueue fails (QueueNameExists) unless the queue has exactly these attributes: an
    // answer with the queue's URL shows the result, and is the read-back.
    return {
      change: 'created',
      receipt: out.QueueUrl ?? sqsQueueUrlFromArn(action.queueArn, ctx.endpoint),
      ...(out.QueueUrl ? { notShownByAnswer: [] } : {}),
    };
  },
  readBack: async (action, ctx, queueUrl) =>
    attributesNotYetVisible(
      action.attributes,
      await readQueueAttributes(ctx.aws, queueUrl, action.attributes),
    ),
};
