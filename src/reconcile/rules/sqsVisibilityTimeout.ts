import type { QueueConsumer, QueueFacts } from '../../discovery/inventory.js';
import { type RuleSettings, SQS_LIMITS } from '../../policy/schema.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `sqs-visibility-timeout`: a message must stay invisible while any consumer may still be
 * working on it — multiple x function timeout, plus the time the batch waited to fill.
 */
export function requiredVisibilityTimeout(consumers: readonly QueueConsumer[], multiple: number): number {
  let required = 0;
  for (const c of consumers) {
    if (c.functionTimeoutSeconds === undefined) continue;
    required = Math.max(required, multiple * c.functionTimeoutSeconds + c.maximumBatchingWindowInSeconds);
  }
  return required;
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
  const required = requiredVisibilityTimeout(known, settings.lambdaTimeoutMultiple);
  const longest = known.reduce((a, b) =>
    (b.functionTimeoutSeconds ?? 0) > (a.functionTimeoutSeconds ?? 0) ? b : a,
  );
  const basis = `${settings.lambdaTimeoutMultiple} x ${longest.functionTimeoutSeconds} s timeout of ${longest.functionArn}`;
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
      status: 'drift',
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
