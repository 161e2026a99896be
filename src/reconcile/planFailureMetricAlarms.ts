import { parseArn } from '../aws/arn.js';
import type { Inventory } from '../discovery/inventory.js';
import type { Finding } from './model.js';
import { evaluate, type SelectingPolicies } from './ruleEvaluation.js';
import { type FailureMetricResource, planFailureMetricAlarms } from './rules/failureMetricAlarms.js';

/** The name in a topic's, stream's or table's ARN (`<topic>`, `stream/<name>`, `table/<name>`). */
const nameInArn = (arn: string) => parseArn(arn).resource.replace(/^(stream|table)\//, '');

/**
 * `failure-metric-alarms` on every selected resource of the types it covers: functions, topics,
 * streams and tables from the tag queries, EventBridge rules from their own listing.
 */
export function planFailureMetricAlarmsOf(
  inventory: Inventory,
  findings: Finding[],
  selectingOf: SelectingPolicies,
): void {
  const alarms = inventory.alarms;
  if (!alarms) return;
  const check = (resource: FailureMetricResource, tags: Readonly<Record<string, string>>) => {
    const selecting = selectingOf(resource.type, tags);
    if (selecting.length === 0) return;
    const subject = { resource: resource.arn, resourceType: resource.type, tags };
    evaluate(findings, selecting, resource.type, 'failure-metric-alarms', subject, (s) =>
      planFailureMetricAlarms(resource, s, alarms),
    );
  };
  for (const tagged of inventory.tagged) {
    const { arn, type, tags } = tagged;
    if (type === 'lambda:function') {
      const fn = inventory.functions.get(arn);
      // eventInvokeConfig: null when the function has none, undefined when it was not read.
      const asyncInvoked = fn !== undefined && (fn.asyncInvokers.length > 0 || !!fn.eventInvokeConfig);
      if (fn) check({ type, arn, name: fn.name, asyncInvoked }, tags);
    } else if (type === 'sns:topic' || type === 'kinesis:stream' || type === 'dynamodb:table') {
      check({ type, arn, name: nameInArn(arn) }, tags);
    }
  }
  for (const rule of inventory.eventRules?.values() ?? []) {
    const resource = { type: 'events:rule' as const, arn: rule.arn, name: rule.name };
    check({ ...resource, eventBusName: rule.eventBusName }, rule.tags);
  }
}
