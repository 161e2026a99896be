import type { QueueFacts } from '../../discovery/inventory.js';
import { SQS_LIMITS } from '../../policy/awsLimits.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `sqs-fifo-ordering`: a queue marked as needing strict ordering must be FIFO. A standard queue
 * cannot be converted, so this is always a ticket, never a write. Undefined: the queue is not
 * marked, and the rule says nothing about it.
 */
export function planFifoOrdering(
  queue: QueueFacts,
  settings: RuleSettings['sqs-fifo-ordering'],
): RuleVerdict | undefined {
  const [[tagKey, tagValue]] = Object.entries(settings.orderingTag) as [[string, string]];
  if (queue.tags[tagKey] !== tagValue) return undefined;
  const observed = { fifo: queue.fifo };
  if (queue.fifo)
    return {
      status: 'pass',
      observed,
      desired: observed,
      message: `FIFO, as ${tagKey}=${tagValue} requires`,
    };
  // A FIFO queue's name ends in .fifo and, like every queue name, has at most 80 characters.
  const fifoName = `${queue.name.slice(0, SQS_LIMITS.maxQueueNameLength - '.fifo'.length)}.fifo`;
  return {
    status: 'ticket',
    observed,
    desired: { fifo: true },
    message: `tagged ${tagKey}=${tagValue} but a standard queue delivers out of order and cannot be converted: create ${fifoName}, publish with the entity id (e.g. the order id) as MessageGroupId, move consumers over, then retire this queue`,
  };
}
