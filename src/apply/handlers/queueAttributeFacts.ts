import type { QueueFacts } from '../../discovery/inventory.js';

/**
 * Every ARN a queue's attributes name: an attribute that is an ARN, a RedrivePolicy's DLQ, a
 * RedriveAllowPolicy's source queues. Read defensively: the lease check passes what it is given.
 */
export function arnsInQueueAttributes(attributes: Readonly<Record<string, string>> | undefined): string[] {
  const arns: string[] = [];
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (typeof value !== 'string') continue;
    if (value.startsWith('arn:')) arns.push(value);
    if (name !== 'RedrivePolicy' && name !== 'RedriveAllowPolicy') continue;
    try {
      const parsed = JSON.parse(value) as { deadLetterTargetArn?: unknown; sourceQueueArns?: unknown };
      if (typeof parsed.deadLetterTargetArn === 'string') arns.push(parsed.deadLetterTargetArn);
      if (Array.isArray(parsed.sourceQueueArns))
        arns.push(...parsed.sourceQueueArns.filter((a): a is string => typeof a === 'string'));
    } catch {
      // not JSON (an empty RedrivePolicy removes it): names no ARN
    }
  }
  return arns;
}

/** The queue attribute as discovery saw it, in the form SQS returns (undefined: absent). */
export function observedQueueAttribute(facts: QueueFacts, name: string): string | undefined {
  switch (name) {
    case 'VisibilityTimeout':
      return String(facts.visibilityTimeout);
    case 'MessageRetentionPeriod':
      return String(facts.messageRetentionPeriod);
    case 'RedrivePolicy':
      return facts.redrivePolicy ? JSON.stringify(facts.redrivePolicy) : undefined;
    default:
      // Not an attribute the planner writes; nothing to compare with.
      return undefined;
  }
}
