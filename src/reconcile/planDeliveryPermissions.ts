import { sqsQueueArn } from '../aws/arn.js';
import type { Inventory, QueueFacts } from '../discovery/inventory.js';
import type { Policy } from '../policy/model.js';
import { TAGS } from '../policy/reservedTags.js';
import type { ResourceType } from '../policy/ruleSettings.js';
import { policyGoverns } from '../policy/selectors.js';
import type { DlqSourceType } from './dlqGraph.js';
import type { Finding } from './model.js';
import type { PlanDlqEdges } from './plannedDlqEdges.js';
import { evaluate, type SelectingPolicies } from './ruleEvaluation.js';
import { type DeliveryEdge, planDlqDeliveryPermission } from './rules/dlqDeliveryPermission.js';

const RULE = 'dlq-delivery-permission';

/** The services that deliver to a DLQ under a queue policy (the others use their role's IAM). */
const SERVICE_OF: Partial<Record<DlqSourceType, DeliveryEdge['servicePrincipal']>> = {
  'sns:topic': 'sns.amazonaws.com',
  'events:rule': 'events.amazonaws.com',
};

/** A delivery edge into one DLQ, with the policies that govern the rule on its source. */
interface GovernedEdge extends DeliveryEdge {
  readonly dlqArn: string;
  readonly policies: readonly Policy[];
  /** The finding whose writes create this edge (a redrive policy set this cycle). */
  readonly plannedBy?: string;
}

/** Every SNS subscription and EventBridge target DLQ edge, read (the DLQ graph) or planned in this cycle. */
function deliveryEdges(inventory: Inventory, dlqEdges: PlanDlqEdges, selectingOf: SelectingPolicies) {
  const tagsOf = (type: DlqSourceType, arn: string) =>
    (type === 'sns:topic' ? inventory.topics : inventory.eventRules)?.get(arn)?.tags;
  const edges: GovernedEdge[] = [];
  for (const edge of [...dlqEdges.read, ...dlqEdges.planned]) {
    const servicePrincipal = SERVICE_OF[edge.sourceType];
    const tags = tagsOf(edge.sourceType, edge.source);
    if (!servicePrincipal || !tags) continue;
    const type = edge.sourceType as ResourceType;
    const policies = selectingOf(type, tags).filter((p) => policyGoverns(p, RULE, type));
    if (policies.length === 0) continue;
    const plannedBy = 'plannedBy' in edge ? edge.plannedBy : undefined;
    edges.push({
      servicePrincipal,
      sourceArn: edge.source,
      dlqArn: edge.dlq,
      policies,
      ...(plannedBy ? { plannedBy } : {}),
    });
  }
  return edges;
}

/**
 * dlq-delivery-permission on every DLQ that a selected topic's subscription or a selected rule's
 * target names (or will name, once this plan's writes are done): one finding per DLQ. A DLQ in
 * another account or region, one that does not exist (its edge's own rule reports that) and one
 * tagged edaguard.dev/ignore are left alone.
 */
export function planDeliveryPermissions(
  inventory: Inventory,
  findings: Finding[],
  dlqEdges: PlanDlqEdges,
  selectingOf: SelectingPolicies,
): void {
  const prefix = sqsQueueArn(inventory.target, '');
  const { created } = dlqEdges;
  const byDlq = new Map<string, GovernedEdge[]>();
  for (const edge of deliveryEdges(inventory, dlqEdges, selectingOf)) {
    if (!edge.dlqArn.startsWith(prefix)) continue;
    byDlq.set(edge.dlqArn, [...(byDlq.get(edge.dlqArn) ?? []), edge]);
  }
  for (const [dlqArn, edges] of [...byDlq].sort(([a], [b]) => a.localeCompare(b))) {
    const queue: QueueFacts | undefined = inventory.queues.get(dlqArn);
    const creator = created.get(dlqArn);
    if ((!queue && !creator) || queue?.tags[TAGS.ignore] === 'true') continue;
    const kmsKey = queue?.kmsMasterKeyId ? inventory.kmsKeys?.get(queue.kmsMasterKeyId) : undefined;
    const unique = new Map(edges.map((e) => [`${e.servicePrincipal} ${e.sourceArn}`, e]));
    const policies = [...new Set(edges.flatMap((e) => e.policies))];
    const subject = { resource: dlqArn, resourceType: 'sqs:queue' as const, tags: queue?.tags ?? {} };
    const before = findings.length;
    evaluate(findings, policies, 'sns:topic', RULE, subject, () =>
      planDlqDeliveryPermission(
        {
          arn: dlqArn,
          ...(queue?.policy ? { policy: queue.policy } : {}),
          ...(queue?.kmsMasterKeyId ? { kmsMasterKeyId: queue.kmsMasterKeyId } : {}),
          ...(kmsKey ? { kmsKey } : {}),
        },
        [...unique.values()].sort((a, b) => a.sourceArn.localeCompare(b.sourceArn)),
      ),
    );
    const dependsOn = [
      ...new Set([
        ...(creator ? [creator] : []),
        ...edges.flatMap((e) => (e.plannedBy ? [e.plannedBy] : [])),
      ]),
    ];
    const added = findings[before];
    if (added && added.rule === RULE && added.status === 'drift' && dependsOn.length > 0) {
      findings[before] = { ...added, dependsOn };
    }
  }
}
