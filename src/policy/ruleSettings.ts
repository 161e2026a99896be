import { z } from 'zod';
import {
  DlqDeliveryPermissionSettings,
  EventbridgeTargetDlqSettings,
  FailureMetricAlarmsSettings,
  PipeSourceFailureHandlingSettings,
} from './asyncEdgeSettings.js';
import { LAMBDA_LIMITS, SQS_LIMITS } from './awsLimits.js';
import { AlarmActions, AlarmPeriod, OnFailure, QueueNameSuffix, TagMap } from './settingFields.js';

export {
  DlqDeliveryPermissionSettings,
  EventbridgeTargetDlqSettings,
  FAILURE_METRICS,
  type FailureMetric,
  FailureMetricAlarmsSettings,
  PipeSourceFailureHandlingSettings,
} from './asyncEdgeSettings.js';

export const RESOURCE_TYPES = [
  'sqs:queue',
  'lambda:function',
  'dynamodb:table',
  'kinesis:stream',
  'sns:topic',
  'events:rule',
  'pipes:pipe',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** A map of one tag: the refine for the CLI, min/maxProperties for policies/schema.json. */
const ExactlyOneTag = TagMap.refine((t) => Object.keys(t).length === 1, 'exactly one tag').meta({
  minProperties: 1,
  maxProperties: 1,
});

const MaxReceiveCount = z
  .strictObject({
    min: z.int().min(1).max(SQS_LIMITS.maxReceiveCount),
    max: z.int().min(1).max(SQS_LIMITS.maxReceiveCount),
    default: z.int().min(1).max(SQS_LIMITS.maxReceiveCount),
  })
  .refine((r) => r.min <= r.max, { message: 'min must be <= max', path: ['min'] })
  .refine((r) => r.min <= r.default && r.default <= r.max, {
    message: 'default must lie within [min, max]',
    path: ['default'],
  })
  .describe('Allowed range of the redrive maxReceiveCount; a value outside it (or none) is set to default.');

export const SqsDeadLetterQueueSettings = z
  .strictObject({
    maxReceiveCount: MaxReceiveCount.default({ min: 3, max: 10, default: 5 }),
    create: z
      .strictObject({
        nameSuffix: QueueNameSuffix.default('-dlq'),
        retentionSeconds: z
          .int()
          .min(SQS_LIMITS.minRetentionSeconds)
          .max(SQS_LIMITS.maxRetentionSeconds)
          .optional()
          .describe('Retention of a created DLQ; default: sqs-dlq-retention.minSeconds, else 14 days.'),
      })
      .optional()
      .describe('Without it a missing DLQ is reported, never created.'),
  })
  .describe('Every selected queue that is not itself a DLQ has a redrive policy to an existing DLQ.');

export const SqsDlqRetentionSettings = z
  .strictObject({
    minSeconds: z
      .int()
      .min(SQS_LIMITS.minRetentionSeconds)
      .max(SQS_LIMITS.maxRetentionSeconds)
      .default(SQS_LIMITS.maxRetentionSeconds),
  })
  .describe("The DLQ of a selected queue keeps messages at least minSeconds (SQS's maximum is 14 days).");

export const SqsVisibilityTimeoutSettings = z
  .strictObject({
    lambdaTimeoutMultiple: z.int().min(1).max(20).default(6),
  })
  .describe(
    'VisibilityTimeout >= multiple x the largest timeout of the Lambda functions consuming the queue (+ their batching window).',
  );

export const EsmStreamFailureHandlingSettings = z
  .strictObject({
    maxRetryAttempts: z.int().min(0).max(LAMBDA_LIMITS.maxStreamRetryAttempts).default(3),
    maxRecordAgeSeconds: z
      .int()
      .min(LAMBDA_LIMITS.minRecordAgeSeconds)
      .max(LAMBDA_LIMITS.maxRecordAgeSeconds)
      .default(3600),
    onFailure: OnFailure.optional().describe(
      'Without it a missing on-failure destination is reported, not set.',
    ),
  })
  .describe(
    'Kinesis and DynamoDB stream mappings: bisect on error, finite retries and record age, an SQS on-failure destination (a poison record must not block its shard).',
  );

export const EsmPartialBatchResponseSettings = z
  .strictObject({
    optInTag: ExactlyOneTag.default({ 'edaguard.dev/partial-batch': 'supported' }).describe(
      'Functions carrying this tag return batchItemFailures; others get a ticket, never a write.',
    ),
  })
  .describe('SQS, Kinesis and DynamoDB mappings report batch item failures (ReportBatchItemFailures).');

export const LambdaAsyncInvokeConfigSettings = z
  .strictObject({
    appliesTo: z
      .enum(['async-invoked', 'all-selected'])
      .default('async-invoked')
      .describe(
        'async-invoked: selected functions that SNS, EventBridge or S3 invoke; all-selected: every selected function.',
      ),
    maxRetryAttempts: z.int().min(0).max(LAMBDA_LIMITS.maxAsyncRetryAttempts).default(2),
    maxEventAgeSeconds: z
      .int()
      .min(LAMBDA_LIMITS.minEventAgeSeconds)
      .max(LAMBDA_LIMITS.maxEventAgeSeconds)
      .default(3600),
    onFailure: OnFailure.optional().describe(
      'Without it a missing on-failure destination is reported, not set.',
    ),
  })
  .describe(
    'Asynchronously invoked functions have an event-invoke config with bounded retries and age, and an on-failure destination.',
  );

export const IdempotencyStoreSettings = z
  .strictObject({
    ttlAttribute: z
      .string()
      .min(1)
      .max(255)
      .describe('The attribute holding each record’s expiry (epoch seconds).'),
    onDemandBilling: z
      .enum(['ignore', 'report', 'fix'])
      .default('report')
      .describe(
        'Retries come in bursts: provisioned capacity throttles them. fix switches the table to PAY_PER_REQUEST.',
      ),
  })
  .describe(
    'DynamoDB tables used as idempotency stores expire their records (TTL) and are billed on demand.',
  );

export const SqsFifoOrderingSettings = z
  .strictObject({
    orderingTag: ExactlyOneTag.default({ 'edaguard.dev/ordering': 'strict' }).describe(
      'Queues carrying this tag need strict ordering, so must be FIFO.',
    ),
  })
  .describe(
    'Queues that need strict ordering are FIFO; a standard queue cannot be converted, so it gets a ticket.',
  );

export const SqsDlqAlarmSettings = z
  .strictObject({
    threshold: z
      .number()
      .min(0)
      .default(0)
      .describe('Alarm when the DLQ holds more than this many visible messages.'),
    periodSeconds: AlarmPeriod,
    evaluationPeriods: z.int().min(1).max(100).default(1),
    alarmActions: AlarmActions,
  })
  .describe(
    'The DLQ of every selected queue has a CloudWatch alarm on its visible messages: a silently filling DLQ is lost work.',
  );

export const StreamIteratorAgeAlarmSettings = z
  .strictObject({
    thresholdSeconds: z
      .int()
      .min(1)
      .max(604_800)
      .default(300)
      .describe('Alarm when the oldest unread record is older.'),
    periodSeconds: AlarmPeriod,
    evaluationPeriods: z.int().min(1).max(100).default(1),
    alarmActions: AlarmActions,
  })
  .describe(
    'Each function reading a Kinesis or DynamoDB stream has an alarm on its IteratorAge: a stuck shard shows there first.',
  );

export const DlqNotEmptySettings = z
  .strictObject({})
  .describe('Report only: a DLQ holding messages, with its count and how to redrive it.');

export const StreamRetentionSettings = z
  .strictObject({
    minHours: z
      .int()
      .min(24)
      .max(8760)
      .default(24)
      .describe('The least retention, in hours (Kinesis: 24-8760).'),
  })
  .describe(
    'Kinesis streams keep records at least minHours and at least the largest MaximumRecordAgeInSeconds of their event source mappings; retention is only ever increased.',
  );

export const SnsSubscriptionDlqSettings = z
  .strictObject({
    create: z
      .strictObject({ nameSuffix: QueueNameSuffix.default('-dlq') })
      .optional()
      .describe('Without it a subscription with no DLQ is reported, never fixed.'),
  })
  .describe(
    "Every confirmed subscription of a selected topic has a RedrivePolicy to an existing SQS queue (FIFO for a FIFO topic); create: one DLQ per topic, '<topic><nameSuffix>'.",
  );

export const RuleSettingsSchemas = {
  'sqs-dead-letter-queue': SqsDeadLetterQueueSettings,
  'sqs-dlq-retention': SqsDlqRetentionSettings,
  'sqs-visibility-timeout': SqsVisibilityTimeoutSettings,
  'sqs-fifo-ordering': SqsFifoOrderingSettings,
  'esm-stream-failure-handling': EsmStreamFailureHandlingSettings,
  'esm-partial-batch-response': EsmPartialBatchResponseSettings,
  'lambda-async-invoke-config': LambdaAsyncInvokeConfigSettings,
  'idempotency-store': IdempotencyStoreSettings,
  'sqs-dlq-alarm': SqsDlqAlarmSettings,
  'stream-iterator-age-alarm': StreamIteratorAgeAlarmSettings,
  'dlq-not-empty': DlqNotEmptySettings,
  'stream-retention': StreamRetentionSettings,
  'sns-subscription-dlq': SnsSubscriptionDlqSettings,
  'eventbridge-target-dlq': EventbridgeTargetDlqSettings,
  'dlq-delivery-permission': DlqDeliveryPermissionSettings,
  'pipe-source-failure-handling': PipeSourceFailureHandlingSettings,
  'failure-metric-alarms': FailureMetricAlarmsSettings,
} as const;

export type RuleId = keyof typeof RuleSettingsSchemas;
export const RULE_IDS = Object.keys(RuleSettingsSchemas) as RuleId[];

/** The rules that judge a DLQ rather than the source that sends to it. */
export const DLQ_RULE_IDS = ['sqs-dlq-retention', 'sqs-dlq-alarm', 'dlq-not-empty'] as const;

/**
 * A DLQ rule applies to the DLQs of the sources a policy selects: queues (redrive policies),
 * topics (subscriptions), rules (targets), pipes, and functions (mapping and async on-failure
 * destinations).
 */
const DLQ_RULE_TYPES: readonly ResourceType[] = [
  'sqs:queue',
  'sns:topic',
  'events:rule',
  'pipes:pipe',
  'lambda:function',
];

/** Which resource types each rule evaluates. */
export const RULE_RESOURCE_TYPES: Record<RuleId, readonly ResourceType[]> = {
  'sqs-dead-letter-queue': ['sqs:queue'],
  'sqs-dlq-retention': DLQ_RULE_TYPES,
  'sqs-visibility-timeout': ['sqs:queue'],
  'sqs-fifo-ordering': ['sqs:queue'],
  'esm-stream-failure-handling': ['lambda:function'],
  'esm-partial-batch-response': ['lambda:function'],
  'lambda-async-invoke-config': ['lambda:function'],
  'idempotency-store': ['dynamodb:table'],
  'sqs-dlq-alarm': DLQ_RULE_TYPES,
  'stream-iterator-age-alarm': ['lambda:function'],
  'dlq-not-empty': DLQ_RULE_TYPES,
  'stream-retention': ['kinesis:stream'],
  'sns-subscription-dlq': ['sns:topic'],
  'eventbridge-target-dlq': ['events:rule'],
  'dlq-delivery-permission': ['sns:topic', 'events:rule'],
  'pipe-source-failure-handling': ['pipes:pipe'],
  'failure-metric-alarms': [
    'lambda:function',
    'events:rule',
    'sns:topic',
    'kinesis:stream',
    'dynamodb:table',
  ],
};

/**
 * The types a policy without `match.resourceTypes` selects for each rule: the rule's own types,
 * except that a DLQ rule defaults to queues only. It judges the DLQs of topics, rules, pipes and
 * functions only when the policy names those types, so that a queue policy never starts listing
 * every rule and pipe of the account.
 */
export function defaultResourceTypes(rule: RuleId): readonly ResourceType[] {
  return (DLQ_RULE_IDS as readonly RuleId[]).includes(rule) ? ['sqs:queue'] : RULE_RESOURCE_TYPES[rule];
}

/** Each rule's settings, defaults filled in. */
export type RuleSettings = { [R in RuleId]: z.infer<(typeof RuleSettingsSchemas)[R]> };
