import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type {
  EventSourceMappingConfiguration,
  GetFunctionEventInvokeConfigCommandOutput,
} from '@aws-sdk/client-lambda';
import type { AlarmSpec, EventInvokeConfig, EventSourceMappingChanges } from '../reconcile/model.js';

const dest = (target: { Destination?: string } | undefined) => target?.Destination || undefined;

/** Fields of an UpdateEventSourceMapping that the mapping does not show yet. */
export function mappingMismatches(
  changes: Readonly<EventSourceMappingChanges>,
  actual: EventSourceMappingConfiguration,
): string[] {
  const pending: string[] = [];
  if (
    changes.BisectBatchOnFunctionError !== undefined &&
    actual.BisectBatchOnFunctionError !== changes.BisectBatchOnFunctionError
  ) {
    pending.push('BisectBatchOnFunctionError');
  }
  if (
    changes.MaximumRetryAttempts !== undefined &&
    actual.MaximumRetryAttempts !== changes.MaximumRetryAttempts
  ) {
    pending.push('MaximumRetryAttempts');
  }
  if (
    changes.MaximumRecordAgeInSeconds !== undefined &&
    actual.MaximumRecordAgeInSeconds !== changes.MaximumRecordAgeInSeconds
  ) {
    pending.push('MaximumRecordAgeInSeconds');
  }
  if (
    changes.DestinationConfig &&
    dest(actual.DestinationConfig?.OnFailure) !== changes.DestinationConfig.OnFailure.Destination
  ) {
    pending.push('DestinationConfig.OnFailure');
  }
  if (changes.FunctionResponseTypes) {
    const have = new Set(actual.FunctionResponseTypes ?? []);
    if (!changes.FunctionResponseTypes.every((t) => have.has(t))) pending.push('FunctionResponseTypes');
  }
  return pending;
}

/** Fields of a PutFunctionEventInvokeConfig that Get does not return yet. */
export function eventInvokeConfigMismatches(
  wanted: Readonly<EventInvokeConfig>,
  actual: Pick<
    GetFunctionEventInvokeConfigCommandOutput,
    'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | 'DestinationConfig'
  >,
): string[] {
  const pending: string[] = [];
  if (actual.MaximumRetryAttempts !== wanted.MaximumRetryAttempts) pending.push('MaximumRetryAttempts');
  if (actual.MaximumEventAgeInSeconds !== wanted.MaximumEventAgeInSeconds)
    pending.push('MaximumEventAgeInSeconds');
  if (dest(actual.DestinationConfig?.OnFailure) !== wanted.DestinationConfig?.OnFailure?.Destination)
    pending.push('OnFailure');
  if (dest(actual.DestinationConfig?.OnSuccess) !== wanted.DestinationConfig?.OnSuccess?.Destination)
    pending.push('OnSuccess');
  return pending;
}

/** Fields of a PutMetricAlarm that DescribeAlarms does not return yet. */
export function alarmMismatches(wanted: Readonly<AlarmSpec>, actual: MetricAlarm): string[] {
  const pending: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const dims = (list: ReadonlyArray<{ Name?: string; Value?: string }>) =>
    [...list].map((d) => `${d.Name}=${d.Value}`).sort();
  if (actual.Namespace !== wanted.Namespace || actual.MetricName !== wanted.MetricName)
    pending.push('Metric');
  if (!same(dims(actual.Dimensions ?? []), dims(wanted.Dimensions))) pending.push('Dimensions');
  if (actual.Statistic !== wanted.Statistic) pending.push('Statistic');
  if (actual.Threshold !== wanted.Threshold) pending.push('Threshold');
  if (actual.Period !== wanted.Period) pending.push('Period');
  if (actual.EvaluationPeriods !== wanted.EvaluationPeriods) pending.push('EvaluationPeriods');
  if (actual.ComparisonOperator !== wanted.ComparisonOperator) pending.push('ComparisonOperator');
  if (actual.TreatMissingData !== wanted.TreatMissingData) pending.push('TreatMissingData');
  if (!same([...(actual.AlarmActions ?? [])].sort(), [...wanted.AlarmActions].sort()))
    pending.push('AlarmActions');
  return pending;
}
