import type { CloudWatchClient, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { sdk } from '../aws/sdk.js';
import { ALARM_PREFIX, type AlarmFacts } from './inventory.js';

export function toAlarmFacts(alarm: MetricAlarm): AlarmFacts | undefined {
  if (!alarm.AlarmName) return undefined;
  return {
    name: alarm.AlarmName,
    namespace: alarm.Namespace ?? '',
    metricName: alarm.MetricName ?? '',
    dimensions: Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
    statistic: alarm.Statistic ?? '',
    threshold: alarm.Threshold ?? Number.NaN,
    periodSeconds: alarm.Period ?? 0,
    evaluationPeriods: alarm.EvaluationPeriods ?? 0,
    comparisonOperator: alarm.ComparisonOperator ?? '',
    treatMissingData: alarm.TreatMissingData ?? 'missing',
    alarmActions: [...(alarm.AlarmActions ?? [])].sort(),
  };
}

/** Every edaguard alarm: DescribeAlarms by name prefix, 100 per page. */
export async function readEdaguardAlarms(cloudwatch: CloudWatchClient): Promise<Map<string, AlarmFacts>> {
  const { paginateDescribeAlarms } = await sdk.cloudwatch();
  const alarms = new Map<string, AlarmFacts>();
  const pages = paginateDescribeAlarms(
    { client: cloudwatch, pageSize: 100 },
    { AlarmNamePrefix: ALARM_PREFIX, AlarmTypes: ['MetricAlarm'] },
  );
  for await (const page of pages) {
    for (const alarm of page.MetricAlarms ?? []) {
      const facts = toAlarmFacts(alarm);
      if (facts) alarms.set(facts.name, facts);
    }
  }
  return alarms;
}
