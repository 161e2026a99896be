import { sdk } from '../../aws/sdk.js';
import type { Action } from '../../reconcile/model.js';
import { type ActionHandler, NO_PRECONDITION_READ } from './types.js';

type UpdateTableBillingMode = Extract<Action, { kind: 'UpdateTableBillingMode' }>;

/** Switches an idempotency table to on-demand. */
export const updateTableBillingMode: ActionHandler<UpdateTableBillingMode, void> = {
  iamActions: ['dynamodb:UpdateTable', 'dynamodb:DescribeTable'],
  targets: (action) => [action.tableArn],
  describe: (action) => `UpdateTable ${action.tableName} {"BillingMode":"${action.billingMode}"}`,
  // A one-way switch whose write fails not-found on a deleted table: nothing to re-read.
  precondition: NO_PRECONDITION_READ,
  async write(action, ctx) {
    const { UpdateTableCommand } = await sdk.dynamodb();
    await ctx.aws.dynamodb.send(
      new UpdateTableCommand({ TableName: action.tableName, BillingMode: action.billingMode }),
    );
    return { change: 'updated', receipt: undefined };
  },
  async readBack(action, ctx) {
    const { DescribeTableCommand } = await sdk.dynamodb();
    const table = await ctx.aws.dynamodb.send(new DescribeTableCommand({ TableName: action.tableName }));
    return table.Table?.BillingModeSummary?.BillingMode === action.billingMode ? [] : ['BillingMode'];
  },
};
