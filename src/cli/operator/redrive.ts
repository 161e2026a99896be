/** `edaguard redrive`: messages from a DLQ back to their source queue (or to --to). */
import { type Command, Option } from 'commander';
import type { createAwsClients as CreateAwsClients } from '../../aws/clients.js';
import { EdaguardError } from '../../errors.js';
import type { RedriveMode, RedriveOutcome } from '../../redrive/redrive.js';
import type { CliIo, SetExitCode } from '../io.js';
import { abortOnSigint, EXIT, type OperatorContext, positiveInt, runOperator } from './context.js';

interface RedriveOptions {
  to?: string;
  mode: RedriveMode;
  rate?: string;
  max?: string;
  dryRun?: boolean;
  preview?: boolean;
  wait: boolean;
  status?: boolean;
  cancel?: boolean;
}

export function registerRedrive(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command('redrive')
    .description(
      'move messages from a DLQ back to their source queue (ListDeadLetterSourceQueues) or to --to; ' +
        'StartMessageMoveTask where it applies, else receive → send → delete (at-least-once)',
    )
    .argument('<dlq>', 'the DLQ: queue URL, ARN or name')
    .option('--to <queue>', 'the target queue (URL, ARN or name); default: the DLQ’s source queue(s)')
    .addOption(
      new Option('--mode <mode>', 'auto: move task where it applies, else the mover')
        .choices(['auto', 'move-task', 'mover'])
        .default('auto'),
    )
    .option('--rate <n>', 'messages per second (MaxNumberOfMessagesPerSecond; mover default 50)')
    .option('--max <n>', 'move at most N messages (uses the mover)')
    .option('--dry-run', 'count (GetQueueAttributes) and name the target(s); receive and move nothing')
    .option(
      '--preview',
      'with --dry-run: also show up to 10 messages; a preview is a receive: it raises their ' +
        'ApproximateReceiveCount (a DLQ with its own redrive policy counts it)',
    )
    .option('--no-wait', 'start the move task and return (it runs server-side)')
    .option('--status', 'show the DLQ’s recent move tasks')
    .option('--cancel', 'cancel the DLQ’s running move task')
    .action(async (dlq: string, opts: RedriveOptions, cmd: Command) =>
      runOperator(io, cmd, setExitCode, (ctx) => runRedrive(io, ctx, dlq, opts)),
    );
}

/** The redrive itself, or --status / --cancel of the DLQ's move task. */
async function runRedrive(
  io: CliIo,
  ctx: OperatorContext,
  dlq: string,
  opts: RedriveOptions,
): Promise<number> {
  const { createAwsClients } = await import('../../aws/clients.js');
  const { redrive, redriveComplete } = await import('../../redrive/redrive.js');
  const perSecond = positiveInt('--rate', opts.rate, 500);
  const max = positiveInt('--max', opts.max);
  // A preview without --dry-run would be a real redrive the operator did not ask for.
  if (opts.preview && !opts.dryRun)
    throw new EdaguardError('CONFIG_INVALID', '--preview shows messages of a dry run: add --dry-run');
  const aws = createAwsClients(ctx.settings, ctx.counter);
  try {
    if (opts.status || opts.cancel) return await moveTaskControl(aws.sqs, dlq, opts.cancel === true, ctx, io);
    const interrupt = abortOnSigint(io);
    const progress = ctx.progress('redrive');
    try {
      const outcome = await redrive(aws.sqs, {
        dlq,
        mode: opts.mode,
        dryRun: opts.dryRun === true,
        preview: opts.preview === true,
        wait: opts.wait,
        signal: interrupt.signal,
        ...(opts.to !== undefined ? { to: opts.to } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(perSecond !== undefined ? { perSecond } : {}),
        ...(ctx.settings.endpoint ? { endpoint: ctx.settings.endpoint } : {}),
        onMoverProgress: (p) =>
          progress.update({
            done: p.moved + p.failed,
            total: Math.max(p.expected, p.received),
            moved: p.moved,
            failed: p.failed,
            duplicates: p.duplicates,
          }),
        onMoveTaskStatus: (t) =>
          progress.update({ done: t.moved, total: t.toMove ?? t.moved, moved: t.moved }),
      });
      progress.stop();
      const { value, text } = describeRedrive(outcome);
      ctx.result(value, text);
      ctx.logger.info({ ...value, samples: undefined, failures: undefined }, 'redrive finished');
      return redriveComplete(outcome) ? EXIT.ok : EXIT.incomplete;
    } finally {
      progress.stop();
      interrupt.dispose();
    }
  } finally {
    aws.destroy();
  }
}

function describeRedrive(outcome: RedriveOutcome): { value: Record<string, unknown>; text: string } {
  const base = { result: 'redrive', dlq: outcome.plan.dlq.arn };
  if (outcome.kind === 'dry-run') {
    const lines = (outcome.samples ?? []).map(
      (s) => `  ${s.messageId} → ${s.target ?? '(unknown source: stays)'} ${s.bodyPreview}`,
    );
    return {
      value: {
        ...base,
        dryRun: true,
        approximateMessages: outcome.approximateMessages,
        approximateNotVisible: outcome.approximateNotVisible,
        targets: outcome.targets,
        ...(outcome.samples ? { samples: outcome.samples } : {}),
      },
      text: [
        `dry run: about ${outcome.approximateMessages} message(s) in ${outcome.plan.dlq.arn} ` +
          `(${outcome.approximateNotVisible} in flight), to ${outcome.targets.join(', ')}`,
        ...lines,
      ].join('\n'),
    };
  }
  if (outcome.kind === 'move-task') {
    return {
      value: { ...base, mode: 'move-task', ...outcome.task },
      text: `move task ${outcome.task.taskHandle ?? ''}: ${outcome.task.status}, ${outcome.task.moved} moved${
        outcome.task.failureReason ? ` (${outcome.task.failureReason})` : ''
      }`,
    };
  }
  const r = outcome.result;
  return {
    value: {
      ...base,
      mode: 'mover',
      ...(outcome.fallbackReason ? { fallbackReason: outcome.fallbackReason } : {}),
      received: r.received,
      moved: r.moved,
      failed: r.failed,
      duplicates: r.duplicates,
      stoppedBy: r.stoppedBy,
      failures: r.failures,
    },
    text: [
      ...(outcome.fallbackReason ? [`mover (${outcome.fallbackReason})`] : []),
      `${r.moved} moved, ${r.failed} left in the DLQ, ${r.duplicates} possible duplicate(s); stopped: ${r.stoppedBy}`,
      ...r.failures.map((f) => `  ${f.messageId}: ${f.reason}`),
    ].join('\n'),
  };
}

async function moveTaskControl(
  sqs: ReturnType<typeof CreateAwsClients>['sqs'],
  dlq: string,
  cancel: boolean,
  ctx: OperatorContext,
  io: CliIo,
): Promise<number> {
  const { describeQueue, queueUrlOf } = await import('../../redrive/queues.js');
  const { cancelRunningMoveTask, isMoveTaskUnavailable, listMoveTasks } = await import(
    '../../redrive/moveTask.js'
  );
  const facts = await describeQueue(sqs, await queueUrlOf(sqs, dlq, ctx.settings.endpoint));
  try {
    if (cancel) {
      const cancelled = await cancelRunningMoveTask(sqs, facts.arn);
      ctx.result(
        { result: 'redrive-cancel', dlq: facts.arn, cancelled: cancelled ?? null },
        cancelled
          ? `cancelled ${cancelled.taskHandle} after ${cancelled.moved} message(s); those stay moved`
          : 'no running move task',
      );
      return EXIT.ok;
    }
    const tasks = await listMoveTasks(sqs, facts.arn);
    ctx.result(
      { result: 'redrive-status', dlq: facts.arn, tasks },
      tasks.length === 0
        ? 'no move tasks'
        : tasks
            .map(
              (t) =>
                `${t.startedAt ?? ''} ${t.status} ${t.moved}/${t.toMove ?? '?'} ${t.failureReason ?? ''}`,
            )
            .join('\n'),
    );
    return EXIT.ok;
  } catch (error) {
    if (!isMoveTaskUnavailable(error)) throw error;
    io.stderr(`edaguard: move tasks are not available at this endpoint (${(error as Error).name})\n`);
    return EXIT.incomplete;
  }
}
