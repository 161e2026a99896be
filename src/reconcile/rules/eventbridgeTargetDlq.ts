import { sqsQueueArn } from '../../aws/arn.js';
import type {
  EventRuleFacts,
  EventTargetFacts,
  QueueNameCandidate,
  Target,
} from '../../discovery/inventory.js';
import { SQS_LIMITS } from '../../policy/awsLimits.js';
import { dlqNameFor } from '../../policy/dlqName.js';
import { MANAGED_BY_VALUE, TAGS } from '../../policy/reservedTags.js';
import type { Action } from '../model.js';
import { cannotUseDlqName } from './managedDlqName.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `eventbridge-target-dlq` (pure; planned in planEventRules.ts): every target of a selected rule
 * has a DeadLetterConfig naming an existing standard SQS queue in the rule's account and region
 * (EventBridge DLQs must be standard queues), and a RetryPolicy within the limits (AWS's defaults,
 * 185 retries and 24 hours, when absent). Fix: one DLQ per rule, `<rule name><nameSuffix>`, created
 * like the other DLQs edaguard creates (with `create`), then one PutTargets sending each target to
 * change back whole with the DLQ and the capped retry policy. Retry limits are lowered only on a
 * target that has, or gets in the same write, a DLQ: never a cap without somewhere for failures to go.
 */
export interface EventbridgeDlqSettings {
  readonly maxRetryAttempts: number;
  readonly maxEventAgeSeconds: number;
  readonly create?: { readonly nameSuffix: string };
}

export interface EventDlqFacts {
  readonly target: Target;
  /** Queues read in this account and region, by ARN: whether each exists and is FIFO. */
  readonly queues: ReadonlyMap<string, { readonly fifo: boolean }>;
  /** The name edaguard would create, as discovery found it (undefined: not checked). */
  readonly candidate: QueueNameCandidate | undefined;
}

/** Why a target's DLQ is not usable, or undefined when it is. */
export function targetDlqProblem(target: EventTargetFacts, facts: EventDlqFacts): string | undefined {
  const dlq = target.deadLetterArn;
  if (dlq === undefined) return 'has no DeadLetterConfig';
  const prefix = sqsQueueArn(facts.target, '');
  if (!dlq.startsWith(prefix)) return `sends failures to ${dlq}, outside this account and region`;
  const queue = facts.queues.get(dlq);
  if (!queue) return `sends failures to ${dlq}, which does not exist`;
  if (queue.fifo) return `sends failures to ${dlq}, a FIFO queue (EventBridge DLQs must be standard queues)`;
  return undefined;
}

/** The RetryPolicy fields above the settings, with what they would be capped to. */
function limitsOver(target: EventTargetFacts, settings: EventbridgeDlqSettings): string[] {
  const over: string[] = [];
  if (target.maximumRetryAttempts > settings.maxRetryAttempts)
    over.push(`MaximumRetryAttempts ${target.maximumRetryAttempts} > ${settings.maxRetryAttempts}`);
  if (target.maximumEventAgeInSeconds > settings.maxEventAgeSeconds)
    over.push(`MaximumEventAgeInSeconds ${target.maximumEventAgeInSeconds} > ${settings.maxEventAgeSeconds}`);
  return over;
}

interface TargetCheck {
  readonly target: EventTargetFacts;
  readonly dlq: string | undefined;
  readonly over: readonly string[];
}

/** The target to send back: the answer whole, with the DLQ and the capped retry policy set. */
export function desiredTarget(
  target: EventTargetFacts,
  settings: EventbridgeDlqSettings,
  dlqArn: string | undefined,
): Record<string, unknown> {
  const retry = target.raw.RetryPolicy as Record<string, unknown> | undefined;
  const capped = limitsOver(target, settings).length > 0;
  return {
    ...target.raw,
    ...(dlqArn ? { DeadLetterConfig: { Arn: dlqArn } } : {}),
    ...(capped
      ? {
          RetryPolicy: {
            ...retry,
            MaximumRetryAttempts: Math.min(target.maximumRetryAttempts, settings.maxRetryAttempts),
            MaximumEventAgeInSeconds: Math.min(target.maximumEventAgeInSeconds, settings.maxEventAgeSeconds),
          },
        }
      : {}),
  };
}

/** The DLQ to attach to the targets lacking one: created first unless it exists. */
function newDlqFor(
  rule: EventRuleFacts,
  settings: EventbridgeDlqSettings,
  facts: EventDlqFacts,
  why: string,
): { arn?: string; actions: Action[]; refusal?: { status: 'ticket' | 'drift'; message: string } } {
  if (!settings.create) return { actions: [] };
  const name = dlqNameFor(rule.name, false, settings.create.nameSuffix);
  const arn = sqsQueueArn(facts.target, name);
  const refusal = cannotUseDlqName(name, facts.candidate, why);
  if (refusal) return { actions: [], refusal };
  if (facts.candidate?.exists || facts.queues.has(arn)) return { arn, actions: [] };
  const createQueue: Action = {
    kind: 'CreateQueue',
    queueArn: arn,
    queueName: name,
    attributes: { MessageRetentionPeriod: String(SQS_LIMITS.maxRetentionSeconds) },
    tags: { [TAGS.managedBy]: MANAGED_BY_VALUE, [TAGS.dlqFor]: rule.arn },
  };
  return { arn, actions: [createQueue] };
}

/** Each target's DLQ and retry limits, by Id. */
const observedOf = (rule: EventRuleFacts) =>
  Object.fromEntries(
    rule.targets.map((t) => [
      t.id,
      {
        deadLetterArn: t.deadLetterArn ?? null,
        maximumRetryAttempts: t.maximumRetryAttempts,
        maximumEventAgeInSeconds: t.maximumEventAgeInSeconds,
      },
    ]),
  );

export function planEventbridgeTargetDlq(
  rule: EventRuleFacts,
  settings: EventbridgeDlqSettings,
  facts: EventDlqFacts,
): RuleVerdict {
  if (rule.managedBy)
    return {
      status: 'skipped',
      observed: null,
      desired: null,
      message: `managed by ${rule.managedBy}: AWS manages its targets`,
    };
  if (rule.targets.length === 0)
    return { status: 'skipped', observed: null, desired: null, message: 'has no target' };
  const observed = observedOf(rule);
  const checks: TargetCheck[] = rule.targets.map((t) => ({
    target: t,
    dlq: targetDlqProblem(t, facts),
    over: limitsOver(t, settings),
  }));
  const bad = checks.filter((c) => c.dlq !== undefined || c.over.length > 0);
  const limits = {
    maximumRetryAttempts: settings.maxRetryAttempts,
    maximumEventAgeInSeconds: settings.maxEventAgeSeconds,
  };
  if (bad.length === 0)
    return {
      status: 'pass',
      observed,
      desired: { deadLetter: 'an SQS standard queue', ...limits },
      message: `${checks.length} target(s) have a DLQ and a RetryPolicy within the limits`,
    };
  const why = bad
    .map((c) => `target ${c.target.id} ${[c.dlq, ...c.over].filter(Boolean).join(', ')}`)
    .join('; ');
  const dlq = bad.some((c) => c.dlq !== undefined) ? newDlqFor(rule, settings, facts, why) : { actions: [] };
  const desired = { deadLetter: dlq.arn ?? 'an SQS standard queue', ...limits };
  const fixable = bad.filter((c) => c.dlq === undefined || dlq.arn !== undefined);
  const withheld = bad.filter((c) => c.dlq !== undefined && dlq.arn === undefined && c.over.length > 0);
  const notes = [
    ...(dlq.refusal ? [dlq.refusal.message] : [why]),
    ...(withheld.length > 0 && !dlq.refusal
      ? [
          `retry limits of ${withheld.map((c) => c.target.id).join(', ')} are not lowered until they have a DLQ`,
        ]
      : []),
    ...(!settings.create && bad.some((c) => c.dlq !== undefined)
      ? ['add rules.eventbridge-target-dlq.create to let edaguard create one']
      : []),
  ];
  if (fixable.length === 0) {
    const status = dlq.refusal?.status ?? (withheld.length > 0 ? 'ticket' : 'drift');
    return { status, observed, desired, message: notes.join('; ') };
  }
  const putTargets: Action = {
    kind: 'PutTargets',
    ruleArn: rule.arn,
    ruleName: rule.name,
    eventBusName: rule.eventBusName,
    targets: fixable.map((c) => desiredTarget(c.target, settings, c.dlq !== undefined ? dlq.arn : undefined)),
    planned: fixable.map((c) => c.target.raw),
  };
  return {
    status: 'drift',
    observed,
    desired,
    message: [
      ...notes,
      `PutTargets ${fixable.map((c) => c.target.id).join(', ')}${dlq.arn ? ` with ${dlq.arn}` : ''}`,
    ].join('; '),
    actions: [...dlq.actions, putTargets],
  };
}
