/** Field types that several rules' settings (and the policy document) share. */
import { z } from 'zod';

export const QueueNameSuffix = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, "-" and "_" only (1-40 characters)');

export const TagMap = z.record(z.string().min(1).max(128), z.string().max(256));

/** Where failed events go: an existing SQS queue, or one edaguard creates per function. */
export const OnFailure = z
  .union([
    z.strictObject({
      destinationArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/, 'an SQS queue ARN'),
    }),
    z.strictObject({ create: z.strictObject({ nameSuffix: QueueNameSuffix }) }),
  ])
  .describe(
    'destinationArn: an existing SQS queue; create: a queue named <function name><nameSuffix>, tagged as managed.',
  );

export const AlarmActions = z
  .array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/, 'an SNS topic ARN'))
  .max(5)
  .default([])
  .describe('SNS topics notified when the alarm fires (CloudWatch allows 5).');
const PERIODS = '10, 30 or a multiple of 60 up to 86400 (seconds)';

/**
 * CloudWatch's alarm periods: 10 or 30 (high-resolution metrics), or a multiple of 60 up to one
 * day. A union rather than a refine, so that policies/schema.json says the same (an editor then
 * rejects 45 or 90 as the CLI does).
 */
export const AlarmPeriod = z
  .union([
    z.literal(10),
    z.literal(30),
    z
      .int({ error: PERIODS })
      .min(60, { error: PERIODS })
      .max(86_400, { error: PERIODS })
      .multipleOf(60, { error: PERIODS }),
  ])
  .default(60)
  .describe('Seconds per evaluation period: 10, 30, or a multiple of 60 up to 86,400.');
