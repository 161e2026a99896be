import type { Inventory } from '../discovery/inventory.js';
import type { PolicySet } from '../policy/model.js';
import type { ResourceType } from '../policy/ruleSettings.js';
import { policySelects } from '../policy/selectors.js';
import { governEdgeDlqs } from './governEdgeDlqs.js';
import type { Finding, Plan } from './model.js';
import { planDeadLetterQueues } from './planDeadLetterQueues.js';
import { planDeliveryPermissions } from './planDeliveryPermissions.js';
import { planEventRules } from './planEventRules.js';
import { planFailureMetricAlarmsOf } from './planFailureMetricAlarms.js';
import { planFunction } from './planFunction.js';
import { planDlqEdges } from './plannedDlqEdges.js';
import { planPipes } from './planPipes.js';
import { planQueues } from './planQueues.js';
import { planTopics } from './planTopics.js';
import { readErrorFindings } from './readErrorFindings.js';
import { evaluate } from './ruleEvaluation.js';
import { planIdempotencyStore } from './rules/idempotencyStore.js';
import { planStreamRetention } from './rules/streamRetention.js';
import { shareCreatedQueues } from './shareCreatedQueues.js';
import { applyWaivers } from './waivers.js';

export { resolveRule } from './ruleEvaluation.js';

/**
 * plan(policies, inventory) → findings with the writes that fix them. Pure: no I/O, no clock;
 * the same inputs always give the same plan, in the same order. `now` is the day waivers
 * (spec.exceptions) are judged on; without it they are not applied.
 */
export function plan(policySet: PolicySet, inventory: Inventory, options: { now?: Date } = {}): Plan {
  const { now } = options;
  const waive = (list: Finding[]) => (now ? applyWaivers(list, policySet.policies, now) : list);
  const findings: Finding[] = readErrorFindings(inventory);
  const selectingOf = (type: ResourceType, tags: Readonly<Record<string, string>>) =>
    policySet.policies.filter((p) => policySelects(p, type, tags));

  const dlqs = planQueues(inventory, findings, selectingOf);
  for (const resource of inventory.tagged) {
    if (resource.type === 'lambda:function') {
      const fn = inventory.functions.get(resource.arn);
      const selecting = selectingOf('lambda:function', resource.tags);
      if (fn && selecting.length > 0) planFunction(fn, selecting, inventory, findings);
    }
    if (resource.type === 'dynamodb:table') {
      const table = inventory.tables.get(resource.arn);
      const selecting = selectingOf('dynamodb:table', resource.tags);
      if (!table || selecting.length === 0) continue;
      evaluate(
        findings,
        selecting,
        'dynamodb:table',
        'idempotency-store',
        { resource: table.arn, resourceType: 'dynamodb:table', tags: table.tags },
        (s) => planIdempotencyStore(table, s),
      );
    }
  }

  for (const stream of inventory.streams?.values() ?? []) {
    const subject = { resource: stream.arn, resourceType: 'kinesis:stream' as const, tags: stream.tags };
    const selecting = selectingOf('kinesis:stream', stream.tags);
    evaluate(findings, selecting, 'kinesis:stream', 'stream-retention', subject, (s) =>
      planStreamRetention(stream, s),
    );
  }

  planTopics(inventory, findings, selectingOf);
  planEventRules(inventory, findings, selectingOf);
  planPipes(inventory, findings, selectingOf);
  planFailureMetricAlarmsOf(inventory, findings, selectingOf);
  // The DLQ rules once every edge is known: they judge the DLQs of queues, topics, rules, pipes
  // and functions, those this plan creates included.
  // Waived findings write nothing, so they create no edge (nor a grant for one).
  findings.splice(0, findings.length, ...waive(findings));
  // The edges discovery read and those this plan's writes create, built once for both users.
  const dlqEdges = planDlqEdges(inventory, findings);
  governEdgeDlqs(dlqs, inventory, dlqEdges, selectingOf);
  planDeadLetterQueues(dlqs.entries(), policySet, inventory, findings);

  // After every rule that sets a dead-letter edge: the grants follow the edges this plan creates.
  planDeliveryPermissions(inventory, findings, dlqEdges, selectingOf);

  findings.sort((a, b) => a.resource.localeCompare(b.resource) || a.rule.localeCompare(b.rule));
  return { target: inventory.target, findings: shareCreatedQueues(waive(findings)) };
}
