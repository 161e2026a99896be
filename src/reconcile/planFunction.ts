import type { FunctionFacts, Inventory } from '../discovery/inventory.js';
import type { Policy } from '../policy/model.js';
import { eventSourceName } from '../report/resourceLabel.js';
import type { Finding } from './model.js';
import { evaluate } from './ruleEvaluation.js';
import { planIteratorAgeAlarm } from './rules/alarms.js';
import { isBatchMapping, planPartialBatchResponse } from './rules/esmPartialBatchResponse.js';
import { isStreamMapping, planStreamFailureHandling } from './rules/esmStreamFailureHandling.js';
import { planAsyncInvokeConfig } from './rules/lambdaAsyncInvokeConfig.js';

/** The Lambda-side rules of one selected function: its mappings, its alarm, its async config. */
export function planFunction(
  fn: FunctionFacts,
  selecting: readonly Policy[],
  inventory: Inventory,
  findings: Finding[],
): void {
  for (const mapping of inventory.mappings) {
    if (mapping.functionArn !== fn.arn) continue;
    // A mapping is owned with its function.
    const subject = {
      resource: mapping.arn,
      resourceType: 'lambda:event-source-mapping' as const,
      tags: fn.tags,
      label: `${fn.name} ← ${eventSourceName(mapping.eventSourceArn)}`,
    };
    if (isStreamMapping(mapping)) {
      evaluate(findings, selecting, 'lambda:function', 'esm-stream-failure-handling', subject, (s) =>
        planStreamFailureHandling(mapping, fn, s, inventory),
      );
    }
    if (isBatchMapping(mapping)) {
      evaluate(findings, selecting, 'lambda:function', 'esm-partial-batch-response', subject, (s) =>
        planPartialBatchResponse(mapping, fn, s),
      );
    }
  }
  const alarms = inventory.alarms;
  if (alarms && inventory.mappings.some((m) => m.functionArn === fn.arn && isStreamMapping(m))) {
    const subject = { resource: fn.arn, resourceType: 'lambda:function' as const, tags: fn.tags };
    evaluate(findings, selecting, 'lambda:function', 'stream-iterator-age-alarm', subject, (s) =>
      planIteratorAgeAlarm(fn, s, alarms),
    );
  }
  evaluate(
    findings,
    selecting,
    'lambda:function',
    'lambda-async-invoke-config',
    { resource: fn.arn, resourceType: 'lambda:function', tags: fn.tags },
    (s) => planAsyncInvokeConfig(fn, s, inventory),
  );
}
