import { CreateQueueCommand, GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import { sqsQueueUrlFromArn } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import type { Action } from '../../reconcile/model.js';
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
  const out = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: Object.keys(wanted) as QueueAttributeName[],
    }),
  );
  return out.Attributes ?? {};
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
    const out = await ctx.aws.sqs.send(
      new CreateQueueCommand({
        QueueName: action.queueName,
        Attributes: action.attributes,
        tags: action.tags,
      }),
    );
    return { change: 'created', receipt: out.QueueUrl ?? sqsQueueUrlFromArn(action.queueArn, ctx.endpoint) };
  },
  readBack: async (action, ctx, queueUrl) =>
    attributesNotYetVisible(
      action.attributes,
      await readQueueAttributes(ctx.aws, queueUrl, action.attributes),
    ),
};
