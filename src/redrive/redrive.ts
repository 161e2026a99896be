/** `edaguard redrive`: SQS's move task where it applies, the receive → send → delete mover otherwise. */
import { dryRunTargets, type RedriveSample, sampleDlq } from './dryRun.js';
import { type MoveProgress, type MoveResult, moveMessages } from './mover.js';
import { isMoveTaskUnavailable, type MoveTaskStatus, startMoveTask, waitForMoveTask } from './moveTask.js';
import type { SqsSender } from './queues.js';
import { type RedrivePlan, RedriveRefusedError, resolveRedrive } from './resolveTarget.js';

export type RedriveMode = 'auto' | 'move-task' | 'mover';

export interface RedriveRequest {
  dlq: string;
  to?: string;
  mode: RedriveMode;
  max?: number;
  /** Messages per second (MaxNumberOfMessagesPerSecond for a move task). */
  perSecond?: number;
  dryRun: boolean;
  /** With dryRun: also receive up to 10 messages to show them (a receive; see sampleDlq). */
  preview?: boolean;
  /** Wait for a move task to finish (it runs server-side either way). */
  wait: boolean;
  endpoint?: string;
  signal?: AbortSignal;
  /** Mover tuning; the defaults suit AWS. */
  waitTimeSeconds?: number;
  visibilityTimeoutSeconds?: number;
  moveTaskPollMs?: number;
  onMoverProgress?: (progress: MoveProgress) => void;
  onMoveTaskStatus?: (status: MoveTaskStatus) => void;
  afterSend?: (acknowledged: number) => void | Promise<void>;
}

export type RedriveOutcome =
  | {
      kind: 'dry-run';
      plan: RedrivePlan;
      approximateMessages: number;
      approximateNotVisible: number;
      targets: string[];
      /** Only with `preview`. */
      samples?: RedriveSample[];
    }
  | { kind: 'move-task'; plan: RedrivePlan; task: MoveTaskStatus }
  | { kind: 'mover'; plan: RedrivePlan; result: MoveResult; fallbackReason?: string };

/** The mover's rate when none is given: gentle on the consumers of the target. */
export const DEFAULT_MOVER_PER_SECOND = 50;

/**
 * A move task applies to a DLQ of SQS queues (ListDeadLetterSourceQueues is not empty); `--max`
 * needs the mover, since a move task moves everything.
 */
function moveTaskApplies(plan: RedrivePlan, request: RedriveRequest): string | undefined {
  if (plan.sources.length === 0)
    return 'no SQS queue uses this DLQ (Lambda or SNS feed it): StartMessageMoveTask does not apply';
  if (request.max !== undefined) return '--max: a move task cannot stop after N messages';
  return undefined;
}

export async function redrive(sqs: SqsSender, request: RedriveRequest): Promise<RedriveOutcome> {
  const plan = await resolveRedrive(sqs, {
    dlq: request.dlq,
    ...(request.to !== undefined ? { to: request.to } : {}),
    ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
  });
  if (request.dryRun) {
    // Counted from the attributes resolveRedrive read: the DLQ is not touched.
    return {
      kind: 'dry-run',
      plan,
      approximateMessages: plan.dlq.approximateMessages,
      approximateNotVisible: plan.dlq.approximateNotVisible ?? 0,
      targets: dryRunTargets(plan),
      ...(request.preview ? { samples: await sampleDlq(sqs, plan, request.max ?? 10) } : {}),
    };
  }
  const notApplicable = moveTaskApplies(plan, request);
  let fallbackReason = notApplicable;
  if (request.mode === 'move-task' && notApplicable) throw new RedriveRefusedError([notApplicable]);
  if (request.mode !== 'mover' && !notApplicable) {
    try {
      const taskHandle = await startMoveTask(sqs, {
        sourceArn: plan.dlq.arn,
        ...(plan.routing.kind === 'named' ? { destinationArn: plan.routing.target.arn } : {}),
        ...(request.perSecond !== undefined ? { maxPerSecond: request.perSecond } : {}),
      });
      const started: MoveTaskStatus = { taskHandle, status: 'RUNNING', moved: 0, sourceArn: plan.dlq.arn };
      if (!request.wait) return { kind: 'move-task', plan, task: started };
      const task = await waitForMoveTask(sqs, plan.dlq.arn, taskHandle, {
        intervalMs: request.moveTaskPollMs ?? 2000,
        ...(request.onMoveTaskStatus ? { onStatus: request.onMoveTaskStatus } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return { kind: 'move-task', plan, task };
    } catch (error) {
      if (request.mode === 'move-task' || !isMoveTaskUnavailable(error)) throw error;
      const e = error as { name?: string; message?: string };
      fallbackReason = `StartMessageMoveTask unavailable here (${e.name ?? 'Error'}: ${e.message ?? ''})`;
    }
  }
  const result = await moveMessages(sqs, {
    dlq: plan.dlq,
    routing: plan.routing,
    ...(request.max !== undefined ? { max: request.max } : {}),
    perSecond: request.perSecond ?? DEFAULT_MOVER_PER_SECOND,
    waitTimeSeconds: request.waitTimeSeconds ?? 1,
    visibilityTimeoutSeconds: request.visibilityTimeoutSeconds ?? 120,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.onMoverProgress ? { onProgress: request.onMoverProgress } : {}),
    ...(request.afterSend ? { afterSend: request.afterSend } : {}),
  });
  return { kind: 'mover', plan, result, ...(fallbackReason ? { fallbackReason } : {}) };
}

/** Whether every message that was to move did: the exit code's question. */
export function redriveComplete(outcome: RedriveOutcome): boolean {
  if (outcome.kind === 'dry-run') return true;
  if (outcome.kind === 'move-task')
    return (
      outcome.task.status === 'COMPLETED' ||
      (outcome.task.status === 'RUNNING' && !outcome.task.failureReason)
    );
  return (
    outcome.result.failed === 0 &&
    outcome.result.stoppedBy !== 'aborted' &&
    outcome.result.stoppedBy !== 'fifo-order'
  );
}
