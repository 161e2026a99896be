import type { Inventory } from '../discovery/inventory.js';
import { dlqNameFor } from '../policy/dlqName.js';
import type { Finding } from './model.js';
import { evaluate, type SelectingPolicies } from './ruleEvaluation.js';
import { planSnsSubscriptionDlq } from './rules/snsSubscriptionDlq.js';

/** The SNS rules: sns-subscription-dlq on each selected topic discovery read. */
export function planTopics(inventory: Inventory, findings: Finding[], selectingOf: SelectingPolicies): void {
  const queues = new Map([...inventory.queues.values()].map((q) => [q.arn, { fifo: q.fifo }]));
  for (const topic of inventory.topics?.values() ?? []) {
    const selecting = selectingOf('sns:topic', topic.tags);
    if (selecting.length === 0) continue;
    const subject = { resource: topic.arn, resourceType: 'sns:topic' as const, tags: topic.tags };
    evaluate(findings, selecting, 'sns:topic', 'sns-subscription-dlq', subject, (settings) => {
      const name = settings.create && dlqNameFor(topic.name, topic.fifo, settings.create.nameSuffix);
      const candidate = name === undefined ? undefined : inventory.queueNameCandidates.get(name);
      return planSnsSubscriptionDlq(topic, topic.subscriptions, settings, {
        target: inventory.target,
        queues,
        candidate,
      });
    });
  }
}
