import { sdk } from '../../aws/sdk.js';
import type { Action } from '../../reconcile/model.js';
import { type ActionHandler, NO_PRECONDITION_READ } from './types.js';

type UpdateTimeToLive = Extract<Action, { kind: 'UpdateTimeToLive' }>;

/** Turns TTL on for an idempotency table. */
export const updateTimeToLive: ActionHandler<UpdateTimeToLive, void> = {
  iamActions: ['dynamodb:UpdateTimeToLive', 'dynamodb:DescribeTimeToLive'],
  targets: (action) => [action.tableArn],
  describe: (action) =>
    `UpdateTimeToLive ${action.tableName} {"Enabled":true,"AttributeName":"${action.attributeName}"}`,
  // A one-way switch whose write fails not-found on a deleted table: nothing to re-read.
  precondition: NO_PRECONDITION_READ,
  async write(action, ctx) {
    const { UpdateTimeToLiveCommand } = await sdk.dynamodb();
    await ctx.aws.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: action.tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: action.attributeName },
      }),
    );
    return { change: 'updated', receipt: undefined };
  },
  async readBack(action, ctx) {
    const { DescribeTimeToLiveCommand } = await sdk.dynamodb();
    const ttl = (await ctx.aws.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: action.tableName })))
      .TimeToLiveDescription;
    const on = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
    return on && ttl?.AttributeName === action.attributeName ? [] : ['TimeToLiveStatus'];
  },
};
