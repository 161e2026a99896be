import type { ResourceType } from '../policy/schema.js';
import type { DlqSourceChoice } from './dlqSourceStrategy.js';

export interface Target {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
}

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** A queue's attributes, normalised: numbers as numbers, RedrivePolicy parsed from its JSON. */
export interface QueueFacts {
  readonly arn: string;
  readonly url: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly visibilityTimeout: number;
  readonly messageRetentionPeriod: number;
  readonly redrivePolicy?: RedrivePolicy;
  readonly kmsMasterKeyId?: string;
  readonly kmsDataKeyReusePeriodSeconds?: number;
  readonly sqsManagedSseEnabled: boolean;
  readonly approximateNumberOfMessages: number;
  /** The queue's access policy (JSON text) as SQS answered it; undefined when it has none. */
  readonly policy?: string;
}

/** One Lambda event source mapping that reads from a queue, with its function's timeout. */
export interface QueueConsumer {
  readonly mappingUuid: string;
  readonly functionArn: string;
  /** Undefined when the function was not in ListFunctions (another account, or deleted). */
  readonly functionTimeoutSeconds?: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly state?: string;
}

/** Where an event source mapping reads from. */
export type MappingSourceKind = 'sqs' | 'kinesis' | 'dynamodb' | 'other';

/**
 * An event source mapping, normalised to what AWS does when a field is absent: no bisect,
 * infinite retries and record age (-1), no on-failure destination (AWS also answers `{}` for it).
 */
export interface MappingFacts {
  readonly uuid: string;
  readonly arn: string;
  readonly functionArn: string;
  readonly eventSourceArn: string;
  readonly sourceKind: MappingSourceKind;
  readonly state: string;
  readonly bisectBatchOnFunctionError: boolean;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeInSeconds: number;
  readonly onFailureDestination?: string;
  readonly functionResponseTypes: readonly string[];
  readonly maximumBatchingWindowInSeconds: number;
}

/** How long a DynamoDB stream keeps a record: fixed by AWS at 24 hours (no call reads it). */
export const DYNAMODB_STREAM_RETENTION_SECONDS = 86_400;

/** AWS's async defaults when a field (or the whole config) is absent: 2 retries, 6 hours. */
export const ASYNC_DEFAULTS = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 } as const;

/** A function's async event-invoke config, with AWS's defaults for absent fields. */
export interface EventInvokeConfigFacts {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeInSeconds: number;
  readonly onFailureDestination?: string;
  readonly onSuccessDestination?: string;
}

export interface FunctionFacts {
  readonly arn: string;
  readonly name: string;
  readonly timeoutSeconds: number;
  readonly tags: Readonly<Record<string, string>>;
  /** What invokes it asynchronously: SNS topic, EventBridge rule and S3 bucket ARNs. */
  readonly asyncInvokers: readonly string[];
  /** null: the function has none; undefined: not read (no policy needed it). */
  readonly eventInvokeConfig?: EventInvokeConfigFacts | null;
}

export interface TableFacts {
  readonly arn: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly billingMode: string;
  readonly ttlStatus: string;
  readonly ttlAttribute?: string;
}

/** Every alarm edaguard names starts with this, so one prefix query finds them all. */
export const ALARM_PREFIX = 'edaguard-';

/** A CloudWatch metric alarm, normalised for comparison (dimensions as a map, actions sorted). */
export interface AlarmFacts {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly comparisonOperator: string;
  readonly treatMissingData: string;
  readonly alarmActions: readonly string[];
}

/** A Kinesis stream a policy selects: its retention and the mappings reading it. */
export interface StreamFacts {
  readonly arn: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly retentionHours: number;
  /** Each event source mapping reading the stream: its MaximumRecordAgeInSeconds (-1: infinite). */
  readonly mappings: readonly { readonly uuid: string; readonly maximumRecordAgeInSeconds: number }[];
}

/** One subscription of a selected SNS topic (sns-subscription-dlq). */
export interface SubscriptionFacts {
  readonly arn: string;
  readonly protocol: string;
  /** ListSubscriptionsByTopic answers `PendingConfirmation` instead of an ARN. */
  readonly pendingConfirmation: boolean;
  /** undefined: no RedrivePolicy; null: a RedrivePolicy that is not JSON or names no target. */
  readonly deadLetterTargetArn: string | undefined | null;
}

/** A selected SNS topic and its subscriptions. */
export interface TopicFacts {
  readonly arn: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly subscriptions: readonly SubscriptionFacts[];
}

/** One target of a selected EventBridge rule (eventbridge-target-dlq), with AWS's defaults filled in. */
export interface EventTargetFacts {
  readonly id: string;
  readonly arn: string;
  /** DeadLetterConfig.Arn; undefined when the target has none. */
  readonly deadLetterArn?: string;
  /** RetryPolicy.MaximumRetryAttempts, or AWS's default (185) when absent. */
  readonly maximumRetryAttempts: number;
  /** RetryPolicy.MaximumEventAgeInSeconds, or AWS's default (86,400) when absent. */
  readonly maximumEventAgeInSeconds: number;
  /** The target exactly as ListTargetsByRule answered it: PutTargets sends it back whole. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A selected EventBridge rule and its targets. */
export interface EventRuleFacts {
  readonly arn: string;
  readonly name: string;
  readonly eventBusName: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Set on rules another AWS service manages: their targets cannot be changed. */
  readonly managedBy?: string;
  readonly targets: readonly EventTargetFacts[];
}

/** A selected EventBridge pipe (pipe-source-failure-handling). */
export interface PipeFacts {
  readonly arn: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly sourceArn: string;
  readonly sourceKind: MappingSourceKind;
  readonly currentState?: string;
  /** The pipe's execution role: UpdatePipe requires it, so the write sends it back unchanged. */
  readonly roleArn?: string;
  /**
   * The stream source's failure handling, AWS's defaults for absent fields (-1: infinite);
   * undefined for a source that is not a Kinesis or DynamoDB stream.
   */
  readonly streamSource?: {
    readonly maximumRetryAttempts: number;
    readonly maximumRecordAgeInSeconds: number;
    readonly onPartialBatchItemFailure?: string;
    readonly deadLetterArn?: string;
    /** KinesisStreamParameters / DynamoDBStreamParameters exactly as DescribePipe answered. */
    readonly raw: Readonly<Record<string, unknown>>;
  };
}

/** A DLQ's KMS key, as far as edaguard may read it (dlq-delivery-permission). */
export interface KmsKeyFacts {
  /** The key as the queue's KmsMasterKeyId names it (key id, ARN or alias). */
  readonly keyRef: string;
  readonly keyManager?: 'AWS' | 'CUSTOMER';
  readonly arn?: string;
  /** The key's `default` policy (JSON text), for a customer-managed key. */
  readonly policy?: string;
  /** DescribeKey or GetKeyPolicy failed with this error code: the policy could not be checked. */
  readonly readError?: string;
}

/** A resource found by the tag queries: candidates for policy selection (done in plan). */
export interface TaggedResource {
  readonly arn: string;
  readonly type: ResourceType;
  readonly tags: Readonly<Record<string, string>>;
}

/** A read that failed for one resource; planned as a `failed` finding, the rest go on. */
export interface ReadError {
  readonly resource: string;
  readonly operation: string;
  readonly code: string;
  readonly message: string;
}

/** What exists under the name of a queue edaguard would create (a DLQ, a failure destination). */
export interface QueueNameCandidate {
  readonly name: string;
  readonly arn: string;
  readonly exists: boolean;
  readonly managedByEdaguard: boolean;
}

/** An immutable snapshot of one target, read in one cycle. Plan reads only this. */
export interface Inventory {
  readonly target: Target;
  readonly readAt: string;
  readonly tagged: readonly TaggedResource[];
  /** Every queue read: tagged candidates, their DLQs, adoptable DLQ candidates; keyed by ARN. */
  readonly queues: ReadonlyMap<string, QueueFacts>;
  /** DLQ ARNs referenced by some queue's redrive policy that do not exist. */
  readonly missingQueues: ReadonlySet<string>;
  /** Queues known to be some queue's DLQ → the ARNs of their source queues. */
  readonly deadLetterSources: ReadonlyMap<string, readonly string[]>;
  /** Lambda consumers per queue ARN; undefined when no policy needed them (not read). */
  readonly consumers?: ReadonlyMap<string, readonly QueueConsumer[]>;
  /** What exists under the names edaguard would give the queues it creates, keyed by name. */
  readonly queueNameCandidates: ReadonlyMap<string, QueueNameCandidate>;
  /** Functions read: the selected ones and the consumers of selected queues, keyed by unqualified ARN. */
  readonly functions: ReadonlyMap<string, FunctionFacts>;
  /** Event source mappings of selected functions and of selected queues (when a rule needs them). */
  readonly mappings: readonly MappingFacts[];
  /**
   * How long the stream of each stream mapping the stream rule governs keeps a record, in seconds,
   * keyed by stream ARN. A key is missing when its read failed (that mapping's read error).
   */
  readonly streamRetentionSeconds?: ReadonlyMap<string, number>;
  readonly tables: ReadonlyMap<string, TableFacts>;
  /** Selected Kinesis streams, keyed by ARN; undefined when no policy selects streams. */
  readonly streams?: ReadonlyMap<string, StreamFacts>;
  /** Selected SNS topics, keyed by ARN; undefined when no policy's sns-subscription-dlq selects any. */
  readonly topics?: ReadonlyMap<string, TopicFacts>;
  /** Selected EventBridge rules, keyed by ARN; undefined when no policy needed them. */
  readonly eventRules?: ReadonlyMap<string, EventRuleFacts>;
  /** Selected pipes, keyed by ARN; undefined when no policy needed them. */
  readonly pipes?: ReadonlyMap<string, PipeFacts>;
  /** KMS keys of the DLQs that SNS or EventBridge deliver to, by the queue's KmsMasterKeyId. */
  readonly kmsKeys?: ReadonlyMap<string, KmsKeyFacts>;
  /** edaguard's alarms (by name prefix), keyed by name; undefined when no alarm rule needed them. */
  readonly alarms?: ReadonlyMap<string, AlarmFacts>;
  readonly readErrors: readonly ReadError[];
  /** How this cycle learnt which queues lacking a DLQ are DLQs; undefined when none needed asking. */
  readonly dlqSources?: DlqSourceChoice;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) {
      for (const [k, v] of value) {
        deepFreeze(k);
        deepFreeze(v);
      }
    } else if (value instanceof Set) for (const v of value) deepFreeze(v);
    else for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
