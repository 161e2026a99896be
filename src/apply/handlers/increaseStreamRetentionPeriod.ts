import { sdk } from '../../aws/sdk.js';
import { readKinesisRetentionSeconds } from '../../discovery/streamRetention.js';
import type { Action } from '../../reconcile/model.js';
import { changedSince, gone, isResourceGone } from '../preconditions.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type IncreaseStreamRetentionPeriod = Extract<Action, { kind: 'IncreaseStreamRetentionPeriod' }>;

const hoursOf = async (kinesis: Parameters<typeof readKinesisRetentionSeconds>[0], arn: string) =>
  (await readKinesisRetentionSeconds(kinesis, arn)) / 3600;

/** Raises a Kinesis stream's retention; never lowers it (the call itself cannot). */
export const increaseStreamRetentionPeriod: ActionHandler<IncreaseStreamRetentionPeriod, void> = {
  iamActions: ['kinesis:IncreaseStreamRetentionPeriod', 'kinesis:DescribeStreamSummary'],
  targets: (action) => [action.streamArn],
  describe: (action) =>
    `IncreaseStreamRetentionPeriod ${action.streamName} {"RetentionPeriodHours":${action.retentionHours}}`,
  async precondition(action, { aws }): Promise<PreconditionVerdict> {
    let hours: number;
    try {
      hours = await hoursOf(aws.kinesis, action.streamArn);
    } catch (error) {
      if (isResourceGone(error)) throw gone(`stream ${action.streamName}`);
      throw error;
    }
    if (hours >= action.retentionHours) return 'unchanged';
    if (hours !== action.observedHours)
      throw changedSince(`stream ${action.streamName}`, ['RetentionPeriodHours']);
    return 'proceed';
  },
  async write(action, ctx) {
    const { IncreaseStreamRetentionPeriodCommand } = await sdk.kinesis();
    await ctx.aws.kinesis.send(
      new IncreaseStreamRetentionPeriodCommand({
        StreamARN: action.streamArn,
        RetentionPeriodHours: action.retentionHours,
      }),
    );
    return { change: 'updated', receipt: undefined };
  },
  async readBack(action, ctx) {
    const hours = await hoursOf(ctx.aws.kinesis, action.streamArn);
    return hours >= action.retentionHours ? [] : ['RetentionPeriodHours'];
  },
};
