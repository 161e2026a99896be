/**
 * The StartMessageMoveTask path, with the SQS client mocked at the client boundary: moto 5.2.1
 * does not implement StartMessageMoveTask, ListMessageMoveTasks or CancelMessageMoveTask (checked
 * in moto/sqs/responses.py, 5.2.1 and upstream: no handler; the server answers an HTML 500).
 */
import { describe, expect, it } from 'vitest';
import { cancelRunningMoveTask, isMoveTaskUnavailable } from '../../../src/redrive/moveTask.js';
import { redrive, redriveComplete } from '../../../src/redrive/redrive.js';
import { arnOf, fakeSqs, queueHandlers } from './fakeSqs.js';

const base = { mode: 'auto' as const, dryRun: false, wait: true, moveTaskPollMs: 1 };

describe('redrive with StartMessageMoveTask (SQS client mocked: moto lacks the API)', () => {
  it('a DLQ of an SQS queue: starts a move task back to the sources with the rate, polls until COMPLETED', async () => {
    const statuses = ['RUNNING', 'RUNNING', 'COMPLETED'];
    const { sqs, sent } = fakeSqs({
      ...queueHandlers({ 'orders-dlq': { messages: 40 }, orders: {} }, { 'orders-dlq': ['orders'] }),
      StartMessageMoveTask: () => ({ TaskHandle: 'task-1' }),
      ListMessageMoveTasks: () => {
        const status = statuses.shift() ?? 'COMPLETED';
        return {
          Results: [
            {
              TaskHandle: 'task-1',
              Status: status,
              ApproximateNumberOfMessagesMoved: status === 'COMPLETED' ? 40 : 15,
              ApproximateNumberOfMessagesToMove: 40,
              SourceArn: arnOf('orders-dlq'),
            },
          ],
        };
      },
    });
    const seen: string[] = [];
    const outcome = await redrive(sqs, {
      ...base,
      dlq: 'orders-dlq',
      perSecond: 25,
      onMoveTaskStatus: (s) => seen.push(`${s.status}:${s.moved}`),
    });
    expect(sent.find((c) => c.name === 'StartMessageMoveTask')?.input).toEqual({
      SourceArn: arnOf('orders-dlq'),
      MaxNumberOfMessagesPerSecond: 25,
    });
    expect(seen).toEqual(['RUNNING:15', 'RUNNING:15', 'COMPLETED:40']);
    expect(outcome).toMatchObject({ kind: 'move-task', task: { status: 'COMPLETED', moved: 40 } });
    expect(redriveComplete(outcome)).toBe(true);
    // The mover never ran: no message was received by edaguard itself.
    expect(sent.some((c) => c.name === 'ReceiveMessage')).toBe(false);
  });

  it('--to a named queue sends it as DestinationArn; a FAILED task is not complete', async () => {
    const { sqs, sent } = fakeSqs({
      ...queueHandlers({ 'orders-dlq': {}, orders: {}, 'orders-replay': {} }, { 'orders-dlq': ['orders'] }),
      StartMessageMoveTask: () => ({ TaskHandle: 'task-2' }),
      ListMessageMoveTasks: () => ({
        Results: [
          {
            TaskHandle: 'task-2',
            Status: 'FAILED',
            FailureReason: 'AccessDenied',
            ApproximateNumberOfMessagesMoved: 3,
          },
        ],
      }),
    });
    const outcome = await redrive(sqs, { ...base, dlq: 'orders-dlq', to: 'orders-replay' });
    expect(sent.find((c) => c.name === 'StartMessageMoveTask')?.input).toEqual({
      SourceArn: arnOf('orders-dlq'),
      DestinationArn: arnOf('orders-replay'),
    });
    expect(outcome).toMatchObject({
      kind: 'move-task',
      task: { status: 'FAILED', failureReason: 'AccessDenied' },
    });
    expect(redriveComplete(outcome)).toBe(false);
  });

  it('--no-wait returns the task handle without polling', async () => {
    const { sqs, sent } = fakeSqs({
      ...queueHandlers({ 'orders-dlq': {}, orders: {} }, { 'orders-dlq': ['orders'] }),
      StartMessageMoveTask: () => ({ TaskHandle: 'task-3' }),
    });
    const outcome = await redrive(sqs, { ...base, wait: false, dlq: 'orders-dlq' });
    expect(outcome).toMatchObject({ kind: 'move-task', task: { taskHandle: 'task-3', status: 'RUNNING' } });
    expect(sent.some((c) => c.name === 'ListMessageMoveTasks')).toBe(false);
  });

  it('falls back to the mover when the endpoint lacks the API, and rethrows a real error', async () => {
    const unavailable = Object.assign(new SyntaxError("Unexpected token '<'\n  Deserialization error: …"), {
      $metadata: { httpStatusCode: 500 },
    });
    const { sqs, sent } = fakeSqs({
      ...queueHandlers({ 'orders-dlq': {}, orders: {} }, { 'orders-dlq': ['orders'] }),
      StartMessageMoveTask: () => {
        throw unavailable;
      },
      ReceiveMessage: () => ({ Messages: [] }),
    });
    const outcome = await redrive(sqs, { ...base, dlq: 'orders-dlq', waitTimeSeconds: 0 });
    expect(outcome.kind).toBe('mover');
    expect(outcome.kind === 'mover' && outcome.fallbackReason).toMatch(
      /StartMessageMoveTask unavailable here/,
    );
    expect(sent.map((c) => c.name)).toContain('ReceiveMessage');

    const denied = Object.assign(new Error('not allowed'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const { sqs: strict } = fakeSqs({
      ...queueHandlers({ 'orders-dlq': {}, orders: {} }, { 'orders-dlq': ['orders'] }),
      StartMessageMoveTask: () => {
        throw denied;
      },
    });
    await expect(redrive(strict, { ...base, dlq: 'orders-dlq' })).rejects.toThrow('not allowed');
  });

  it('--mode move-task on a DLQ no SQS queue uses is refused; --max uses the mover', async () => {
    const { sqs } = fakeSqs(queueHandlers({ 'fn-failures': {}, target: {} }));
    await expect(
      redrive(sqs, { ...base, mode: 'move-task', dlq: 'fn-failures', to: 'target' }),
    ).rejects.toMatchObject({
      code: 'REDRIVE_REFUSED',
    });
    const { sqs: withSource, sent } = fakeSqs({
      ...queueHandlers({ 'orders-dlq': {}, orders: {} }, { 'orders-dlq': ['orders'] }),
      ReceiveMessage: () => ({ Messages: [] }),
    });
    const outcome = await redrive(withSource, { ...base, dlq: 'orders-dlq', max: 5, waitTimeSeconds: 0 });
    expect(outcome.kind === 'mover' && outcome.fallbackReason).toMatch(/--max/);
    expect(sent.some((c) => c.name === 'StartMessageMoveTask')).toBe(false);
  });

  it('--cancel cancels the running task by its handle; none running: undefined', async () => {
    const { sqs, sent } = fakeSqs({
      ListMessageMoveTasks: () => ({
        Results: [
          { TaskHandle: 'new', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 7 },
          { TaskHandle: 'old', Status: 'COMPLETED' },
        ],
      }),
      CancelMessageMoveTask: () => ({ ApproximateNumberOfMessagesMoved: 9 }),
    });
    expect(await cancelRunningMoveTask(sqs, arnOf('orders-dlq'))).toEqual({ taskHandle: 'new', moved: 9 });
    expect(sent.find((c) => c.name === 'CancelMessageMoveTask')?.input).toEqual({ TaskHandle: 'new' });

    const { sqs: idle } = fakeSqs({
      ListMessageMoveTasks: () => ({ Results: [{ TaskHandle: 'old', Status: 'COMPLETED' }] }),
    });
    expect(await cancelRunningMoveTask(idle, arnOf('orders-dlq'))).toBeUndefined();
  });

  it('isMoveTaskUnavailable: unknown action or non-SQS answer yes; throttling, access denied no', () => {
    expect(isMoveTaskUnavailable({ name: 'UnsupportedOperation' })).toBe(true);
    expect(isMoveTaskUnavailable({ name: 'InvalidAction' })).toBe(true);
    expect(isMoveTaskUnavailable({ name: 'Error', $metadata: { httpStatusCode: 501 } })).toBe(true);
    expect(isMoveTaskUnavailable({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
    expect(isMoveTaskUnavailable({ name: 'RequestThrottled', $metadata: { httpStatusCode: 400 } })).toBe(
      false,
    );
    expect(isMoveTaskUnavailable({ name: 'InternalError', $metadata: { httpStatusCode: 500 } })).toBe(false);
  });
});
