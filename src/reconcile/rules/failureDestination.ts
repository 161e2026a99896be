import { sqsQueueArn } from '../../aws/arn.js';
import type { FunctionFacts, Inventory } from '../../discovery/inventory.js';
import { SQS_LIMITS } from '../../policy/awsLimits.js';
import { failureQueueNameFor, isValidQueueName } from '../../policy/dlqName.js';
import { MANAGED_BY_VALUE, TAGS } from '../../policy/reservedTags.js';
import type { Action } from '../model.js';

export type OnFailureSetting = { destinationArn: string } | { create: { nameSuffix: string } };

export type ResolvedDestination =
  | { kind: 'ok'; arn: string; actions: Action[] }
  | {
      kind: 'unresolved';
      status: 'drift' | 'ticket';
      why: string;
      /** What a person does about it; absent when the next cycle may resolve it by itself. */
      todo?: string;
    };

/**
 * Where a function's failed events should go: the policy's queue, or a queue edaguard creates
 * (or has created) for the function. Never a queue of that name that edaguard did not create.
 */
export function resolveFailureDestination(
  onFailure: OnFailureSetting | undefined,
  fn: FunctionFacts,
  inventory: Inventory,
): ResolvedDestination {
  if (!onFailure) {
    return {
      kind: 'unresolved',
      status: 'drift',
      why: 'the policy sets no onFailure destination',
      todo: 'give the policy an onFailure destination (destinationArn, or create)',
    };
  }
  if ('destinationArn' in onFailure) return { kind: 'ok', arn: onFailure.destinationArn, actions: [] };
  const name = failureQueueNameFor(fn.name, onFailure.create.nameSuffix);
  const arn = sqsQueueArn(inventory.target, name);
  if (!isValidQueueName(name)) {
    return {
      kind: 'unresolved',
      status: 'ticket',
      why: `"${name}" is not a valid queue name`,
      todo: 'choose a shorter nameSuffix',
    };
  }
  const candidate = inventory.queueNameCandidates.get(name);
  if (!candidate)
    return { kind: 'unresolved', status: 'drift', why: `could not check whether ${name} exists` };
  if (candidate.exists && !candidate.managedByEdaguard) {
    return {
      kind: 'unresolved',
      status: 'ticket',
      why: `a queue named ${name} exists but edaguard did not create it`,
      todo: `set onFailure.destinationArn to it, or tag it ${TAGS.managedBy}=${MANAGED_BY_VALUE}`,
    };
  }
  if (candidate.exists) return { kind: 'ok', arn, actions: [] };
  return {
    kind: 'ok',
    arn,
    actions: [
      {
        kind: 'CreateQueue',
        queueArn: arn,
        queueName: name,
        attributes: { MessageRetentionPeriod: String(SQS_LIMITS.maxRetentionSeconds) },
        tags: { [TAGS.managedBy]: MANAGED_BY_VALUE, [TAGS.failureDestinationFor]: fn.arn },
      },
    ],
  };
}

/** The reason a destination is unresolved, with what to do about it when a person must act. */
export function unresolvedReason(destination: { why: string; todo?: string }): string {
  return `no on-failure destination: ${destination.why}${destination.todo ? `: ${destination.todo}` : ''}`;
}

/**
 * Why retry and age limits are held back: a limit decides when a failing record or event is given
 * up on, and with no on-failure destination, giving up loses it without a trace. Left as they are,
 * the limits keep it in retry (a stream shard waits: visible, and still recoverable).
 */
export function withheldLimits(
  fields: readonly string[],
  noun: 'record' | 'event',
  destination: { why: string; todo?: string },
): string {
  return `${fields.join(', ')} not lowered: past the limit a failing ${noun} is given up on, and with no on-failure destination it is lost without a trace (${unresolvedReason(destination)})`;
}
