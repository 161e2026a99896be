import { SQS_LIMITS } from './awsLimits.js';

/** `orders` + `-dlq` → `orders-dlq`; `orders.fifo` → `orders-dlq.fifo` (a FIFO queue's DLQ must be FIFO). */
export function dlqNameFor(queueName: string, fifo: boolean, suffix: string): string {
  const base = fifo ? queueName.replace(/\.fifo$/, '') : queueName;
  return `${base}${suffix}${fifo ? '.fifo' : ''}`;
}

export function isValidQueueName(name: string): boolean {
  return name.length <= SQS_LIMITS.maxQueueNameLength && /^[A-Za-z0-9_-]+(\.fifo)?$/.test(name);
}

/** Name under which edaguard creates a function's on-failure queue. */
export function failureQueueNameFor(functionName: string, suffix: string): string {
  return `${functionName}${suffix}`;
}
