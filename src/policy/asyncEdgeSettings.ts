/** Settings of the rules on SNS, EventBridge and Pipes edges and their failure metrics. */
import { z } from 'zod';
import { AlarmActions, AlarmPeriod, QueueNameSuffix } from './settingFields.js';

export const EventbridgeTargetDlqSettings = z
  .strictObject({
    maxRetryAttempts: z
      .int()
      .min(0)
      .max(185)
      .default(185)
      .describe("A target's RetryPolicy.MaximumRetryAttempts is at most this (AWS's default: 185)."),
    maxEventAgeSeconds: z
      .int()
      .min(60)
      .max(86_400)
      .default(86_400)
      .describe("A target's RetryPolicy.MaximumEventAgeInSeconds is at most this (AWS's default: 86,400)."),
    create: z
      .strictObject({ nameSuffix: QueueNameSuffix.default('-dlq') })
      .optional()
      .describe(
        "Without it a target with no DLQ is reported, never fixed; with it: one DLQ per rule, '<rule><nameSuffix>'.",
      ),
  })
  .describe(
    'Every target of a selected EventBridge rule has a DeadLetterConfig (an existing SQS queue) and a RetryPolicy within the limits.',
  );

export const DlqDeliveryPermissionSettings = z
  .strictObject({})
  .describe(
    'The DLQ an SNS subscription or EventBridge target names lets that service deliver (queue policy statement with aws:SourceArn); a customer-managed KMS key gets a ticket.',
  );

export const PipeSourceFailureHandlingSettings = z
  .strictObject({
    maxRetryAttempts: z.int().min(0).max(185).default(3),
    maxRecordAgeSeconds: z.int().min(60).max(604_800).default(3600),
    deadLetter: z
      .strictObject({
        arn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/,
            'an SQS queue or SNS topic ARN',
          ),
      })
      .optional()
      .describe(
        'Where records the pipe gives up on go. Without it a missing one is reported, and no limit is capped.',
      ),
  })
  .describe(
    'Pipes reading a Kinesis or DynamoDB stream: finite retries and record age, AUTOMATIC_BISECT, and a DeadLetterConfig (never a cap without one).',
  );

export const FAILURE_METRICS = [
  'AsyncEventsDropped',
  'DestinationDeliveryFailures',
  'DeadLetterErrors',
  'FailedInvocations',
  'InvocationsFailedToBeSentToDlq',
  'NumberOfNotificationsFailed',
  'NumberOfNotificationsFailedToRedriveToDlq',
  'WriteProvisionedThroughputExceeded',
  'ThrottledRequests',
] as const;
export type FailureMetric = (typeof FAILURE_METRICS)[number];

export const FailureMetricAlarmsSettings = z
  .strictObject({
    metrics: z
      .array(z.enum(FAILURE_METRICS))
      .min(1)
      .optional()
      .describe(
        'A subset of the failure metrics to alarm on; default: every one that applies to the resource.',
      ),
    periodSeconds: AlarmPeriod,
    evaluationPeriods: z.int().min(1).max(100).default(1),
    alarmActions: AlarmActions,
  })
  .describe(
    'One CloudWatch alarm per failure metric a person must hear about: Lambda async drops, EventBridge and SNS delivery failures, Kinesis hot shards, DynamoDB throttles.',
  );
