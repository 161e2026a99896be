/**
 * SQS's own redrive (StartMessageMoveTask): the service moves the messages, server-side, back to
 * each message's source queue or to one destination. It applies to DLQs of SQS queues only.
 */
import type { ListMessageMoveTasksResultEntry } from '@aws-sdk/client-sqs';
import { sdk } from '../aws/sdk.js';
import type { SqsSender } from './queues.js';

export interface MoveTaskStatus {
  taskHandle?: string;
  status: string;
  moved: number;
  toMove?: number;
  sourceArn?: string;
  destinationArn?: string;
  maxPerSecond?: number;
  failureReason?: string;
  startedAt?: string;
}

const UNAVAILABLE = new Set([
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
  'InvalidAction',
  'UnknownOperationException',
  'NotImplemented',
]);

/**
 * The endpoint has no move tasks (an emulator, a partition without them) or refuses one for this
 * DLQ: the caller falls back to the receive → send → delete mover. An answer that is not in the
 * SQS protocol at all (moto answers an unknown action with an HTML page, HTTP 500) means the
 * endpoint does not implement the call. Any other error is a real error.
 */
export function isMoveTaskUnavailable(error: unknown): boolean {
  const e = error as {
    name?: string;
    Code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (UNAVAILABLE.has(e.name ?? '') || UNAVAILABLE.has(e.Code ?? '')) return true;
  if (e.name === 'SyntaxError' && /Deserialization error/.test(e.message ?? '')) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 404 || status === 501;
}

function toStatus(entry: ListMessageMoveTasksResultEntry): MoveTaskStatus {
  return {
    ...(entry.TaskHandle ? { taskHandle: entry.TaskHandle } : {}),
    status: entry.Status ?? 'UNKNOWN',
    moved: entry.ApproximateNumberOfMessagesMoved ?? 0,
    ...(entry.ApproximateNumberOfMessagesToMove !== undefined
      ? { toMove: entry.ApproximateNumberOfMessagesToMove }
      : {}),
    ...(entry.SourceArn ? { sourceArn: entry.SourceArn } : {}),
    ...(entry.DestinationArn ? { destinationArn: entry.DestinationArn } : {}),
    ...(entry.MaxNumberOfMessagesPerSecond !== undefined
      ? { maxPerSecond: entry.MaxNumberOfMessagesPerSecond }
      : {}),
    ...(entry.FailureReason ? { failureReason: entry.FailureReason } : {}),
    ...(entry.StartedTimestamp !== undefined
      ? { startedAt: new Date(entry.StartedTimestamp).toISOString() }
      : {}),
  };
}

/** Starts a move task; without a destination SQS returns each message to its own source queue. */
export async function startMoveTask(
  sqs: SqsSender,
  options: { sourceArn: string; destinationArn?: string; maxPerSecond?: number },
): Promise<string> {
  const { StartMessageMoveTaskCommand } = await sdk.sqs();
  const out = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: options.sourceArn,
      ...(options.destinationArn ? { DestinationArn: options.destinationArn } : {}),
      ...(options.maxPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: options.maxPerSecond } : {}),
    }),
  );
  if (!out.TaskHandle) throw new Error('StartMessageMoveTask returned no TaskHandle');
  return out.TaskHandle;
}

/** The DLQ's most recent move tasks, newest first (SQS keeps those of the last 14 days). */
export async function listMoveTasks(sqs: SqsSender, sourceArn: string): Promise<MoveTaskStatus[]> {
  const { ListMessageMoveTasksCommand } = await sdk.sqs();
  const out = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }));
  return (out.Results ?? []).map(toStatus);
}

/** Cancels the DLQ's running task; messages already moved stay moved. Undefined: none running. */
export async function cancelRunningMoveTask(
  sqs: SqsSender,
  sourceArn: string,
): Promise<{ taskHandle: string; moved: number } | undefined> {
  const { CancelMessageMoveTaskCommand } = await sdk.sqs();
  const running = (await listMoveTasks(sqs, sourceArn)).find((t) => t.status === 'RUNNING' && t.taskHandle);
  if (!running?.taskHandle) return undefined;
  const out = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: running.taskHandle }));
  return { taskHandle: running.taskHandle, moved: out.ApproximateNumberOfMessagesMoved ?? running.moved };
}

/** Polls the task until it leaves RUNNING (or CANCELLING), reporting each status seen. */
export async function waitForMoveTask(
  sqs: SqsSender,
  sourceArn: string,
  taskHandle: string,
  options: { intervalMs: number; onStatus?: (status: MoveTaskStatus) => void; signal?: AbortSignal },
): Promise<MoveTaskStatus> {
  for (;;) {
    const task = (await listMoveTasks(sqs, sourceArn)).find((t) => t.taskHandle === taskHandle);
    const status = task ?? { taskHandle, status: 'UNKNOWN', moved: 0 };
    options.onStatus?.(status);
    if (status.status !== 'RUNNING' && status.status !== 'CANCELLING') return status;
    if (options.signal?.aborted) return status;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
