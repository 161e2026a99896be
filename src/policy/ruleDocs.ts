/**
 * What each rule fixes, and an example of its settings: the one table `edaguard explain` adds to
 * what the schema already says (the rule's description is what it checks, each setting's
 * description, default and range come from the zod schema, the why from the ticket guidance).
 */
import type { RuleId } from './ruleSettings.js';

export interface RuleDoc {
  /** One line: what edaguard writes, or why it does not. */
  readonly fix: string;
  /** The rule's settings in an example policy (a valid value of its schema). */
  readonly example: Readonly<Record<string, unknown>>;
}

export const RULE_DOCS: Readonly<Record<RuleId, RuleDoc>> = {
  'sqs-dead-letter-queue': {
    fix: 'Sets maxReceiveCount to default when out of range; with create, creates <queue><nameSuffix> (tagged as managed) and sets the RedrivePolicy. Without create, a missing DLQ is reported.',
    example: { maxReceiveCount: { min: 3, max: 5, default: 3 }, create: { nameSuffix: '-dlq' } },
  },
  'sqs-dlq-retention': {
    fix: 'Sets the DLQ’s MessageRetentionPeriod to minSeconds.',
    example: { minSeconds: 1_209_600 },
  },
  'sqs-visibility-timeout': {
    fix: 'Sets VisibilityTimeout; above the SQS maximum of 12 hours nothing is written and a ticket says why.',
    example: { lambdaTimeoutMultiple: 6 },
  },
  'sqs-fifo-ordering': {
    fix: 'None: a standard queue cannot become FIFO, so a ticket says how to move to a .fifo queue.',
    example: { orderingTag: { 'edaguard.dev/ordering': 'strict' } },
  },
  'esm-stream-failure-handling': {
    fix: 'UpdateEventSourceMapping with the fields that differ; limits are lowered only with an on-failure destination (onFailure.create makes one), else a ticket.',
    example: {
      maxRetryAttempts: 3,
      maxRecordAgeSeconds: 3600,
      onFailure: { create: { nameSuffix: '-failures' } },
    },
  },
  'esm-partial-batch-response': {
    fix: 'Turns on ReportBatchItemFailures only for functions carrying optInTag; others get a ticket, never a write.',
    example: { optInTag: { 'edaguard.dev/partial-batch': 'supported' } },
  },
  'lambda-async-invoke-config': {
    fix: 'PutFunctionEventInvokeConfig with the whole config, only with an on-failure destination; without one the limits become a ticket.',
    example: {
      appliesTo: 'async-invoked',
      maxRetryAttempts: 2,
      maxEventAgeSeconds: 3600,
      onFailure: { create: { nameSuffix: '-failures' } },
    },
  },
  'idempotency-store': {
    fix: 'UpdateTimeToLive on ttlAttribute; PAY_PER_REQUEST billing only with onDemandBilling: fix. TTL on another attribute is a ticket.',
    example: { ttlAttribute: 'expiresAt', onDemandBilling: 'report' },
  },
  'sqs-dlq-alarm': {
    fix: 'PutMetricAlarm with the whole alarm edaguard-dlq-depth-<DLQ name>; a drifted alarm is put back.',
    example: { threshold: 0, periodSeconds: 60, evaluationPeriods: 1, alarmActions: [] },
  },
  'stream-iterator-age-alarm': {
    fix: 'PutMetricAlarm with the whole alarm edaguard-iterator-age-<function name>; a drifted alarm is put back.',
    example: { thresholdSeconds: 300, periodSeconds: 60, evaluationPeriods: 1, alarmActions: [] },
  },
  'dlq-not-empty': {
    fix: 'None (report only): a ticket with the message count and the redrive command.',
    example: {},
  },
  'stream-retention': {
    fix: 'IncreaseStreamRetentionPeriod to the hours needed; never decreased. Past 8,760 hours a ticket says to lower the mappings’ record age.',
    example: { minHours: 24 },
  },
  'sns-subscription-dlq': {
    fix: 'With create, creates <topic><nameSuffix> and sets each subscription’s RedrivePolicy; without it, reported only.',
    example: { create: { nameSuffix: '-dlq' } },
  },
  'eventbridge-target-dlq': {
    fix: 'PutTargets with each target whole: its DeadLetterConfig (with create, <rule><nameSuffix>) and a RetryPolicy within the limits.',
    example: { maxRetryAttempts: 185, maxEventAgeSeconds: 86_400, create: { nameSuffix: '-dlq' } },
  },
  'dlq-delivery-permission': {
    fix: 'Adds the queue-policy statement that lets SNS or EventBridge send; a customer-managed KMS key gets a ticket.',
    example: {},
  },
  'pipe-source-failure-handling': {
    fix: 'UpdatePipe with the source parameters; limits are capped only with a dead-letter target, else a ticket.',
    example: {
      maxRetryAttempts: 3,
      maxRecordAgeSeconds: 3600,
      deadLetter: { arn: 'arn:aws:sqs:us-east-1:123456789012:orders-pipe-dlq' },
    },
  },
  'failure-metric-alarms': {
    fix: 'One PutMetricAlarm per missing or drifted alarm; the alarms that are right are not written.',
    example: { periodSeconds: 60, evaluationPeriods: 1, alarmActions: [] },
  },
};
