import { sqsQueueArn } from '../../aws/arn.js';
import type { Inventory, QueueFacts } from '../../discovery/inventory.js';
import { dlqNameFor, isValidQueueName } from '../../policy/dlqName.js';
import { MANAGED_BY_VALUE, type RuleSettings, SQS_LIMITS, TAGS } from '../../policy/schema.js';
import type { Action } from '../model.js';
import type { RuleVerdict } from './verdict.js';

type Settings = RuleSettings['sqs-dead-letter-queue'];

/** Retention of a DLQ edaguard creates: create.retentionSeconds, else the retention rule's minimum, else 14 days. */
export function createdDlqRetention(settings: Settings, retentionMinSeconds: number | undefined): number {
  return settings.create?.retentionSeconds ?? retentionMinSeconds ?? SQS_LIMITS.maxRetentionSeconds;
}

/** The attributes a new DLQ inherits from its source: FIFO-ness and encryption. */
export function dlqAttributesFor(source: QueueFacts, retentionSeconds: number): Record<string, string> {
  const attributes: Record<string, string> = { MessageRetentionPeriod: String(retentionSeconds) };
  if (source.fifo) attributes.FifoQueue = 'true';
  if (source.kmsMasterKeyId) {
    attributes.KmsMasterKeyId = source.kmsMasterKeyId;
    attributes.KmsDataKeyReusePeriodSeconds = String(source.kmsDataKeyReusePeriodSeconds ?? 300);
  } else if (source.sqsManagedSseEnabled) {
    attributes.SqsManagedSseEnabled = 'true';
  }
  return attributes;
}

export function redrivePolicyJson(deadLetterTargetArn: string, maxReceiveCount: number): string {
  return JSON.stringify({ deadLetterTargetArn, maxReceiveCount });
}

/**
 * `sqs-dead-letter-queue`: a redrive policy exists, its target exists, and maxReceiveCount lies
 * within range. Fix: create (or adopt our own) `<name><suffix>[.fifo]`, then set RedrivePolicy.
 */
export function planQueueDeadLetter(
  queue: QueueFacts,
  settings: Settings,
  inventory: Inventory,
  retentionMinSeconds: number | undefined,
): RuleVerdict {
  const sources = inventory.deadLetterSources.get(queue.arn);
  if (sources && sources.length > 0) {
    return {
      status: 'skipped',
      observed: { deadLetterSourceOf: sources },
      desired: null,
      message: `is the DLQ of ${sources.join(', ')}; a DLQ needs no DLQ`,
    };
  }
  const { min, max, default: wanted } = settings.maxReceiveCount;
  const current = queue.redrivePolicy;
  const observed = current ? { ...current } : null;

  if (current && !inventory.missingQueues.has(current.deadLetterTargetArn)) {
    if (current.maxReceiveCount >= min && current.maxReceiveCount <= max) {
      return {
        status: 'pass',
        observed,
        desired: observed,
        message: `redrives to ${current.deadLetterTargetArn}`,
      };
    }
    const desired = { deadLetterTargetArn: current.deadLetterTargetArn, maxReceiveCount: wanted };
    return {
      status: 'drift',
      observed,
      desired,
      message: `maxReceiveCount ${current.maxReceiveCount} is outside [${min}, ${max}]; set to ${wanted}`,
      actions: [setRedrive(queue, desired.deadLetterTargetArn, wanted)],
    };
  }

  const why = current ? `its DLQ ${current.deadLetterTargetArn} does not exist` : 'it has no DLQ';
  if (!settings.create) {
    return {
      status: 'drift',
      observed,
      desired: { maxReceiveCount: wanted },
      message: `${why}; add rules.sqs-dead-letter-queue.create to let edaguard create one`,
    };
  }
  const dlqName = dlqNameFor(queue.name, queue.fifo, settings.create.nameSuffix);
  const dlqArn = sqsQueueArn(inventory.target, dlqName);
  const desired = { deadLetterTargetArn: dlqArn, maxReceiveCount: wanted };
  if (!isValidQueueName(dlqName)) {
    return {
      status: 'ticket',
      observed,
      desired,
      message: `${why}; the DLQ name "${dlqName}" is not a valid queue name (at most ${SQS_LIMITS.maxQueueNameLength} characters): choose a shorter nameSuffix`,
    };
  }
  const candidate = inventory.queueNameCandidates.get(dlqName);
  if (!candidate) {
    return {
      status: 'drift',
      observed,
      desired,
      message: `${why}; could not check whether ${dlqName} exists`,
    };
  }
  if (candidate.exists && !candidate.managedByEdaguard) {
    return {
      status: 'ticket',
      observed,
      desired,
      message: `${why}; a queue named ${dlqName} exists but edaguard did not create it: attach it yourself, or tag it ${TAGS.managedBy}=${MANAGED_BY_VALUE} to let edaguard adopt it`,
    };
  }
  const attach = setRedrive(queue, dlqArn, wanted);
  if (candidate.exists) {
    return {
      status: 'drift',
      observed,
      desired,
      message: `${why}; adopt ${dlqName} (ours) as its DLQ`,
      actions: [attach],
    };
  }
  const create: Action = {
    kind: 'CreateQueue',
    queueArn: dlqArn,
    queueName: dlqName,
    attributes: dlqAttributesFor(queue, createdDlqRetention(settings, retentionMinSeconds)),
    tags: { [TAGS.managedBy]: MANAGED_BY_VALUE, [TAGS.dlqFor]: queue.arn },
  };
  return {
    status: 'drift',
    observed,
    desired,
    message: `${why}; create ${dlqName} and attach it`,
    actions: [create, attach],
  };
}

function setRedrive(queue: QueueFacts, deadLetterTargetArn: string, maxReceiveCount: number): Action {
  return {
    kind: 'SetQueueAttributes',
    queueArn: queue.arn,
    queueUrl: queue.url,
    attributes: { RedrivePolicy: redrivePolicyJson(deadLetterTargetArn, maxReceiveCount) },
  };
}
