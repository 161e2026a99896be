import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ALARM_PREFIX, type AlarmFacts } from '../../discovery/inventory.js';
import type { FailureMetric } from '../../policy/asyncEdgeSettings.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { Action, AlarmSpec } from '../model.js';
import { alarmSpec, comparable } from './alarms.js';
import type { RuleVerdict } from './verdict.js';

/** A selected resource `failure-metric-alarms` puts alarms on, with what naming its metrics needs. */
export type FailureMetricResource =
  | {
      readonly type: 'lambda:function';
      readonly arn: string;
      readonly name: string;
      /** Something invokes it asynchronously (an SNS, EventBridge or S3 caller, or an event-invoke config). */
      readonly asyncInvoked: boolean;
    }
  | {
      readonly type: 'events:rule';
      readonly arn: string;
      readonly name: string;
      readonly eventBusName: string;
    }
  | {
      readonly type: 'sns:topic' | 'kinesis:stream' | 'dynamodb:table';
      readonly arn: string;
      readonly name: string;
    };

type ResourceKind = FailureMetricResource['type'];

/** The failure metrics each resource type has, in the order their alarms are written. */
export const FAILURE_METRICS_OF: Readonly<Record<ResourceKind, readonly FailureMetric[]>> = {
  'lambda:function': ['AsyncEventsDropped', 'DestinationDeliveryFailures', 'DeadLetterErrors'],
  'events:rule': ['FailedInvocations', 'InvocationsFailedToBeSentToDlq'],
  'sns:topic': ['NumberOfNotificationsFailed', 'NumberOfNotificationsFailedToRedriveToDlq'],
  'kinesis:stream': ['WriteProvisionedThroughputExceeded'],
  'dynamodb:table': ['ThrottledRequests'],
};

const NAMESPACE: Readonly<Record<ResourceKind, string>> = {
  'lambda:function': 'AWS/Lambda',
  'events:rule': 'AWS/Events',
  'sns:topic': 'AWS/SNS',
  'kinesis:stream': 'AWS/Kinesis',
  'dynamodb:table': 'AWS/DynamoDB',
};

/**
 * DynamoDB publishes ThrottledRequests only per (TableName, Operation): there is no table-wide
 * series to alarm on. An idempotency store (Powertools' and the like) calls exactly these four:
 * a conditional PutItem claims a key, GetItem reads a claimed record, UpdateItem saves the result,
 * DeleteItem releases a key after a failure. One plain alarm per operation keeps each alarm a
 * single metric that DescribeAlarms reads back field by field (a metric-math sum would not), and
 * the alarm that fires says which call is throttled.
 */
export const IDEMPOTENCY_OPERATIONS = ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'] as const;

/** CloudWatch's limit on an alarm name. */
const MAX_ALARM_NAME = 255;

/**
 * `edaguard-failure-<metric>-<resource>`: the `failure-` infix keeps these apart from the
 * `dlq-depth-` and `iterator-age-` alarms, each metric belongs to one resource type, and the
 * resource part is unique within its type (an EventBridge rule on a custom bus is `<bus>/<rule>`,
 * as in its ARN: rule names have no '/'). A name over 255 characters is cut and given a hash of
 * the whole, so it stays the same from cycle to cycle.
 */
export function failureAlarmName(metric: FailureMetric, resourcePart: string): string {
  const name = `${ALARM_PREFIX}failure-${metric}-${resourcePart}`;
  if (name.length <= MAX_ALARM_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_ALARM_NAME - hash.length - 1)}-${hash}`;
}

interface MetricSeries {
  readonly name: string;
  readonly metric: FailureMetric;
  readonly dimensions: Record<string, string>;
  readonly what: string;
}

/** Each alarm's metric series of one resource and one metric. */
function seriesOf(resource: FailureMetricResource, metric: FailureMetric): MetricSeries[] {
  switch (resource.type) {
    case 'lambda:function':
      return [one(metric, resource.name, { FunctionName: resource.name }, `function ${resource.name}`)];
    case 'events:rule': {
      // The default bus's rules are published with RuleName only; a custom bus's with both.
      const custom = resource.eventBusName !== 'default';
      const dimensions: Record<string, string> = custom
        ? { EventBusName: resource.eventBusName, RuleName: resource.name }
        : { RuleName: resource.name };
      const part = custom ? `${resource.eventBusName}/${resource.name}` : resource.name;
      return [one(metric, part, dimensions, `rule ${part}`)];
    }
    case 'sns:topic':
      return [one(metric, resource.name, { TopicName: resource.name }, `topic ${resource.name}`)];
    case 'kinesis:stream':
      return [one(metric, resource.name, { StreamName: resource.name }, `stream ${resource.name}`)];
    case 'dynamodb:table':
      return IDEMPOTENCY_OPERATIONS.map((op) =>
        one(
          metric,
          `${op}-${resource.name}`,
          { TableName: resource.name, Operation: op },
          `${op} on table ${resource.name}`,
        ),
      );
  }
}

const one = (
  metric: FailureMetric,
  part: string,
  dimensions: Record<string, string>,
  what: string,
): MetricSeries => ({ name: failureAlarmName(metric, part), metric, dimensions, what });

/** The alarms a resource should have under these settings, in a stable order. */
export function failureAlarmSpecs(
  resource: FailureMetricResource,
  settings: RuleSettings['failure-metric-alarms'],
): AlarmSpec[] {
  const chosen = FAILURE_METRICS_OF[resource.type].filter(
    (m) => !settings.metrics || settings.metrics.includes(m),
  );
  return chosen.flatMap((metric) =>
    seriesOf(resource, metric).map((s) =>
      alarmSpec(
        s.name,
        `edaguard: ${s.metric} > 0 for ${s.what} (a failure nobody else reports)`,
        // Counts of failures: any one in a period is worth hearing about.
        {
          namespace: NAMESPACE[resource.type],
          metricName: s.metric,
          dimensions: s.dimensions,
          statistic: 'Sum',
        },
        0,
        settings,
        resource.arn,
      ),
    ),
  );
}

/**
 * `failure-metric-alarms`: one finding per resource; its actions put each of the resource's
 * alarms that is missing or differs from what the policy asks (alarms already right are left alone).
 */
export function planFailureMetricAlarms(
  resource: FailureMetricResource,
  settings: RuleSettings['failure-metric-alarms'],
  alarms: ReadonlyMap<string, AlarmFacts>,
): RuleVerdict {
  if (resource.type === 'lambda:function' && !resource.asyncInvoked) {
    return {
      status: 'skipped',
      observed: null,
      desired: null,
      message: `${resource.name} is not invoked asynchronously (no SNS, EventBridge or S3 caller, no event-invoke config): its async failure metrics stay empty`,
    };
  }
  const specs = failureAlarmSpecs(resource, settings);
  if (specs.length === 0) {
    return {
      status: 'skipped',
      observed: null,
      desired: null,
      message: `none of the chosen metrics applies to ${resource.type} (it has ${FAILURE_METRICS_OF[resource.type].join(', ')})`,
    };
  }
  const observed: Record<string, unknown> = {};
  const desired: Record<string, unknown> = {};
  const actions: Action[] = [];
  const wrong: string[] = [];
  for (const spec of specs) {
    const want = comparable(spec);
    const existing = alarms.get(spec.AlarmName);
    const { name: _, ...have } = existing ?? { name: '' };
    observed[spec.AlarmName] = existing ? have : null;
    desired[spec.AlarmName] = want;
    if (existing && isDeepStrictEqual(have, want)) continue;
    actions.push({ kind: 'PutMetricAlarm', alarm: spec });
    wrong.push(`${spec.AlarmName} (${existing ? driftedFields(have, want).join(', ') : 'missing'})`);
  }
  if (actions.length === 0)
    return { status: 'pass', observed, desired, message: `${specs.length} failure-metric alarm(s) in place` };
  return {
    status: 'drift',
    observed,
    desired,
    message: `nobody hears about these failures; put ${wrong.join('; ')}`,
    actions,
  };
}

function driftedFields(have: Record<string, unknown>, want: Record<string, unknown>): string[] {
  return Object.keys(want).filter((k) => !isDeepStrictEqual(have[k], want[k]));
}
