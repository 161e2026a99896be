import type { FunctionFacts, MappingFacts } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import { BUSY_MAPPING_STATES, busyMapping } from './esmStreamFailureHandling.js';
import type { RuleVerdict } from './verdict.js';

const REPORT = 'ReportBatchItemFailures' as const;

export function isBatchMapping(mapping: MappingFacts): boolean {
  return (
    mapping.sourceKind === 'sqs' || mapping.sourceKind === 'kinesis' || mapping.sourceKind === 'dynamodb'
  );
}

/**
 * `esm-partial-batch-response`: without ReportBatchItemFailures one failed message fails (and
 * retries) its whole batch. Turning it on for a handler that does not return batchItemFailures
 * makes every message fail, so it is written only for functions that opt in with the tag.
 */
export function planPartialBatchResponse(
  mapping: MappingFacts,
  fn: FunctionFacts,
  settings: RuleSettings['esm-partial-batch-response'],
): RuleVerdict {
  const observed = { functionResponseTypes: mapping.functionResponseTypes };
  if (mapping.functionResponseTypes.includes(REPORT)) {
    return { status: 'pass', observed, desired: observed, message: 'reports batch item failures' };
  }
  const desired = { functionResponseTypes: [...mapping.functionResponseTypes, REPORT] };
  const [[tagKey, tagValue]] = Object.entries(settings.optInTag) as [[string, string]];
  if (fn.tags[tagKey] !== tagValue) {
    return {
      status: 'ticket',
      observed,
      desired,
      message: `${fn.name} does not report batch item failures: return { batchItemFailures } from the handler, then tag the function ${tagKey}=${tagValue} and edaguard turns it on`,
    };
  }
  if (BUSY_MAPPING_STATES.has(mapping.state)) return busyMapping(mapping, observed, desired);
  return {
    status: 'drift',
    observed,
    desired,
    message: `one failed record retries its whole batch; ${fn.name} opted in (${tagKey}=${tagValue}): turn on ${REPORT}`,
    actions: [
      {
        kind: 'UpdateEventSourceMapping',
        mappingUuid: mapping.uuid,
        mappingArn: mapping.arn,
        changes: { FunctionResponseTypes: [REPORT] },
      },
    ],
  };
}
