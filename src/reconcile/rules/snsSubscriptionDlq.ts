import { sqsQueueArn } from '../../aws/arn.js';
import type {
  TopicFacts as InventoryTopic,
  QueueNameCandidate,
  SubscriptionFacts,
  Target,
} from '../../discovery/inventory.js';
import { SQS_LIMITS } from '../../policy/awsLimits.js';
import { dlqNameFor } from '../../policy/dlqName.js';
import { MANAGED_BY_VALUE, TAGS } from '../../policy/reservedTags.js';
import type { Action } from '../model.js';
import { cannotUseDlqName } from './managedDlqName.js';

/**
 * `sns-subscription-dlq` (pure; planned in planTopics.ts): every confirmed subscription of a
 * topic, whatever its protocol, has a RedrivePolicy whose deadLetterTargetArn is an existing SQS
 * queue in the same account and region (FIFO for a FIFO topic). Fix: one DLQ per topic,
 * `<topic name><nameSuffix>[.fifo]`, created like the other DLQs edaguard creates, then each
 * subscription's RedrivePolicy set to it.
 */
export type { SubscriptionFacts } from '../../discovery/inventory.js';

/** What the rule needs of a topic. */
export type TopicFacts = Pick<InventoryTopic, 'arn' | 'name' | 'fifo'>;

export interface DlqFacts {
  readonly target: Target;
  /** Queues read in this account and region, by ARN: whether each exists and is FIFO. */
  readonly queues: ReadonlyMap<string, { readonly fifo: boolean }>;
  /** The name edaguard would create, as discovery found it (undefined: not checked). */
  readonly candidate: QueueNameCandidate | undefined;
}

export interface SnsDlqSettings {
  readonly create?: { readonly nameSuffix: string };
}

export interface SnsDlqVerdict {
  status: 'pass' | 'drift' | 'ticket' | 'skipped';
  observed: unknown;
  desired: unknown;
  message: string;
  /** The topic's DLQ's CreateQueue first (when it must be created), then each subscription's redrive. */
  actions?: Action[];
}

/** Why a subscription's DLQ is not usable, or undefined when it is. */
export function dlqProblem(sub: SubscriptionFacts, topic: TopicFacts, facts: DlqFacts): string | undefined {
  const target = sub.deadLetterTargetArn;
  if (target === undefined) return 'has no RedrivePolicy';
  if (target === null) return 'has a RedrivePolicy with no deadLetterTargetArn';
  const prefix = sqsQueueArn(facts.target, '');
  if (!target.startsWith(prefix)) return `redrives to ${target}, outside this account and region`;
  const queue = facts.queues.get(target);
  if (!queue) return `redrives to ${target}, which does not exist`;
  if (topic.fifo && !queue.fifo) return `redrives to ${target}, a standard queue for a FIFO topic`;
  return undefined;
}

export function planSnsSubscriptionDlq(
  topic: TopicFacts,
  subscriptions: readonly SubscriptionFacts[],
  settings: SnsDlqSettings,
  facts: DlqFacts,
): SnsDlqVerdict {
  const confirmed = subscriptions.filter((s) => !s.pendingConfirmation);
  if (confirmed.length === 0) {
    return { status: 'skipped', observed: null, desired: null, message: 'has no confirmed subscription' };
  }
  const problems = confirmed
    .map((sub) => ({ sub, why: dlqProblem(sub, topic, facts) }))
    .filter((p): p is { sub: SubscriptionFacts; why: string } => p.why !== undefined);
  const observed = Object.fromEntries(confirmed.map((s) => [s.arn, s.deadLetterTargetArn ?? null]));
  if (problems.length === 0) {
    return {
      status: 'pass',
      observed,
      desired: observed,
      message: `${confirmed.length} subscription(s) have a DLQ`,
    };
  }
  const why = problems.map((p) => `${p.sub.arn} (${p.sub.protocol}) ${p.why}`).join('; ');
  if (!settings.create) {
    return {
      status: 'drift',
      observed,
      desired: { deadLetterTargetArn: 'an SQS queue' },
      message: `${why}; add rules.sns-subscription-dlq.create to let edaguard create one`,
    };
  }
  const dlqName = dlqNameFor(topic.name, topic.fifo, settings.create.nameSuffix);
  const dlqArn = sqsQueueArn(facts.target, dlqName);
  const desired = { deadLetterTargetArn: dlqArn };
  const refusal = cannotUseDlqName(dlqName, facts.candidate, why);
  if (refusal) return { status: refusal.status, observed, desired, message: refusal.message };
  const redrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn });
  const redrives = problems.map(
    (p): Action => ({
      kind: 'SetSubscriptionAttributes',
      subscriptionArn: p.sub.arn,
      topicArn: topic.arn,
      attributeName: 'RedrivePolicy',
      value: redrivePolicy,
    }),
  );
  if (facts.candidate?.exists || facts.queues.has(dlqArn)) {
    return {
      status: 'drift',
      observed,
      desired,
      message: `${why}; attach ${dlqName} (ours)`,
      actions: redrives,
    };
  }
  const attributes: Record<string, string> = {
    MessageRetentionPeriod: String(SQS_LIMITS.maxRetentionSeconds),
    ...(topic.fifo ? { FifoQueue: 'true' } : {}),
  };
  const createQueue = {
    kind: 'CreateQueue' as const,
    queueArn: dlqArn,
    queueName: dlqName,
    attributes,
    tags: { [TAGS.managedBy]: MANAGED_BY_VALUE, [TAGS.dlqFor]: topic.arn },
  };
  return {
    status: 'drift',
    observed,
    desired,
    message: `${why}; create ${dlqName} and attach it`,
    actions: [createQueue, ...redrives],
  };
}
