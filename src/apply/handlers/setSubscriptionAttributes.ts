import type { AwsClients } from '../../aws/clients.js';
import { sdk } from '../../aws/sdk.js';
import { isSnsNotFound, redriveTargetOf } from '../../discovery/snsTopics.js';
import type { Action } from '../../reconcile/model.js';
import { changedSince, gone } from '../preconditions.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type SetSubscriptionAttributes = Extract<Action, { kind: 'SetSubscriptionAttributes' }>;

/** The DLQ a subscription's RedrivePolicy names now (undefined: none; null: unusable). */
async function currentTarget(aws: AwsClients, subscriptionArn: string): Promise<string | undefined | null> {
  const { GetSubscriptionAttributesCommand } = await sdk.sns();
  const out = await aws.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
  return redriveTargetOf(out.Attributes?.RedrivePolicy);
}

/** Sets one attribute of a subscription (its RedrivePolicy: the DLQ of what it fails to deliver). */
export const setSubscriptionAttributes: ActionHandler<SetSubscriptionAttributes, void> = {
  iamActions: ['sns:SetSubscriptionAttributes', 'sns:GetSubscriptionAttributes'],
  targets: (action) => {
    const dlq = typeof action.value === 'string' ? redriveTargetOf(action.value) : undefined;
    return [action.subscriptionArn, action.topicArn, dlq ?? undefined];
  },
  describe: (action) =>
    `SetSubscriptionAttributes ${action.subscriptionArn.split(':').slice(-2).join(':')} ${action.attributeName}=${action.value}`,
  async precondition(action, { aws, inventory }): Promise<PreconditionVerdict> {
    const planned = inventory.topics
      ?.get(action.topicArn)
      ?.subscriptions.find((s) => s.arn === action.subscriptionArn);
    let current: string | undefined | null;
    try {
      current = await currentTarget(aws, action.subscriptionArn);
    } catch (error) {
      if (isSnsNotFound(error)) throw gone(`subscription ${action.subscriptionArn}`);
      throw error;
    }
    if (current === redriveTargetOf(action.value)) return 'unchanged';
    if (planned && current !== planned.deadLetterTargetArn)
      throw changedSince(`subscription ${action.subscriptionArn}`, [action.attributeName]);
    return 'proceed';
  },
  async write(action, ctx) {
    const { SetSubscriptionAttributesCommand } = await sdk.sns();
    await ctx.aws.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: action.subscriptionArn,
        AttributeName: action.attributeName,
        AttributeValue: action.value,
      }),
    );
    return { change: 'updated', receipt: undefined };
  },
  readBack: async (action, ctx) =>
    (await currentTarget(ctx.aws, action.subscriptionArn)) === redriveTargetOf(action.value)
      ? []
      : [action.attributeName],
};
