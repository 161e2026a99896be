import { parseArn, sqsQueueArn, unqualifiedFunctionArn } from '../aws/arn.js';
import type { Inventory } from '../discovery/inventory.js';
import type { ResourceType } from '../policy/ruleSettings.js';
import { policyGoverns } from '../policy/selectors.js';
import type { DlqSourceType } from './dlqGraph.js';
import { DLQ_RULES, type DlqRegistry } from './dlqRegistry.js';
import type { PlanDlqEdges } from './plannedDlqEdges.js';
import type { SelectingPolicies } from './ruleEvaluation.js';

interface EdgeIntoQueue {
  readonly source: string;
  readonly sourceType: DlqSourceType;
  readonly dlq: string;
  /** Mapping edges: the function the mapping invokes (its tags select the edge). */
  readonly functionArn?: string;
}

/** The selectable resource (type and tags) whose policies govern an edge's DLQ; undefined if not read. */
function selectingSubject(
  edge: EdgeIntoQueue,
  inventory: Inventory,
): { type: ResourceType; tags: Readonly<Record<string, string>> } | undefined {
  const tagsOf = (map: ReadonlyMap<string, { tags: Readonly<Record<string, string>> }> | undefined) =>
    map?.get(edge.source)?.tags;
  const withTags = (type: ResourceType, tags: Readonly<Record<string, string>> | undefined) =>
    tags ? { type, tags } : undefined;
  switch (edge.sourceType) {
    case 'sns:topic':
      return withTags('sns:topic', tagsOf(inventory.topics));
    case 'events:rule':
      return withTags('events:rule', tagsOf(inventory.eventRules));
    case 'pipes:pipe':
      return withTags('pipes:pipe', tagsOf(inventory.pipes));
    case 'lambda:function':
      return withTags('lambda:function', inventory.functions.get(unqualifiedFunctionArn(edge.source))?.tags);
    case 'lambda:event-source-mapping': {
      const fn = edge.functionArn ?? inventory.mappings.find((m) => m.arn === edge.source)?.functionArn;
      return withTags(
        'lambda:function',
        fn ? inventory.functions.get(unqualifiedFunctionArn(fn))?.tags : undefined,
      );
    }
    default:
      return undefined; // SQS redrive: governed queue by queue (DlqRegistry.governDlqsOf)
  }
}

/**
 * The DLQ rules (retention, alarm, not empty) of the policies that select a topic, a rule, a pipe
 * or a function govern the SQS queues its failures go to: the edges discovery read (the DLQ graph)
 * and those this plan's writes create. A DLQ known not to exist is left to its edge's own rule.
 */
export function governEdgeDlqs(
  registry: DlqRegistry,
  inventory: Inventory,
  dlqEdges: PlanDlqEdges,
  selectingOf: SelectingPolicies,
): void {
  const prefix = sqsQueueArn(inventory.target, '');
  const { created } = dlqEdges;
  const edges: EdgeIntoQueue[] = [...dlqEdges.read.filter((e) => e.dlqExists !== false), ...dlqEdges.planned];
  for (const edge of edges) {
    if (!edge.dlq.startsWith(prefix)) continue;
    const subject = selectingSubject(edge, inventory);
    if (!subject) continue;
    const policies = selectingOf(subject.type, subject.tags).filter((p) =>
      DLQ_RULES.some((rule) => policyGoverns(p, rule, subject.type)),
    );
    if (policies.length === 0) continue;
    const facts = inventory.queues.get(edge.dlq);
    if (!facts && inventory.missingQueues.has(edge.dlq) && !created.has(edge.dlq)) continue;
    registry.govern(
      { arn: edge.dlq, name: parseArn(edge.dlq).resource, ...(facts ? { facts } : {}) },
      policies,
      edge.source,
    );
  }
}
