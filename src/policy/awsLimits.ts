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
