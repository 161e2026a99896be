import type { Inventory, QueueFacts } from '../discovery/inventory.js';
import type { Policy } from '../policy/model.js';
import type { RuleId } from '../policy/ruleSettings.js';
import { policyGoverns } from '../policy/selectors.js';
import { DlqRegistry } from './dlqRegistry.js';
import type { Finding } from './model.js';
import { evaluate, resolveRule, type SelectingPolicies } from './ruleEvaluation.js';
import { planQueueDeadLetter } from './rules/sqsDeadLetterQueue.js';
import { planFifoOrdering } from './rules/sqsFifoOrdering.js';
import { planVisibilityTimeout } from './rules/sqsVisibilityTimeout.js';
import type { RuleVerdict } from './rules/verdict.js';

/**
 * The SQS rules of each selected queue; returns the DLQs they send to, with the policies that
 * govern them (their DLQ rules are planned once every edge is known: see plan.ts).
 */
export function planQueues(
  inventory: Inventory,
  findings: Finding[],
  selectingOf: SelectingPolicies,
): DlqRegistry {
  const dlqs = new DlqRegistry();
  for (const resource of inventory.tagged) {
    if (resource.type !== 'sqs:queue') continue;
    const queue = inventory.queues.get(resource.arn);
    if (!queue) continue;
    const selecting = selectingOf('sqs:queue', resource.tags);
    if (selecting.length === 0) continue;
    const dlqVerdict = planQueue(queue, selecting, inventory, findings);
    dlqs.governDlqsOf(queue, selecting, dlqVerdict, inventory);
  }
  return dlqs;
}

/** One selected queue's own rules; returns the dead-letter-queue rule's verdict (what it creates). */
function planQueue(
  queue: QueueFacts,
  selecting: readonly Policy[],
  inventory: Inventory,
  findings: Finding[],
): RuleVerdict | undefined {
  const subject = { resource: queue.arn, resourceType: 'sqs:queue' as const, tags: queue.tags };
  const applicable = (rule: RuleId) => selecting.filter((p) => policyGoverns(p, rule, 'sqs:queue'));
  // A DLQ edaguard creates starts with the retention that the retention rule asks for.
  const retention = resolveRule(applicable('sqs-dlq-retention'), 'sqs-dlq-retention');
  const minRetention = retention.kind === 'governed' ? retention.settings.minSeconds : undefined;
  const dlqVerdict = evaluate(findings, selecting, 'sqs:queue', 'sqs-dead-letter-queue', subject, (s) =>
    planQueueDeadLetter(queue, s, inventory, minRetention),
  );
  if (inventory.consumers) {
    const consumers = inventory.consumers.get(queue.arn) ?? [];
    evaluate(findings, selecting, 'sqs:queue', 'sqs-visibility-timeout', subject, (s) =>
      planVisibilityTimeout(queue, s, consumers),
    );
  }
  evaluate(findings, selecting, 'sqs:queue', 'sqs-fifo-ordering', subject, (s) => planFifoOrdering(queue, s));
  return dlqVerdict;
}
