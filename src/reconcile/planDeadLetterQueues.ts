import type { Inventory } from '../discovery/inventory.js';
import type { PolicySet } from '../policy/model.js';
import { isIgnored } from '../policy/selectors.js';
import { DLQ_RULES, type DlqEntry } from './dlqRegistry.js';
import type { Finding } from './model.js';
import { evaluate } from './ruleEvaluation.js';
import { planDlqAlarm } from './rules/alarms.js';
import { planDlqNotEmpty } from './rules/dlqNotEmpty.js';
import { planDlqRetention } from './rules/sqsDlqRetention.js';

/** The DLQ rules (retention, alarm, not empty) of each governed DLQ. */
export function planDeadLetterQueues(
  entries: Iterable<DlqEntry>,
  policySet: PolicySet,
  inventory: Inventory,
  findings: Finding[],
): void {
  for (const entry of entries) planDeadLetterQueue(entry, policySet, inventory, findings);
}

function planDeadLetterQueue(
  entry: DlqEntry,
  policySet: PolicySet,
  inventory: Inventory,
  findings: Finding[],
): void {
  // Policy-set order and sorted sources: the plan must not depend on the order tags were read in.
  const policies = policySet.policies.filter((p) => entry.policies.includes(p));
  const sources = [
    ...new Set([...entry.sources, ...(inventory.deadLetterSources.get(entry.arn) ?? [])]),
  ].sort();
  const subject = {
    resource: entry.arn,
    resourceType: 'sqs:queue' as const,
    tags: entry.facts?.tags ?? {},
  };
  const facts = entry.facts;
  if (facts && isIgnored(facts.tags)) {
    for (const rule of DLQ_RULES) {
      evaluate(findings, policies, 'sqs:queue', rule, subject, () => ({
        status: 'skipped',
        observed: null,
        desired: null,
        message: 'DLQ is tagged edaguard.dev/ignore=true',
      }));
    }
    return;
  }
  if (facts) {
    evaluate(findings, policies, 'sqs:queue', 'sqs-dlq-retention', subject, (s) =>
      planDlqRetention(facts, s, sources),
    );
    evaluate(findings, policies, 'sqs:queue', 'dlq-not-empty', subject, () =>
      planDlqNotEmpty(facts, sources),
    );
  }
  const alarms = inventory.alarms;
  if (alarms) {
    evaluate(findings, policies, 'sqs:queue', 'sqs-dlq-alarm', subject, (s) =>
      planDlqAlarm(entry, s, alarms),
    );
  }
}
