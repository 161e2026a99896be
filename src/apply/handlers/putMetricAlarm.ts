import { sdk } from '../../aws/sdk.js';
import type { Action } from '../../reconcile/model.js';
import { alarmMismatches } from '../lambdaFields.js';
import { type ActionHandler, NO_PRECONDITION_READ } from './types.js';

type PutMetricAlarm = Extract<Action, { kind: 'PutMetricAlarm' }>;

/** Put replaces the whole alarm: the write sends every field edaguard owns. */
export const putMetricAlarm: ActionHandler<PutMetricAlarm, void> = {
  // Putting with tags also needs cloudwatch:TagResource.
  iamActions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource', 'cloudwatch:DescribeAlarms'],
  resource: (action) => `alarm:${action.alarm?.AlarmName}`,
  // The alarm itself has no ARN in the request (it is the client's account and region); the
  // topics it notifies do.
  targets: (action) => [...(action.alarm?.AlarmActions ?? [])],
  describe: ({ alarm }) =>
    `PutMetricAlarm ${alarm.AlarmName} ${alarm.Namespace}/${alarm.MetricName} > ${alarm.Threshold}`,
  // Alarms under edaguard's name prefix are edaguard's own: nobody else's edit to keep.
  precondition: NO_PRECONDITION_READ,
  async write(action, ctx) {
    const { PutMetricAlarmCommand } = await sdk.cloudwatch();
    await ctx.aws.cloudwatch.send(new PutMetricAlarmCommand(action.alarm));
    return { change: 'updated', receipt: undefined };
  },
  async readBack(action, ctx) {
    const { DescribeAlarmsCommand } = await sdk.cloudwatch();
    const out = await ctx.aws.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [action.alarm.AlarmName] }),
    );
    const [alarm] = out.MetricAlarms ?? [];
    return alarm ? alarmMismatches(action.alarm, alarm) : ['alarm'];
  },
};
