import { isDeepStrictEqual } from 'node:util';
import { ALARM_PREFIX, type AlarmFacts, type FunctionFacts } from '../../discovery/inventory.js';
import { MANAGED_BY_VALUE, TAGS } from '../../policy/reservedTags.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { AlarmSpec } from '../model.js';
import type { RuleVerdict } from './verdict.js';

/** Deterministic names: the same queue or function always gets the same alarm. */
export const dlqAlarmName = (dlqName: string) => `${ALARM_PREFIX}dlq-depth-${dlqName}`;
export const iteratorAgeAlarmName = (functionName: string) => `${ALARM_PREFIX}iterator-age-${functionName}`;

export interface AlarmSettings {
  periodSeconds: number;
  evaluationPeriods: number;
  alarmActions: readonly string[];
}

export function alarmSpec(
  name: string,
  description: string,
  metric: {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    /** Maximum for levels (queue depth, iterator age); Sum for counts of failures. */
    statistic?: AlarmSpec['Statistic'];
  },
  threshold: number,
  settings: AlarmSettings,
  about: string,
): AlarmSpec {
  return {
    AlarmName: name,
    AlarmDescription: description,
    Namespace: metric.namespace,
    MetricName: metric.metricName,
    Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Statistic: metric.statistic ?? 'Maximum',
    Threshold: threshold,
    Period: settings.periodSeconds,
    EvaluationPeriods: settings.evaluationPeriods,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [...settings.alarmActions].sort(),
    Tags: [
      { Key: TAGS.managedBy, Value: MANAGED_BY_VALUE },
      { Key: 'edaguard.dev/alarm-for', Value: about },
    ],
  };
}

/** The fields of an alarm that matter, in the shape discovery reads them. */
export function comparable(spec: AlarmSpec): Omit<AlarmFacts, 'name'> {
  return {
    namespace: spec.Namespace,
    metricName: spec.MetricName,
    dimensions: Object.fromEntries(spec.Dimensions.map((d) => [d.Name, d.Value])),
    statistic: spec.Statistic,
    threshold: spec.Threshold,
    periodSeconds: spec.Period,
    evaluationPeriods: spec.EvaluationPeriods,
    comparisonOperator: spec.ComparisonOperator,
    treatMissingData: spec.TreatMissingData,
    alarmActions: spec.AlarmActions,
  };
}

function planAlarm(spec: AlarmSpec, existing: AlarmFacts | undefined, what: string): RuleVerdict {
  const desired = comparable(spec);
  if (!existing) {
    return {
      status: 'drift',
      observed: null,
      desired,
      message: `no alarm: ${what}`,
      actions: [{ kind: 'PutMetricAlarm', alarm: spec }],
    };
  }
  const { name: _, ...observed } = existing;
  if (isDeepStrictEqual(observed, desired))
    return { status: 'pass', observed, desired, message: `alarm ${spec.AlarmName}` };
  const drifted = (Object.keys(desired) as Array<keyof typeof desired>).filter(
    (k) => !isDeepStrictEqual(observed[k], desired[k]),
  );
  return {
    status: 'drift',
    observed,
    desired,
    message: `alarm ${spec.AlarmName} drifted (${drifted.join(', ')}): replace it`,
    actions: [{ kind: 'PutMetricAlarm', alarm: spec }],
  };
}

/** `sqs-dlq-alarm`: a DLQ that fills silently means work is being lost without anyone knowing. */
export function planDlqAlarm(
  dlq: { arn: string; name: string },
  settings: RuleSettings['sqs-dlq-alarm'],
  alarms: ReadonlyMap<string, AlarmFacts>,
): RuleVerdict {
  const name = dlqAlarmName(dlq.name);
  const spec = alarmSpec(
    name,
    `edaguard: messages in DLQ ${dlq.name} (failed processing; redrive after fixing the cause)`,
    {
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: dlq.name },
    },
    settings.threshold,
    settings,
    dlq.arn,
  );
  return planAlarm(spec, alarms.get(name), `nobody hears when ${dlq.name} fills`);
}

/** `stream-iterator-age-alarm`: a poison record or a slow consumer shows first as a growing iterator age. */
export function planIteratorAgeAlarm(
  fn: FunctionFacts,
  settings: RuleSettings['stream-iterator-age-alarm'],
  alarms: ReadonlyMap<string, AlarmFacts>,
): RuleVerdict {
  const name = iteratorAgeAlarmName(fn.name);
  const spec = alarmSpec(
    name,
    `edaguard: ${fn.name} is more than ${settings.thresholdSeconds} s behind its stream`,
    { namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensions: { FunctionName: fn.name } },
    // IteratorAge is reported in milliseconds.
    settings.thresholdSeconds * 1000,
    settings,
    fn.arn,
  );
  return planAlarm(spec, alarms.get(name), `nobody hears when ${fn.name} falls behind its stream`);
}
