import { sdk } from '../aws/sdk.js';
import type { SqsSender } from './queues.js';
import { type RedrivePlan, targetFor } from './resolveTarget.js';

export interface RedriveSample {
  messageId: string;
  /** Where the message would go; undefined: its source cannot be known (it would stay). */
  target?: string;
  messageGroupId?: string;
  attributes: string[];
  receiveCount?: number;
  /** The first 200 characters of the body. */
  bodyPreview: string;
}

/** Where the DLQ's messages would go, from the plan alone: no message is received. */
export function dryRunTargets(plan: RedrivePlan): string[] {
  return plan.routing.kind === 'per-message'
    ? [...plan.routing.sources.keys()].sort()
    : [plan.routing.target.arn];
}

/**
 * `--preview`: up to 10 messages received with a zero visibility timeout, so they stay visible to
 * everyone else. A receive is still a receive: it raises each message's ApproximateReceiveCount
 * (and a DLQ with a redrive policy of its own counts it), which is why a plain dry run only
 * counts, with GetQueueAttributes.
 */
export async function sampleDlq(sqs: SqsSender, plan: RedrivePlan, count = 10): Promise<RedriveSample[]> {
  const { ReceiveMessageCommand } = await sdk.sqs();
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: plan.dlq.url,
      MaxNumberOfMessages: Math.min(10, Math.max(1, count)),
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return (out.Messages ?? []).map((m) => {
    const target = targetFor(plan.routing, m.Attributes?.DeadLetterQueueSourceArn);
    const body = m.Body ?? '';
    return {
      messageId: m.MessageId ?? '?',
      ...(target ? { target: target.arn } : {}),
      ...(m.Attributes?.MessageGroupId ? { messageGroupId: m.Attributes.MessageGroupId } : {}),
      attributes: Object.keys(m.MessageAttributes ?? {}).sort(),
      ...(m.Attributes?.ApproximateReceiveCount
        ? { receiveCount: Number(m.Attributes.ApproximateReceiveCount) }
        : {}),
      bodyPreview: body.length > 200 ? `${body.slice(0, 200)}…` : body,
    };
  });
}
