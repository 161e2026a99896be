import type { FunctionFacts, Inventory, MappingFacts } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { Action, EventSourceMappingChanges } from '../model.js';
import {
  type ResolvedDestination,
  resolveFailureDestination,
  unresolvedReason,
  withheldLimits,
} from './failureDestination.js';
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
 * Bisect the failing batch, bound retries and record age, and send what still fails to SQS. The
 * bounds decide when a record is given up on, so they are set only where it has somewhere to go:
 * the mapping's destination, or the one the same update sets. Bisect loses nothing: always set.
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
  const destination: ResolvedDestination = mapping.onFailureDestination
    ? { kind: 'ok', arn: mapping.onFailureDestination, actions: [] }
    : resolveFailureDestination(settings.onFailure, fn, inventory);
  const desired = {
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: bounded(mapping.maximumRetryAttempts, settings.maxRetryAttempts),
    maximumRecordAgeInSeconds: bounded(mapping.maximumRecordAgeInSeconds, settings.maxRecordAgeSeconds),
    onFailureDestination: destination.kind === 'ok' ? destination.arn : null,
  };
  const changes: EventSourceMappingChanges = {};
  if (!observed.bisectBatchOnFunctionError) changes.BisectBatchOnFunctionError = true;
  const limits: EventSourceMappingChanges = {};
  if (desired.maximumRetryAttempts !== observed.maximumRetryAttempts)
    limits.MaximumRetryAttempts = desired.maximumRetryAttempts;
  if (desired.maximumRecordAgeInSeconds !== observed.maximumRecordAgeInSeconds)
    limits.MaximumRecordAgeInSeconds = desired.maximumRecordAgeInSeconds;
  if (destination.kind === 'ok') {
    Object.assign(changes, limits);
    if (!mapping.onFailureDestination)
      changes.DestinationConfig = { OnFailure: { Destination: destination.arn } };
  }

  const { notes, needsPerson } = notesOn(
    destination,
    Object.keys(limits),
    desired.maximumRecordAgeInSeconds,
    inventory.streamRetentionSeconds?.get(mapping.eventSourceArn),
  );
  if (Object.keys(changes).length === 0) {
    if (notes.length > 0) {
      return {
        status: needsPerson ? 'ticket' : 'drift',
        observed,
        desired: destination.kind === 'ok' ? desired : { ...desired, onFailureDestination: 'an SQS queue' },
        message: notes.join('; '),
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
  return {
    status: 'drift',
    observed,
    desired,
    message: [`a poison record can block the shard: set ${Object.keys(changes).join(', ')}`, ...notes].join(
      '; ',
    ),
    actions,
  };
}

/**
 * What a person should know besides the writes: a destination that cannot be set (with the limits
 * held back for want of it), an age limit beyond the stream's retention. needsPerson: a ticket.
 */
function notesOn(
  destination: ResolvedDestination,
  withheld: readonly string[],
  ageSeconds: number,
  retentionSeconds: number | undefined,
): { notes: string[]; needsPerson: boolean } {
  const notes: string[] = [];
  let needsPerson = false;
  if (destination.kind === 'unresolved') {
    notes.push(
      withheld.length > 0 ? withheldLimits(withheld, 'record', destination) : unresolvedReason(destination),
    );
    // Limits held back wait for a person, unless the next cycle may find the destination itself.
    needsPerson = withheld.length > 0 ? destination.todo !== undefined : destination.status === 'ticket';
  }
  if (retentionSeconds !== undefined && ageSeconds > retentionSeconds) {
    notes.push(ageBeyondRetention(ageSeconds, retentionSeconds));
    needsPerson = true;
  }
  return { notes, needsPerson };
}

/** A record age limit the stream's retention makes meaningless: the record is gone first. */
function ageBeyondRetention(ageSeconds: number, retentionSeconds: number): string {
  const hours = retentionSeconds / 3600;
  return `a record age of ${ageSeconds} s is longer than the stream's retention of ${hours} h (${retentionSeconds} s): a failing record expires from the stream before it is that old, so the age limit never applies: set maxRecordAgeSeconds below ${retentionSeconds}`;
}
