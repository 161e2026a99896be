import type { Inventory } from '../discovery/inventory.js';
import { dlqNameFor } from '../policy/dlqName.js';
import type { Finding } from './model.js';
import { evaluate, type SelectingPolicies } from './ruleEvaluation.js';
import { planEventbridgeTargetDlq } from './rules/eventbridgeTargetDlq.js';

/** The EventBridge rule rules: eventbridge-target-dlq on each selected rule discovery read. */
export function planEventRules(
  inventory: Inventory,
  findings: Finding[],
  selectingOf: SelectingPolicies,
): void {
  const queues = new Map([...inventory.queues.values()].map((q) => [q.arn, { fifo: q.fifo }]));
  for (const rule of inventory.eventRules?.values() ?? []) {
    const selecting = selectingOf('events:rule', rule.tags);
    if (selecting.length === 0) continue;
    const subject = { resource: rule.arn, resourceType: 'events:rule' as const, tags: rule.tags };
    evaluate(findings, selecting, 'events:rule', 'eventbridge-target-dlq', subject, (settings) => {
      const name = settings.create && dlqNameFor(rule.name, false, settings.create.nameSuffix);
      const candidate = name === undefined ? undefined : inventory.queueNameCandidates.get(name);
      return planEventbridgeTargetDlq(rule, settings, { target: inventory.target, queues, candidate });
    });
  }
}
