/**
 * Why each rule matters and what a person should do, one line each, for tickets. From the
 * operations lesson the rules come from (/work/shared/reference/eda-operations-lesson.txt).
 */

export interface RuleGuidance {
  /** One line: what goes wrong in production when this rule is broken. */
  readonly why: string;
  /** One line: what a person does when edaguard cannot fix it. */
  readonly todo: string;
}

export const RULE_GUIDANCE: Readonly<Record<string, RuleGuidance>> = {
  'sqs-dead-letter-queue': {
    why: 'Without a DLQ a poison message is retried until retention drops it: the failure is lost silently, and it burns consumer time on every receive.',
    todo: 'Give the queue a redrive policy to a DLQ with a maxReceiveCount within the policy, or let edaguard create one (see the message for what blocks it).',
  },
  'sqs-dlq-retention': {
    why: 'A DLQ that keeps messages only a few days loses a failure from a Friday before on-call triages it; 14 days leaves time to find and redrive it.',
    todo: "Raise the DLQ's MessageRetentionPeriod to the policy's minimum (14 days is the SQS maximum).",
  },
  'sqs-visibility-timeout': {
    why: "A visibility timeout shorter than the consumer's processing time delivers the message again while it is still being processed: duplicates, and a receive count that pushes good messages to the DLQ.",
    todo: "Make the visibility timeout at least the policy's multiple of the consumers' timeout: shorten the function timeout or lower lambdaTimeoutMultiple when SQS's 12-hour maximum is in the way.",
  },
  'esm-stream-failure-handling': {
    why: 'A poison record on a Kinesis or DynamoDB stream blocks its shard until the data expires, unless bisect-on-error and an on-failure destination isolate it.',
    todo: "Give the mapping an on-failure destination (the policy's onFailure) first, then cap MaximumRetryAttempts and MaximumRecordAgeInSeconds below the stream's retention: a cap without a destination skips failing records with no trace.",
  },
  'esm-partial-batch-response': {
    why: 'Without ReportBatchItemFailures one failed message returns the whole batch to the queue, so messages that succeeded are processed again.',
    todo: 'Make the handler return batchItemFailures and mark the function as opted in; then edaguard can turn on ReportBatchItemFailures (turning it on first would fail every message).',
  },
  'lambda-async-invoke-config': {
    why: 'Asynchronous invocations (SNS, S3, EventBridge) are retried for up to 6 hours and then dropped, unless an on-failure destination catches them.',
    todo: "Give the function an on-failure destination (the policy's onFailure) first, then bound its retries and event age: lower bounds without a destination drop events sooner.",
  },
  'idempotency-store': {
    why: 'Every event source delivers at least once; without an idempotency store a retried event charges a card or ships an order twice.',
    todo: 'Give the handler an idempotency table (hash key id, a TTL attribute, on-demand capacity) and use it before side effects.',
  },
  'sqs-fifo-ordering': {
    why: 'Work that must happen in order per entity (payments, state machines) needs a FIFO queue with message groups; a standard queue reorders and duplicates.',
    todo: 'Move producers and consumers to a FIFO queue with the entity ID as MessageGroupId; a standard queue cannot be converted in place.',
  },
  'sqs-dlq-alarm': {
    why: 'An alarm-free DLQ fills silently: orders stop shipping and payments stop posting while nobody knows.',
    todo: 'Add a CloudWatch alarm on the DLQ (ApproximateNumberOfMessagesVisible > 0) that pages the owning team.',
  },
  'stream-iterator-age-alarm': {
    why: 'A growing iterator age means a stream consumer is stuck, often on a poison record, and data will expire unread.',
    todo: 'Add an IteratorAge alarm on the stream mapping that pages the owning team.',
  },
  'dlq-not-empty': {
    why: 'Messages in a DLQ are failed work waiting for a person; retention will drop them if nobody acts.',
    todo: 'Find the cause of the failures, fix it, then redrive the DLQ to its source queue (`edaguard redrive <dlq> --dry-run`, then without --dry-run).',
  },
  'stream-retention': {
    why: 'A stream that keeps records for less time than its consumers may retry them drops a failing record before its retries (or a person) can deal with it.',
    todo: 'Raise the stream retention (IncreaseStreamRetentionPeriod) to at least the largest MaximumRecordAgeInSeconds of its mappings.',
  },
  'sns-subscription-dlq': {
    why: 'SNS retries a failed delivery and then drops the message for good: without a DLQ on the subscription the failure leaves no trace.',
    todo: "Give each subscription a RedrivePolicy to an SQS queue in the topic's account and region (FIFO for a FIFO topic), or let edaguard create one (rules.sns-subscription-dlq.create).",
  },
  'eventbridge-target-dlq': {
    why: 'EventBridge retries a failed delivery for up to 24 hours and then drops the event: without a DLQ on the target nothing records that it was lost.',
    todo: "Give each target a DeadLetterConfig to an SQS queue in the rule's account and region and a RetryPolicy within the policy, or let edaguard create one (rules.eventbridge-target-dlq.create).",
  },
  'dlq-delivery-permission': {
    why: 'A DLQ whose queue policy (or KMS key policy) does not let SNS or EventBridge send to it exists and still receives nothing: the failures it should hold are dropped.',
    todo: "Add a statement allowing the service principal sqs:SendMessage with aws:SourceArn = the topic or rule to the queue policy, and kms:Decrypt and kms:GenerateDataKey for it in the customer-managed key's policy.",
  },
  'pipe-source-failure-handling': {
    why: 'A pipe reading a stream retries a failing record forever by default (-1), blocking its shard until the data expires, unless limits, bisect and a DLQ isolate it.',
    todo: "Give the pipe's source a DeadLetterConfig first, then finite MaximumRetryAttempts and MaximumRecordAgeInSeconds and OnPartialBatchItemFailure AUTOMATIC_BISECT.",
  },
  'failure-metric-alarms': {
    why: 'Dropped async events, failed EventBridge and SNS deliveries, hot shards and throttled idempotency tables show up only as metrics: without an alarm nobody hears about them.',
    todo: 'Add a CloudWatch alarm on each failure metric of the resource (> 0) that notifies the owning team.',
  },
  'policy-conflict': {
    why: 'Two policies ask for different settings on the same resource, so edaguard writes neither and the resource stays unprotected.',
    todo: 'Make the policies agree for this resource (narrow one selector, or align the settings).',
  },
  'read-error': {
    why: 'edaguard could not read this resource, so it can neither tell whether it is protected nor fix it.',
    todo: "Check the error in the message; for AccessDenied, grant edaguard's role the action (deploy/iam/edaguard-policy.json lists what it needs).",
  },
};

const ACCESS_DENIED_TODO =
  "Grant edaguard's IAM role the denied action (deploy/iam/edaguard-policy.json lists exactly what it needs), or tag the resource edaguard.dev/ignore=true if edaguard must leave it alone.";

const FALLBACK: RuleGuidance = {
  why: 'The resource differs from its reliability policy, and edaguard cannot fix it safely.',
  todo: 'Read the message, fix the resource or its policy, and edaguard will close this ticket on the next cycle.',
};

export function guidanceFor(rule: string, accessDenied = false): RuleGuidance {
  const base = RULE_GUIDANCE[rule] ?? FALLBACK;
  return accessDenied ? { why: base.why, todo: ACCESS_DENIED_TODO } : base;
}
