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
  // SQS moves messages back to a queue only; a topic's or a rule's DLQ is redriven by edaguard.
  const queues = sources.filter((arn) => arn.split(':')[2] === 'sqs');
  const redrive =
    queues.length > 0 || sources.length === 0
      ? `edaguard redrive ${dlq.arn} --dry-run, then without --dry-run (or: aws sqs start-message-move-task --source-arn ${dlq.arn}${queues[0] ? ` --destination-arn ${queues[0]}` : ''})`
      : `edaguard redrive ${dlq.arn} --to <queue> --dry-run, then without --dry-run (it is the DLQ of ${sources.join(', ')})`;
  return {
    status: 'ticket',
    observed,
    desired: { approximateNumberOfMessages: 0 },
    message: `${count} message(s) failed processing and wait in this DLQ: find and fix the cause, then redrive: ${redrive}`,
  };
}
