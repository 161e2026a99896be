import type { QueueFacts } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { RuleVerdict } from './verdict.js';

/** `sqs-dlq-retention`: a DLQ keeps messages at least minSeconds, so on-call has time to triage. */
export function planDlqRetention(
  dlq: QueueFacts,
  settings: RuleSettings['sqs-dlq-retention'],
  sources: readonly string[],
): RuleVerdict {
  const observed = { messageRetentionPeriod: dlq.messageRetentionPeriod };
  const of = sources.length > 0 ? `DLQ of ${sources.join(', ')}` : 'DLQ';
  if (dlq.messageRetentionPeriod >= settings.minSeconds) {
    return {
      status: 'pass',
      observed,
      desired: observed,
      message: `${of} keeps messages ${dlq.messageRetentionPeriod} s`,
    };
  }
  return {
    status: 'drift',
    observed,
    desired: { messageRetentionPeriod: settings.minSeconds },
    message: `${of} keeps messages ${dlq.messageRetentionPeriod} s, less than ${settings.minSeconds} s`,
    actions: [
      {
        kind: 'SetQueueAttributes',
        queueArn: dlq.arn,
        queueUrl: dlq.url,
        attributes: { MessageRetentionPeriod: String(settings.minSeconds) },
      },
    ],
  };
}
