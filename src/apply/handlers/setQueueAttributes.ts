import { sdk } from '../../aws/sdk.js';
import { isQueueMissing } from '../../discovery/sqs.js';
import type { Action } from '../../reconcile/model.js';
import { changedSince, gone } from '../preconditions.js';
import { attributesNotYetVisible, sameAttributeValue } from '../queueAttributes.js';
import { queueAttributesNow } from './createQueue.js';
import { arnsInQueueAttributes, observedQueueAttribute } from './queueAttributeFacts.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type SetQueueAttributes = Extract<Action, { kind: 'SetQueueAttributes' }>;

const queueOf = (action: SetQueueAttributes) => ({ arn: action.queueArn, url: action.queueUrl });

/** Sends only the attributes that change, so an edit to any other is never overwritten. */
export const setQueueAttributes: ActionHandler<SetQueueAttributes, void> = {
  eventuallyVisible: true,
  iamActions: ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
  targets: (action) => [action.queueArn, ...arnsInQueueAttributes(action.attributes)],
  describe: (action) =>
    `SetQueueAttributes ${action.queueArn.split(':').pop()} ${JSON.stringify(action.attributes)}`,
  async precondition(action, ctx): Promise<PreconditionVerdict> {
    const planned = ctx.inventory.queues.get(action.queueArn);
    if (!planned) return 'proceed'; // created in this cycle: nobody else knew it
    let current: Record<string, string>;
    try {
      current = await queueAttributesNow(ctx, queueOf(action), Object.keys(action.attributes), {
        recall: true,
        all: false,
      });
    } catch (error) {
      if (isQueueMissing(error)) throw gone(`queue ${planned.name}`);
      throw error;
    }
    if (attributesNotYetVisible(action.attributes, current).length === 0) return 'unchanged';
    const changed = Object.keys(action.attributes).filter(
      (n) => !sameAttributeValue(n, observedQueueAttribute(planned, n), current[n]),
    );
    if (changed.length > 0) throw changedSince(`queue ${planned.name}`, changed);
    return 'proceed';
  },
  async write(action, ctx) {
    const { SetQueueAttributesCommand } = await sdk.sqs();
    await ctx.aws.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: action.queueUrl, Attributes: action.attributes }),
    );
    return { change: 'updated', receipt: undefined };
  },
  readBack: async (action, ctx) =>
    attributesNotYetVisible(
      action.attributes,
      await queueAttributesNow(ctx, queueOf(action), Object.keys(action.attributes), {
        recall: false,
        all: true,
      }),
    ),
};
