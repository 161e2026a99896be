import type { Target } from '../discovery/inventory.js';
import type { ResourceType, RuleId } from '../policy/schema.js';
import type { GrantStatement } from './queuePolicyGrant.js';

/** The closed set of writes edaguard makes. Each sends only what it owns. */
export type Action =
  | {
      readonly kind: 'CreateQueue';
      readonly queueArn: string;
      readonly queueName: string;
      readonly attributes: Readonly<Record<string, string>>;
      readonly tags: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'SetQueueAttributes';
      readonly queueArn: string;
      readonly queueUrl: string;
      /** Only the attributes that change. */
      readonly attributes: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'UpdateEventSourceMapping';
      readonly mappingUuid: string;
      readonly mappingArn: string;
      /** Only the fields that change; never an empty OnFailure. */
      readonly changes: Readonly<EventSourceMappingChanges>;
    }
  | {
      readonly kind: 'PutFunctionEventInvokeConfig';
      readonly functionArn: string;
      /** The whole config: Put replaces every field, including those left out. */
      readonly config: Readonly<EventInvokeConfig>;
    }
  | {
      readonly kind: 'UpdateTimeToLive';
      readonly tableArn: string;
      readonly tableName: string;
      readonly attributeName: string;
    }
  | {
      readonly kind: 'UpdateTableBillingMode';
      readonly tableArn: string;
      readonly tableName: string;
      readonly billingMode: 'PAY_PER_REQUEST';
    }
  | {
      readonly kind: 'IncreaseStreamRetentionPeriod';
      readonly streamArn: string;
      readonly streamName: string;
      /** What discovery read; the write only raises it, to retentionHours. */
      readonly observedHours: number;
      readonly retentionHours: number;
    }
  | {
      readonly kind: 'SetSubscriptionAttributes';
      readonly subscriptionArn: string;
      readonly topicArn: string;
      readonly attributeName: 'RedrivePolicy';
      /** The attribute's whole value (RedrivePolicy: JSON naming the DLQ). */
      readonly value: string;
    }
  | {
      readonly kind: 'AddQueuePolicyStatements';
      /** Addressed by ARN: the queue may be one created in this cycle. */
      readonly queueArn: string;
      /** edaguard's statements to add: each lets a service deliver to the queue from one source. */
      readonly statements: readonly GrantStatement[];
      /** The Policy the plan saw (undefined: none, or a queue created in this cycle). */
      readonly observedPolicy?: string;
      /** The whole new Policy: the observed text with the statements inserted, nothing else changed. */
      readonly policy: string;
    }
  | {
      readonly kind: 'UpdatePipe';
      readonly pipeArn: string;
      readonly pipeName: string;
      /** The pipe's role as read: UpdatePipe requires one, so it is sent back unchanged. */
      readonly roleArn: string;
      readonly sourceKind: 'kinesis' | 'dynamodb';
      /** The stream source's parameters as discovery read them: sent back whole with `changes`. */
      readonly observedSource: Readonly<Record<string, unknown>>;
      /** Only the failure-handling fields that change. */
      readonly changes: Readonly<PipeSourceFailureChanges>;
    }
  | {
      readonly kind: 'PutTargets';
      readonly ruleArn: string;
      readonly ruleName: string;
      readonly eventBusName: string;
      /** The whole targets to send (PutTargets replaces each by Id): as read, with DLQ and RetryPolicy set. */
      readonly targets: readonly Readonly<Record<string, unknown>>[];
      /** What each of those targets was when planned (same order): the precondition compares with it. */
      readonly planned: readonly Readonly<Record<string, unknown>>[];
    }
  | {
      readonly kind: 'PutMetricAlarm';
      /** The whole alarm: PutMetricAlarm replaces every field. */
      readonly alarm: Readonly<AlarmSpec>;
    };

/** A metric alarm as edaguard writes it (the PutMetricAlarm fields it owns). */
export interface AlarmSpec {
  AlarmName: string;
  AlarmDescription: string;
  Namespace: string;
  MetricName: string;
  Dimensions: Array<{ Name: string; Value: string }>;
  Statistic: 'Maximum' | 'Sum';
  Threshold: number;
  Period: number;
  EvaluationPeriods: number;
  ComparisonOperator: 'GreaterThanThreshold';
  TreatMissingData: 'notBreaching';
  AlarmActions: string[];
  Tags: Array<{ Key: string; Value: string }>;
}

export interface EventSourceMappingChanges {
  BisectBatchOnFunctionError?: boolean;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  DestinationConfig?: { OnFailure: { Destination: string } };
  FunctionResponseTypes?: Array<'ReportBatchItemFailures'>;
}

/** The failure-handling fields of a pipe's Kinesis or DynamoDB stream source that edaguard sets. */
export interface PipeSourceFailureChanges {
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  OnPartialBatchItemFailure?: 'AUTOMATIC_BISECT';
  DeadLetterConfig?: { Arn: string };
}

export interface EventInvokeConfig {
  MaximumRetryAttempts: number;
  MaximumEventAgeInSeconds: number;
  DestinationConfig?: { OnFailure?: { Destination: string }; OnSuccess?: { Destination: string } };
}

/** What a finding is about: a selectable resource, or a mapping of a selected function. */
export type FindingResourceType = ResourceType | 'lambda:event-source-mapping';

export type FindingRule = RuleId | 'policy-conflict' | 'read-error';

/**
 * pass: compliant. drift: differs from policy (its actions fix it, or the policy only reports).
 * ticket: differs, and no automatic fix is safe: a person must act (the message says what).
 * busy: the resource is changing (a mapping in Updating state): looked at again next cycle.
 * skipped: the rule does not apply here (with why). error: the facts could not be read.
 * waived: differs, and a policy's exception accepts it until a date: nothing is written, no ticket.
 */
export type FindingStatus = 'pass' | 'drift' | 'ticket' | 'busy' | 'skipped' | 'error' | 'waived';

/** The waiver (spec.exceptions) that holds a finding, or that held it until it expired. */
export interface FindingWaiver {
  /** The policy whose exception it is. */
  readonly policy: string;
  /** The last day (UTC, YYYY-MM-DD) it holds. */
  readonly expires: string;
  readonly reason: string;
  readonly ticket?: string;
  /** It no longer holds: the finding is back, and its message says so. */
  readonly expired?: true;
}

export interface Finding {
  readonly resource: string;
  readonly resourceType: FindingResourceType;
  /** Names of the policies that govern this (resource, rule), comma-separated. */
  readonly policy: string;
  readonly rule: FindingRule;
  readonly status: FindingStatus;
  readonly observed: unknown;
  readonly desired: unknown;
  readonly message: string;
  /** The name a person knows the resource by, where the ARN does not say it (a mapping: `<function> ← <source>`). */
  readonly label?: string;
  readonly enforcement: 'enforce' | 'audit';
  /** Writes that fix the drift, in the order they must run. Empty: nothing safe to do. */
  readonly actions: readonly Action[];
  /**
   * Findings (by findingKey) whose writes must succeed first: a queue several findings need is
   * created by the first of them only.
   */
  readonly dependsOn?: readonly string[];
  /** Present when a waiver names the finding: status `waived` while it holds. */
  readonly waiver?: FindingWaiver;
}

export interface Plan {
  readonly target: Target;
  readonly findings: readonly Finding[];
}

export function plannedActions(plan: Plan): Action[] {
  return plan.findings.flatMap((f) => (f.status === 'drift' ? f.actions : []));
}

/** Stable identity of a finding within a plan (a conflict is one per rule in conflict). */
export function findingKey(finding: Pick<Finding, 'rule' | 'resource' | 'observed'>): string {
  const conflicting =
    finding.rule === 'policy-conflict' ? `:${(finding.observed as { rule?: string } | null)?.rule}` : '';
  return `${finding.rule}${conflicting}|${finding.resource}`;
}

/** The writes the SQS rules plan. */
export type QueueAction = Extract<Action, { kind: 'CreateQueue' | 'SetQueueAttributes' }>;
