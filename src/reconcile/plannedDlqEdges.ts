import type { Inventory } from '../discovery/inventory.js';
import { buildDlqGraph, type DlqEdge, type DlqEdgeKind, type DlqSourceType } from './dlqGraph.js';
import { type Action, type Finding, findingKey } from './model.js';

/**
 * A dead-letter edge that one of this plan's findings creates when its writes are done. Audited
 * findings count too: an audit reports what enforce would do, the edges' DLQ rules included.
 */
export interface PlannedDlqEdge {
  readonly kind: DlqEdgeKind;
  readonly source: string;
  readonly sourceType: DlqSourceType;
  readonly dlq: string;
  /** The finding (by findingKey) whose writes create the edge. */
  readonly plannedBy: string;
}

type Edge = Omit<PlannedDlqEdge, 'plannedBy'>;

const arnIn = (value: unknown): string | undefined => {
  const arn = (value as { Arn?: unknown } | undefined)?.Arn;
  return typeof arn === 'string' ? arn : undefined;
};

/** The edges one write sets (none for writes that point nowhere). */
function edgesOf(action: Action): Edge[] {
  switch (action.kind) {
    case 'SetSubscriptionAttributes': {
      const dlq = (JSON.parse(action.value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
      return typeof dlq === 'string'
        ? [{ kind: 'sns-subscription', source: action.topicArn, sourceType: 'sns:topic', dlq }]
        : [];
    }
    case 'PutTargets':
      return action.targets.flatMap((t): Edge[] => {
        const dlq = arnIn(t.DeadLetterConfig);
        return dlq
          ? [{ kind: 'eventbridge-target', source: action.ruleArn, sourceType: 'events:rule', dlq }]
          : [];
      });
    case 'UpdatePipe': {
      const dlq = action.changes.DeadLetterConfig?.Arn;
      return dlq ? [{ kind: 'pipe', source: action.pipeArn, sourceType: 'pipes:pipe', dlq }] : [];
    }
    case 'UpdateEventSourceMapping': {
      const dlq = action.changes.DestinationConfig?.OnFailure.Destination;
      return dlq
        ? [
            {
              kind: 'mapping-on-failure',
              source: action.mappingArn,
              sourceType: 'lambda:event-source-mapping',
              dlq,
            },
          ]
        : [];
    }
    case 'PutFunctionEventInvokeConfig': {
      const dlq = action.config.DestinationConfig?.OnFailure?.Destination;
      return dlq
        ? [{ kind: 'async-on-failure', source: action.functionArn, sourceType: 'lambda:function', dlq }]
        : [];
    }
    default:
      return [];
  }
}

/** Every dead-letter edge the drift findings of a plan create. */
export function plannedDlqEdges(findings: readonly Finding[]): PlannedDlqEdge[] {
  return findings.flatMap((f) =>
    f.status === 'drift'
      ? f.actions.flatMap((a) => edgesOf(a).map((e) => ({ ...e, plannedBy: findingKey(f) })))
      : [],
  );
}

/** Queues the drift findings of a plan create, by ARN → the key of the first finding that creates it. */
export function plannedQueues(findings: readonly Finding[]): Map<string, string> {
  const created = new Map<string, string>();
  for (const f of findings) {
    if (f.status !== 'drift') continue;
    for (const a of f.actions)
      if (a.kind === 'CreateQueue' && !created.has(a.queueArn)) created.set(a.queueArn, findingKey(f));
  }
  return created;
}

/** The dead-letter edges of one plan, built once: those discovery read and those the writes create. */
export interface PlanDlqEdges {
  /** The DLQ graph of the Inventory. */
  readonly read: readonly DlqEdge[];
  readonly planned: readonly PlannedDlqEdge[];
  /** Queues the plan creates, by ARN → the key of the first finding that creates it. */
  readonly created: ReadonlyMap<string, string>;
}

export function planDlqEdges(inventory: Inventory, findings: readonly Finding[]): PlanDlqEdges {
  return {
    read: buildDlqGraph(inventory).edges,
    planned: plannedDlqEdges(findings),
    created: plannedQueues(findings),
  };
}
