import { sqsQueueArn } from '../../aws/arn.js';
import type { Inventory, QueueFacts, RedrivePolicy } from '../../discovery/inventory.js';
import { SQS_LIMITS } from '../../policy/awsLimits.js';
import { dlqNameFor } from '../../policy/dlqName.js';
import { MANAGED_BY_VALUE, TAGS } from '../../policy/reservedTags.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { Action } from '../model.js';
import { cannotUseDlqName } from './managedDlqName.js';
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
  const current = queue.redrivePolicy;
  if (current && !inventory.missingQueues.has(current.deadLetterTargetArn)) {
    return checkMaxReceiveCount(queue, current, settings.maxReceiveCount);
  }
  const why = current ? `its DLQ ${current.deadLetterTargetArn} does not exist` : 'it has no DLQ';
  return provideDeadLetterQueue(queue, settings, inventory, retentionMinSeconds, why);
}

/** A queue whose DLQ exists: only its maxReceiveCount can drift. */
function checkMaxReceiveCount(
  queue: QueueFacts,
  current: RedrivePolicy,
  range: Settings['maxReceiveCount'],
): RuleVerdict {
  const { min, max, default: wanted } = range;
  const observed = { ...current };
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

/**
 * A queue with no usable DLQ (`why` says which): create `<name><suffix>[.fifo]` or adopt the one
 * edaguard made earlier; never a queue of that name that edaguard did not create.
 */
function provideDeadLetterQueue(
  queue: QueueFacts,
  settings: Settings,
  inventory: Inventory,
  retentionMinSeconds: number | undefined,
  why: string,
): RuleVerdict {
  const observed = queue.redrivePolicy ? { ...queue.redrivePolicy } : null;
  const wanted = settings.maxReceiveCount.default;
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
  const refusal = cannotUseDlqName(dlqName, inventory.queueNameCandidates.get(dlqName), why);
  if (refusal) return { status: refusal.status, observed, desired, message: refusal.message };
  const attach = setRedrive(queue, dlqArn, wanted);
  if (inventory.queueNameCandidates.get(dlqName)?.exists) {
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
