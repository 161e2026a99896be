import { sqsQueueArn } from '../../aws/arn.js';
import type { FunctionFacts, Inventory } from '../../discovery/inventory.js';
import { failureQueueNameFor, isValidQueueName } from '../../policy/dlqName.js';
import { MANAGED_BY_VALUE, SQS_LIMITS, TAGS } from '../../policy/schema.js';
import type { Action } from '../model.js';

export type OnFailureSetting = { destinationArn: string } | { create: { nameSuffix: string } };

export type ResolvedDestination =
  | { kind: 'ok'; arn: string; actions: Action[] }
  | { kind: 'unresolved'; status: 'drift' | 'ticket'; why: string };

/**
 * Where a function's failed events should go: the policy's queue, or a queue edaguard creates
 * (or has created) for the function. Never a queue of that name that edaguard did not create.
 */
export function resolveFailureDestination(
  onFailure: OnFailureSetting | undefined,
  fn: FunctionFacts,
  inventory: Inventory,
): ResolvedDestination {
  if (!onFailure)
    return { kind: 'unresolved', status: 'drift', why: 'the policy sets no onFailure destination' };
  if ('destinationArn' in onFailure) return { kind: 'ok', arn: onFailure.destinationArn, actions: [] };
  const name = failureQueueNameFor(fn.name, onFailure.create.nameSuffix);
  const arn = sqsQueueArn(inventory.target, name);
  if (!isValidQueueName(name)) {
    return {
      kind: 'unresolved',
      status: 'ticket',
      why: `"${name}" is not a valid queue name: choose a shorter nameSuffix`,
    };
  }
  const candidate = inventory.queueNameCandidates.get(name);
  if (!candidate)
    return { kind: 'unresolved', status: 'drift', why: `could not check whether ${name} exists` };
  if (candidate.exists && !candidate.managedByEdaguard) {
    return {
      kind: 'unresolved',
      status: 'ticket',
      why: `a queue named ${name} exists but edaguard did not create it: set onFailure.destinationArn to it, or tag it ${TAGS.managedBy}=${MANAGED_BY_VALUE}`,
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
