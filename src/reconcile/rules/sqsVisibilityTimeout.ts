import type { QueueConsumer, QueueFacts } from '../../discovery/inventory.js';
import { SQS_LIMITS } from '../../policy/awsLimits.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `sqs-visibility-timeout`: a message must stay invisible while any consumer may still be
 * working on it — multiple x function timeout, plus the time the batch waited to fill.
 */
export function requiredVisibilityTimeout(consumers: readonly QueueConsumer[], multiple: number): number {
  return governingConsumer(consumers, multiple)?.required ?? 0;
}

/** The consumer that needs the longest visibility timeout, and how long. */
function governingConsumer(
  consumers: readonly QueueConsumer[],
  multiple: number,
): { consumer: QueueConsumer; required: number } | undefined {
  let best: { consumer: QueueConsumer; required: number } | undefined;
  for (const consumer of consumers) {
    if (consumer.functionTimeoutSeconds === undefined) continue;
    const required = multiple * consumer.functionTimeoutSeconds + consumer.maximumBatchingWindowInSeconds;
    if (!best || required > best.required) best = { consumer, required };
  }
  return best;
}

export function planVisibilityTimeout(
  queue: QueueFacts,
  settings: RuleSettings['sqs-visibility-timeout'],
  consumers: readonly QueueConsumer[],
): RuleVerdict {
  const observed = { visibilityTimeout: queue.visibilityTimeout };
  const known = consumers.filter((c) => c.functionTimeoutSeconds !== undefined);
  if (known.length === 0) {
    const message =
      consumers.length === 0
        ? 'no Lambda consumers'
        : `consumers' timeouts unknown (${consumers.map((c) => c.functionArn).join(', ')})`;
    return { status: 'skipped', observed, desired: null, message };
  }
  const { consumer, required } = governingConsumer(known, settings.lambdaTimeoutMultiple) as {
    consumer: QueueConsumer;
    required: number;
  };
  const window = consumer.maximumBatchingWindowInSeconds;
  const basis = `${settings.lambdaTimeoutMultiple} x ${consumer.functionTimeoutSeconds} s timeout${window > 0 ? ` + ${window} s batching window` : ''} of ${consumer.functionArn}`;
  if (queue.visibilityTimeout >= required) {
    return {
      status: 'pass',
      observed,
      desired: observed,
      message: `${queue.visibilityTimeout} s >= ${required} s (${basis})`,
    };
  }
  const desired = { visibilityTimeout: required };
  if (required > SQS_LIMITS.maxVisibilityTimeoutSeconds) {
    return {
      status: 'ticket',
      observed,
      desired,
      message: `needs ${required} s (${basis}), above the SQS maximum of ${SQS_LIMITS.maxVisibilityTimeoutSeconds} s: shorten the function timeout or lower lambdaTimeoutMultiple`,
    };
  }
  return {
    status: 'drift',
    observed,
    desired,
    message: `${queue.visibilityTimeout} s < ${required} s (${basis}): messages reappear while still being processed`,
    actions: [
      {
        kind: 'SetQueueAttributes',
        queueArn: queue.arn,
        queueUrl: queue.url,
        attributes: { VisibilityTimeout: String(required) },
      },
    ],
  };
}
