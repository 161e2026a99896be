/**
 * An SQS client mocked at the client boundary (`send`), for what the emulator cannot answer:
 * moto 5.2.1 implements neither StartMessageMoveTask, ListMessageMoveTasks nor
 * CancelMessageMoveTask (moto/sqs/responses.py has no handler for them, upstream included), and it
 * never returns RedriveAllowPolicy from GetQueueAttributes.
 */
import type { SqsSender } from '../../../src/redrive/queues.js';

export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

type Handler = (input: Record<string, unknown>) => unknown;

export function fakeSqs(handlers: Record<string, Handler>): { sqs: SqsSender; sent: SentCommand[] } {
  const sent: SentCommand[] = [];
  const sqs = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ name, input: command.input });
      const handler = handlers[name];
      if (!handler) throw new Error(`fakeSqs: unexpected ${name}`);
      return handler(command.input);
    },
  } as unknown as SqsSender;
  return { sqs, sent };
}

export const ACCOUNT_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012';
export const arnOf = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

/** GetQueueAttributes answers for named queues (by URL), ListDeadLetterSourceQueues for the DLQ. */
export function queueHandlers(
  queues: Record<string, { fifo?: boolean; redriveAllowPolicy?: object; messages?: number }>,
  sourcesOf: Record<string, string[]> = {},
): Record<string, Handler> {
  return {
    GetQueueUrl: (input) => {
      const name = input.QueueName as string;
      if (!queues[name]) throw Object.assign(new Error('no queue'), { name: 'QueueDoesNotExist' });
      return { QueueUrl: `${ACCOUNT_URL}/${name}` };
    },
    GetQueueAttributes: (input) => {
      const name = String(input.QueueUrl).split('/').pop() as string;
      const q = queues[name];
      if (!q) throw Object.assign(new Error('no queue'), { name: 'QueueDoesNotExist' });
      return {
        Attributes: {
          QueueArn: arnOf(name),
          ...(q.fifo ? { FifoQueue: 'true' } : {}),
          ...(q.redriveAllowPolicy ? { RedriveAllowPolicy: JSON.stringify(q.redriveAllowPolicy) } : {}),
          ApproximateNumberOfMessages: String(q.messages ?? 0),
        },
      };
    },
    ListDeadLetterSourceQueues: (input) => {
      const name = String(input.QueueUrl).split('/').pop() as string;
      return { queueUrls: (sourcesOf[name] ?? []).map((s) => `${ACCOUNT_URL}/${s}`) };
    },
  };
}
