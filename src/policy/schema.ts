import { z } from 'zod';

export const API_VERSION = 'edaguard.dev/v1alpha1' as const;
export const POLICY_KIND = 'ReliabilityPolicy' as const;

/** Tags that mean something to edaguard whatever the policies say. */
export const TAGS = {
  ignore: 'edaguard.dev/ignore',
  managedBy: 'edaguard.dev/managed-by',
  dlqFor: 'edaguard.dev/dlq-for',
  failureDestinationFor: 'edaguard.dev/failure-destination-for',
} as const;
export const MANAGED_BY_VALUE = 'edaguard';

/** SQS limits (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html). */
export const SQS_LIMITS = {
  maxVisibilityTimeoutSeconds: 43_200,
  maxRetentionSeconds: 1_209_600,
  minRetentionSeconds: 60,
  maxReceiveCount: 1_000,
  maxQueueNameLength: 80,
} as const;

/** Limits of Lambda's failure-handling settings (UpdateEventSourceMapping, PutFunctionEventInvokeConfig). */
export const LAMBDA_LIMITS = {
  maxStreamRetryAttempts: 10_000,
  minRecordAgeSeconds: 60,
  maxRecordAgeSeconds: 604_800,
  maxAsyncRetryAttempts: 2,
  minEventAgeSeconds: 60,
  maxEventAgeSeconds: 21_600,
} as const;

export const RESOURCE_TYPES = ['sqs:queue', 'lambda:function', 'dynamodb:table'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

const QueueNameSuffix = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, "-" and "_" only (1-40 characters)');

const TagMap = z.record(z.string().min(1).max(128), z.string().max(256));

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

/** Where failed events go: an existing SQS queue, or one edaguard creates per function. */
const OnFailure = z
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
    optInTag: TagMap.refine((t) => Object.keys(t).length === 1, 'exactly one tag')
      .default({ 'edaguard.dev/partial-batch': 'supported' })
      .describe('Functions carrying this tag return batchItemFailures; others get a ticket, never a write.'),
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
    orderingTag: TagMap.refine((t) => Object.keys(t).length === 1, 'exactly one tag')
      .default({ 'edaguard.dev/ordering': 'strict' })
      .describe('Queues carrying this tag need strict ordering, so must be FIFO.'),
  })
  .describe(
    'Queues that need strict ordering are FIFO; a standard queue cannot be converted, so it gets a ticket.',
  );

const AlarmActions = z
  .array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/, 'an SNS topic ARN'))
  .max(5)
  .default([])
  .describe('SNS topics notified when the alarm fires (CloudWatch allows 5).');
const AlarmPeriod = z
  .int()
  .refine((p) => p === 10 || p === 30 || (p >= 60 && p % 60 === 0), '10, 30 or a multiple of 60')
  .default(60);

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
} as const;

export type RuleId = keyof typeof RuleSettingsSchemas;
export const RULE_IDS = Object.keys(RuleSettingsSchemas) as RuleId[];

/** Which resource types each rule evaluates. */
export const RULE_RESOURCE_TYPES: Record<RuleId, readonly ResourceType[]> = {
  'sqs-dead-letter-queue': ['sqs:queue'],
  'sqs-dlq-retention': ['sqs:queue'],
  'sqs-visibility-timeout': ['sqs:queue'],
  'sqs-fifo-ordering': ['sqs:queue'],
  'esm-stream-failure-handling': ['lambda:function'],
  'esm-partial-batch-response': ['lambda:function'],
  'lambda-async-invoke-config': ['lambda:function'],
  'idempotency-store': ['dynamodb:table'],
  'sqs-dlq-alarm': ['sqs:queue'],
  'stream-iterator-age-alarm': ['lambda:function'],
  'dlq-not-empty': ['sqs:queue'],
};

const Rules = z
  .strictObject({
    'sqs-dead-letter-queue': SqsDeadLetterQueueSettings.optional(),
    'sqs-dlq-retention': SqsDlqRetentionSettings.optional(),
    'sqs-visibility-timeout': SqsVisibilityTimeoutSettings.optional(),
    'sqs-fifo-ordering': SqsFifoOrderingSettings.optional(),
    'esm-stream-failure-handling': EsmStreamFailureHandlingSettings.optional(),
    'esm-partial-batch-response': EsmPartialBatchResponseSettings.optional(),
    'lambda-async-invoke-config': LambdaAsyncInvokeConfigSettings.optional(),
    'idempotency-store': IdempotencyStoreSettings.optional(),
    'sqs-dlq-alarm': SqsDlqAlarmSettings.optional(),
    'stream-iterator-age-alarm': StreamIteratorAgeAlarmSettings.optional(),
    'dlq-not-empty': DlqNotEmptySettings.optional(),
  })
  .refine((rules) => Object.values(rules).some((v) => v !== undefined), {
    message: `at least one rule is required (known rules: ${RULE_IDS.join(', ')})`,
  })
  .superRefine((rules, ctx) => {
    const created = rules['sqs-dead-letter-queue']?.create?.retentionSeconds;
    const minimum = rules['sqs-dlq-retention']?.minSeconds;
    if (created !== undefined && minimum !== undefined && created < minimum) {
      ctx.addIssue({
        code: 'custom',
        path: ['sqs-dead-letter-queue', 'create', 'retentionSeconds'],
        message: `${created} is below sqs-dlq-retention.minSeconds (${minimum}): every new DLQ would break the policy's own retention rule`,
      });
    }
  });

export const ReliabilityPolicySchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(POLICY_KIND),
  metadata: z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and "-" (a DNS label)'),
    labels: TagMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    enforcement: z
      .enum(['enforce', 'audit'])
      .default('audit')
      .describe('enforce: fix what is safe; audit (the default): report only, never write.'),
    match: z.strictObject({
      resourceTypes: z
        .array(z.enum(RESOURCE_TYPES))
        .min(1)
        .optional()
        .describe('Default: every type a rule of this policy applies to.'),
      tags: TagMap.default({}).describe('All listed tags must match. Empty: every resource of the types.'),
    }),
    exclude: z
      .strictObject({
        tags: TagMap.default({}).describe('Any listed tag excludes the resource.'),
      })
      .default({ tags: {} }),
    ownership: z
      .strictObject({
        ticketWhenTagged: z
          .array(z.string().min(1).max(128))
          .min(1)
          .describe(
            'Tag keys that mark a resource as owned by infrastructure as code, e.g. aws:cloudformation:stack-name.',
          ),
      })
      .optional()
      .describe('Resources another tool owns get a ticket instead of a fix: a fix there would be reverted.'),
    rules: Rules,
  }),
});

export type ReliabilityPolicyDocument = z.infer<typeof ReliabilityPolicySchema>;
export type RuleSettings = {
  'sqs-dead-letter-queue': z.infer<typeof SqsDeadLetterQueueSettings>;
  'sqs-dlq-retention': z.infer<typeof SqsDlqRetentionSettings>;
  'sqs-visibility-timeout': z.infer<typeof SqsVisibilityTimeoutSettings>;
  'sqs-fifo-ordering': z.infer<typeof SqsFifoOrderingSettings>;
  'esm-stream-failure-handling': z.infer<typeof EsmStreamFailureHandlingSettings>;
  'esm-partial-batch-response': z.infer<typeof EsmPartialBatchResponseSettings>;
  'lambda-async-invoke-config': z.infer<typeof LambdaAsyncInvokeConfigSettings>;
  'idempotency-store': z.infer<typeof IdempotencyStoreSettings>;
  'sqs-dlq-alarm': z.infer<typeof SqsDlqAlarmSettings>;
  'stream-iterator-age-alarm': z.infer<typeof StreamIteratorAgeAlarmSettings>;
  'dlq-not-empty': z.infer<typeof DlqNotEmptySettings>;
};

/** JSON Schema for editors (yaml-language-server) and the policy repository's CI. */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ReliabilityPolicySchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://edaguard.dev/schemas/v1alpha1/reliability-policy.json',
    title: 'edaguard ReliabilityPolicy',
  };
}
