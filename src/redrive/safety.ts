/** Pure redrive safety checks: what a queue's attributes allow, decided before any message moves. */

export interface RedriveAllowPolicy {
  redrivePermission: 'allowAll' | 'denyAll' | 'byQueue' | 'invalid';
  sourceQueueArns: string[];
}

export interface QueueFacts {
  url: string;
  arn: string;
  fifo: boolean;
  redriveAllowPolicy?: RedriveAllowPolicy;
  approximateMessages: number;
  /** In flight (received, not yet deleted or visible again). */
  approximateNotVisible?: number;
}

/** The RedriveAllowPolicy attribute (a JSON string); an unreadable one is `invalid`, which refuses. */
export function parseRedriveAllowPolicy(text: string | undefined): RedriveAllowPolicy | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const value = JSON.parse(text) as { redrivePermission?: unknown; sourceQueueArns?: unknown };
    const permission = value.redrivePermission;
    const arns = Array.isArray(value.sourceQueueArns)
      ? value.sourceQueueArns.filter((a): a is string => typeof a === 'string')
      : [];
    if (permission === 'allowAll' || permission === 'denyAll' || permission === 'byQueue')
      return { redrivePermission: permission, sourceQueueArns: arns };
  } catch {
    // fall through: an attribute we cannot read is treated as forbidding
  }
  return { redrivePermission: 'invalid', sourceQueueArns: [] };
}

/**
 * Why moving the messages of `dlq` into `target` is refused; empty when it is allowed.
 * - A target's RedriveAllowPolicy says which queues may hand it their failed messages: `denyAll`
 *   or a `byQueue` list without this DLQ forbids it (edaguard honours it for moves as well).
 * - FIFO and standard do not mix: a FIFO message needs its group id to keep its order, and a
 *   standard message has none to give.
 */
export function redriveRefusals(dlq: QueueFacts, target: QueueFacts): string[] {
  const reasons: string[] = [];
  if (dlq.arn === target.arn) reasons.push(`the target ${target.arn} is the DLQ itself`);
  const policy = target.redriveAllowPolicy;
  if (policy?.redrivePermission === 'denyAll')
    reasons.push(`${target.arn} has RedriveAllowPolicy denyAll: it accepts no queue's failed messages`);
  else if (policy?.redrivePermission === 'byQueue' && !policy.sourceQueueArns.includes(dlq.arn))
    reasons.push(
      `${target.arn} has RedriveAllowPolicy byQueue without ${dlq.arn} (allowed: ${policy.sourceQueueArns.join(', ') || 'none'})`,
    );
  else if (policy?.redrivePermission === 'invalid')
    reasons.push(`${target.arn} has a RedriveAllowPolicy edaguard cannot read: refusing to guess`);
  if (dlq.fifo && !target.fifo)
    reasons.push(
      `${dlq.arn} is FIFO and ${target.arn} is standard: message order and group ids would be lost`,
    );
  if (!dlq.fifo && target.fifo)
    reasons.push(`${dlq.arn} is standard and ${target.arn} is FIFO: its messages have no group id to keep`);
  return reasons;
}
