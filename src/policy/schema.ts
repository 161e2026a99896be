import { z } from 'zod';
import { exceptionRulesJsonSchema, PolicyExceptions } from './exceptions.js';
import { checkRuleApplicability, ruleApplicabilityJsonSchema } from './ruleApplicability.js';
import {
  DlqDeliveryPermissionSettings,
  DlqNotEmptySettings,
  EsmPartialBatchResponseSettings,
  EsmStreamFailureHandlingSettings,
  EventbridgeTargetDlqSettings,
  FailureMetricAlarmsSettings,
  IdempotencyStoreSettings,
  LambdaAsyncInvokeConfigSettings,
  PipeSourceFailureHandlingSettings,
  RESOURCE_TYPES,
  RULE_IDS,
  SnsSubscriptionDlqSettings,
  SqsDeadLetterQueueSettings,
  SqsDlqAlarmSettings,
  SqsDlqRetentionSettings,
  SqsFifoOrderingSettings,
  SqsVisibilityTimeoutSettings,
  StreamIteratorAgeAlarmSettings,
  StreamRetentionSettings,
} from './ruleSettings.js';
import { TagMap } from './settingFields.js';

// The policy document's vocabulary lives in small modules; importers may keep using this one.
export { LAMBDA_LIMITS, SQS_LIMITS } from './awsLimits.js';
export { MANAGED_BY_VALUE, TAGS } from './reservedTags.js';
export {
  RESOURCE_TYPES,
  type ResourceType,
  RULE_IDS,
  RULE_RESOURCE_TYPES,
  type RuleId,
  type RuleSettings,
  RuleSettingsSchemas,
} from './ruleSettings.js';

export const API_VERSION = 'edaguard.dev/v1alpha1' as const;
export const POLICY_KIND = 'ReliabilityPolicy' as const;

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
    'stream-retention': StreamRetentionSettings.optional(),
    'sns-subscription-dlq': SnsSubscriptionDlqSettings.optional(),
    'eventbridge-target-dlq': EventbridgeTargetDlqSettings.optional(),
    'dlq-delivery-permission': DlqDeliveryPermissionSettings.optional(),
    'pipe-source-failure-handling': PipeSourceFailureHandlingSettings.optional(),
    'failure-metric-alarms': FailureMetricAlarmsSettings.optional(),
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
  })
  // The refine above, as policies/schema.json can say it.
  .meta({ minProperties: 1 });

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
  spec: z
    .strictObject({
      enforcement: z
        .enum(['enforce', 'audit'])
        .default('audit')
        .describe('enforce: fix what is safe; audit (the default): report only, never write.'),
      match: z.strictObject({
        resourceTypes: z
          .array(z.enum(RESOURCE_TYPES))
          .min(1)
          .optional()
          .describe(
            'Default: every type a rule of this policy applies to (sqs:queue only for the DLQ rules sqs-dlq-retention, sqs-dlq-alarm and dlq-not-empty; name sns:topic, events:rule, pipes:pipe or lambda:function to have them judge the DLQs of those too).',
          ),
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
        .describe(
          'Resources another tool owns get a ticket instead of a fix: a fix there would be reverted.',
        ),
      rules: Rules,
      exceptions: PolicyExceptions,
    })
    // A rule none of match.resourceTypes lets apply; policies/schema.json says the same.
    .superRefine(checkRuleApplicability)
    // And an exception may only name the policy's own rules (checked in parsePolicyFile.ts).
    .meta({ allOf: [...ruleApplicabilityJsonSchema().allOf, ...exceptionRulesJsonSchema().allOf] }),
});

export type ReliabilityPolicyDocument = z.infer<typeof ReliabilityPolicySchema>;

/** JSON Schema for editors (yaml-language-server) and the policy repository's CI. */
export function policyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ReliabilityPolicySchema, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://edaguard.dev/schemas/v1alpha1/reliability-policy.json',
    title: 'edaguard ReliabilityPolicy',
  };
}
