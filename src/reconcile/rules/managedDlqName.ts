import type { QueueNameCandidate } from '../../discovery/inventory.js';
import { SQS_LIMITS } from '../../policy/awsLimits.js';
import { isValidQueueName } from '../../policy/dlqName.js';
import { MANAGED_BY_VALUE, TAGS } from '../../policy/reservedTags.js';

/** Why a DLQ edaguard would create or adopt cannot be used: a ticket, or drift to look at again. */
export interface DlqNameRefusal {
  readonly status: 'ticket' | 'drift';
  readonly message: string;
}

/**
 * Why edaguard may neither create nor adopt a DLQ of this name (undefined: it may): the name is
 * invalid, discovery could not check it (`candidate` undefined), or a queue of that name exists
 * that edaguard did not create. Shared by every rule that creates DLQs (SQS queues, SNS topics).
 */
export function cannotUseDlqName(
  dlqName: string,
  candidate: QueueNameCandidate | undefined,
  why: string,
): DlqNameRefusal | undefined {
  if (!isValidQueueName(dlqName)) {
    return {
      status: 'ticket',
      message: `${why}; the DLQ name "${dlqName}" is not a valid queue name (at most ${SQS_LIMITS.maxQueueNameLength} characters): choose a shorter nameSuffix`,
    };
  }
  if (!candidate) return { status: 'drift', message: `${why}; could not check whether ${dlqName} exists` };
  if (candidate.exists && !candidate.managedByEdaguard) {
    return {
      status: 'ticket',
      message: `${why}; a queue named ${dlqName} exists but edaguard did not create it: attach it yourself, or tag it ${TAGS.managedBy}=${MANAGED_BY_VALUE} to let edaguard adopt it`,
    };
  }
  return undefined;
}
