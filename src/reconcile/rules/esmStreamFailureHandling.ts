import type { FunctionFacts, Inventory, MappingFacts } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/schema.js';
import type { Action, EventSourceMappingChanges } from '../model.js';
import { resolveFailureDestination } from './failureDestination.js';
import type { RuleVerdict } from './verdict.js';

/** States in which a mapping takes no update: it is looked at again next cycle. */
export const BUSY_MAPPING_STATES = new Set(['Creating', 'Updating', 'Enabling', 'Disabling', 'Deleting']);

export function busyMapping(mapping: MappingFacts, observed: unknown, desired: unknown): RuleVerdict {
  return {
    status: 'busy',
    observed,
    desired,
    message: `mapping is ${mapping.state}: looked at again next cycle`,
  };
}

export function isStreamMapping(mapping: MappingFacts): boolean {
  return mapping.sourceKind === 'kinesis' || mapping.sourceKind === 'dynamodb';
}

/** Keeps a finite value within the maximum; -1 (infinite, the AWS default) becomes the maximum. */
const bounded = (value: number, max: number) => (value < 0 || value > max ? max : value);

/**
 * `esm-stream-failure-handling`: a poison record must not block its shard until the data expires.
 * Bisect the failing batch, bound retries and record age, and send what still fails to SQS.
 */
export function planStreamFailureHandling(
  mapping: MappingFacts,
  fn: FunctionFacts,
  settings: RuleSettings['esm-stream-failure-handling'],
  inventory: Inventory,
): RuleVerdict {
  const observed = {
    bisectBatchOnFunctionError: mapping.bisectBatchOnFunctionError,
    maximumRetryAttempts: mapping.maximumRetryAttempts,
    maximumRecordAgeInSeconds: mapping.maximumRecordAgeInSeconds,
    onFailureDestination: mapping.onFailureDestination ?? null,
  };
  const destination = mapping.onFailureDestination
    ? ({ kind: 'ok', arn: mapping.onFailureDestination, actions: [] } as const)
    : resolveFailureDestination(settings.onFailure, fn, inventory);
  const desired = {
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: bounded(mapping.maximumRetryAttempts, settings.maxRetryAttempts),
    maximumRecordAgeInSeconds: bounded(mapping.maximumRecordAgeInSeconds, settings.maxRecordAgeSeconds),
    onFailureDestination: destination.kind === 'ok' ? destination.arn : null,
  };
  const changes: EventSourceMappingChanges = {};
  if (!observed.bisectBatchOnFunctionError) changes.BisectBatchOnFunctionError = true;
  if (desired.maximumRetryAttempts !== observed.maximumRetryAttempts)
    changes.MaximumRetryAttempts = desired.maximumRetryAttempts;
  if (desired.maximumRecordAgeInSeconds !== observed.maximumRecordAgeInSeconds) {
    changes.MaximumRecordAgeInSeconds = desired.maximumRecordAgeInSeconds;
  }
  if (destination.kind === 'ok' && !mapping.onFailureDestination)
    changes.DestinationConfig = { OnFailure: { Destination: destination.arn } };

  const unresolved =
    destination.kind === 'unresolved' ? `no on-failure destination: ${destination.why}` : undefined;
  if (Object.keys(changes).length === 0) {
    if (unresolved && destination.kind === 'unresolved') {
      return {
        status: destination.status,
        observed,
        desired: { ...desired, onFailureDestination: 'an SQS queue' },
        message: unresolved,
      };
    }
    return {
      status: 'pass',
      observed,
      desired,
      message: 'bisects, bounds retries and record age, and has an on-failure destination',
    };
  }
  if (BUSY_MAPPING_STATES.has(mapping.state)) return busyMapping(mapping, observed, desired);
  const actions: Action[] = [
    ...(destination.kind === 'ok' ? destination.actions : []),
    { kind: 'UpdateEventSourceMapping', mappingUuid: mapping.uuid, mappingArn: mapping.arn, changes },
  ];
  const what = Object.keys(changes).join(', ');
  return {
    status: 'drift',
    observed,
    desired,
    message: `a poison record can block the shard: set ${what}${unresolved ? `; ${unresolved}` : ''}`,
    actions,
  };
}
