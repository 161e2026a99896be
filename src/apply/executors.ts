import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { sqsQueueUrlFromArn } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { EdaguardError } from '../errors.js';
import type { Action } from '../reconcile/model.js';
import { attributesNotYetVisible } from './queueAttributes.js';

export interface ExecutorContext {
  aws: AwsClients;
  endpoint?: string;
  verifyAttempts: number;
  verifyDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export class VerifyError extends EdaguardError {
  constructor(message: string) {
    super('VERIFY_FAILED', message);
  }
}

/** Runs one action, then reads it back until the written values are visible. */
export async function executeAction(action: Action, ctx: ExecutorContext): Promise<void> {
  switch (action.kind) {
    case 'CreateQueue': {
      const out = await ctx.aws.sqs.send(
        new CreateQueueCommand({
          QueueName: action.queueName,
          Attributes: action.attributes,
          tags: action.tags,
        }),
      );
      await verifyQueueAttributes(
        out.QueueUrl ?? sqsQueueUrlFromArn(action.queueArn, ctx.endpoint),
        action.attributes,
        ctx,
      );
      return;
    }
    case 'SetQueueAttributes': {
      await ctx.aws.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: action.queueUrl, Attributes: action.attributes }),
      );
      await verifyQueueAttributes(action.queueUrl, action.attributes, ctx);
      return;
    }
  }
}

async function verifyQueueAttributes(
  queueUrl: string,
  wanted: Readonly<Record<string, string>>,
  ctx: ExecutorContext,
): Promise<void> {
  let pending: string[] = Object.keys(wanted);
  for (let attempt = 1; attempt <= ctx.verifyAttempts; attempt++) {
    const out = await ctx.aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: Object.keys(wanted) as QueueAttributeName[],
      }),
    );
    pending = attributesNotYetVisible(wanted, out.Attributes ?? {});
    if (pending.length === 0) return;
    if (attempt < ctx.verifyAttempts) await ctx.sleep(ctx.verifyDelayMs);
  }
  throw new VerifyError(
    `written but not visible after ${ctx.verifyAttempts} read(s): ${pending.join(', ')} (SQS can take up to 60 s; the next cycle checks again)`,
  );
}

/** One line a person can read: what the action does. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'CreateQueue':
      return `CreateQueue ${action.queueName} ${JSON.stringify(action.attributes)}`;
    case 'SetQueueAttributes':
      return `SetQueueAttributes ${action.queueArn.split(':').pop()} ${JSON.stringify(action.attributes)}`;
  }
}
