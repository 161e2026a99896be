import type { QueueFacts } from '../../discovery/inventory.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `dlq-not-empty`, report only: messages in a DLQ are work that failed. Nothing is written; a
 * person finds the cause, fixes it and redrives.
 */
export function planDlqNotEmpty(dlq: QueueFacts, sources: readonly string[]): RuleVerdict {
  const count = dlq.approximateNumberOfMessages;
  const observed = { approximateNumberOfMessages: count };
  if (count === 0) return { status: 'pass', observed, desired: observed, message: 'empty' };
  const source = sources[0];
  const awsCli = source
    ? `aws sqs start-message-move-task --source-arn ${dlq.arn} --destination-arn ${source}`
    : `aws sqs start-message-move-task --source-arn ${dlq.arn}`;
  const redrive = `edaguard redrive ${dlq.arn} --dry-run, then without --dry-run (or: ${awsCli})`;
  return {
    status: 'ticket',
    observed,
    desired: { approximateNumberOfMessages: 0 },
    message: `${count} message(s) failed processing and wait in this DLQ: find and fix the cause, then redrive: ${redrive}`,
  };
}
