/**
 * Operator commands, run by a person (or a runbook) rather than by the controller's loop:
 * `redrive` (DLQ → source), `replay` (Lambda on-failure records → the function) and `gameday`
 * (the drill). Exit codes: 0 done, 1 something was not moved or not recoverable, 2 bad input or
 * refused for safety.
 */
import { type Command, Option } from 'commander';
import type { Logger } from 'pino';
import { createAwsClients } from '../aws/clients.js';
import { type RuntimeFlags, type RuntimeSettings, resolveRuntimeSettings } from '../config/runtime.js';
import { EdaguardError } from '../errors.js';
import { runDrill } from '../gameday/drill.js';
import { createLogger } from '../logger.js';
import { cancelRunningMoveTask, isMoveTaskUnavailable, listMoveTasks } from '../redrive/moveTask.js';
import { createProgress, type ProgressReporter } from '../redrive/progress.js';
import { describeQueue, queueUrlOf } from '../redrive/queues.js';
import { type RedriveMode, type RedriveOutcome, redrive, redriveComplete } from '../redrive/redrive.js';
import { createInvokeClient } from '../replay/invokeClient.js';
import { type ReplayResult, replayFailureQueue } from '../replay/replay.js';
import { createStreamClients } from '../replay/streamClients.js';
import type { CliIo } from './program.js';

const EXIT = { ok: 0, incomplete: 1, badInput: 2 } as const;

/** Errors that mean "bad input or refused": nothing was moved, exit 2. */
const BAD_INPUT_CODES = new Set([
  'REDRIVE_REFUSED',
  'QUEUE_NOT_FOUND',
  'QUEUE_INVALID',
  'ARN_INVALID',
  'CONFIG_INVALID',
  'REPLAY_REFUSED',
  'GAMEDAY_REFUSED',
]);

interface GlobalOptions extends RuntimeFlags {
  logLevel: string;
}

function positiveInt(name: string, value: string | undefined, max?: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || (max !== undefined && n > max))
    throw new EdaguardError(
      'CONFIG_INVALID',
      `${name} must be an integer from 1${max ? ` to ${max}` : ''}, got "${value}"`,
    );
  return n;
}

/** A bar on a terminal, JSON lines otherwise; EDAGUARD_PROGRESS=bar|json overrides the guess. */
function wantsBar(io: CliIo): boolean {
  if (io.env.EDAGUARD_PROGRESS === 'bar') return true;
  if (io.env.EDAGUARD_PROGRESS === 'json') return false;
  return process.stdout.isTTY === true;
}

/** SIGINT stops after the batch in flight (nothing half-done); a second SIGINT kills as usual. */
function abortOnSigint(io: CliIo): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    io.stderr('edaguard: interrupted: finishing the batch in flight, then stopping (Ctrl-C again to kill)\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

export interface OperatorContext {
  settings: RuntimeSettings;
  logger: Logger;
  progress: (command: string) => ProgressReporter;
  /** One result line (JSON) or a few lines of text, as the progress mode says. */
  result: (value: Record<string, unknown>, text: string) => void;
  bar: boolean;
}

/** Runs an operator command with the global flags' clients, mapping errors to exit codes. */
async function runOperator(
  io: CliIo,
  cmd: Command,
  setExitCode: (code: number) => void,
  body: (ctx: OperatorContext) => Promise<number>,
): Promise<void> {
  try {
    const globals = cmd.optsWithGlobals() as GlobalOptions;
    const settings = resolveRuntimeSettings(globals, io.env);
    const logger = io.logger ? io.logger(globals.logLevel) : createLogger(globals.logLevel);
    const bar = wantsBar(io);
    setExitCode(
      await body({
        settings,
        logger,
        bar,
        progress: (command) => createProgress({ command, tty: bar, writeLine: io.stdout }),
        result: (value, text) => io.stdout(bar ? `${text}\n` : `${JSON.stringify(value)}\n`),
      }),
    );
  } catch (error) {
    if (error instanceof EdaguardError && BAD_INPUT_CODES.has(error.code)) {
      io.stderr(`edaguard: ${error.message}\n`);
      setExitCode(EXIT.badInput);
      return;
    }
    throw error;
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

function registerRedrive(program: Command, io: CliIo, setExitCode: (code: number) => void) {
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
    .action(
      async (
        dlq: string,
        opts: {
          to?: string;
          mode: RedriveMode;
          rate?: string;
          max?: string;
          dryRun?: boolean;
          preview?: boolean;
          wait: boolean;
          status?: boolean;
          cancel?: boolean;
        },
        cmd: Command,
      ) =>
        runOperator(io, cmd, setExitCode, async (ctx) => {
          const perSecond = positiveInt('--rate', opts.rate, 500);
          const max = positiveInt('--max', opts.max);
          // A preview without --dry-run would be a real redrive the operator did not ask for.
          if (opts.preview && !opts.dryRun)
            throw new EdaguardError('CONFIG_INVALID', '--preview shows messages of a dry run: add --dry-run');
          const aws = createAwsClients(ctx.settings);
          try {
            if (opts.status || opts.cancel)
              return await moveTaskControl(aws.sqs, dlq, opts.cancel === true, ctx, io);
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
        }),
    );
}

async function moveTaskControl(
  sqs: ReturnType<typeof createAwsClients>['sqs'],
  dlq: string,
  cancel: boolean,
  ctx: OperatorContext,
  io: CliIo,
): Promise<number> {
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

/** The replay's result line (and a log line without the entries). */
function reportReplay(ctx: OperatorContext, result: ReplayResult, dryRun: boolean) {
  const counts = {
    received: result.received,
    replayed: result.replayed,
    left: result.left,
    refused: result.refused,
    stoppedBy: result.stoppedBy,
  };
  const notReplayed = result.entries.filter((e) => e.outcome === 'left' || e.outcome === 'refused');
  ctx.result(
    { result: 'replay', queue: result.queueArn, dryRun, ...counts, entries: result.entries },
    [
      `${result.replayed} replayed, ${result.left} left in the queue, ${result.refused} refused${dryRun ? ' (dry run)' : ''}; stopped: ${result.stoppedBy}`,
      ...notReplayed.map((e) => `  ${e.messageId} (${e.kind}, ${e.outcome}): ${e.reason}`),
    ].join('\n'),
  );
  ctx.logger.info({ queue: result.queueArn, ...counts }, 'replay finished');
}

function registerReplay(program: Command, io: CliIo, setExitCode: (code: number) => void) {
  program
    .command('replay')
    .description(
      're-deliver Lambda on-failure records to their function: an async record’s requestPayload is ' +
        'invoked again (Event); a stream mapping’s record is read back from Kinesis or DynamoDB Streams ' +
        'and invoked as the mapping would; a record leaves the queue only once Lambda accepted it. ' +
        'A record whose function does not name this queue as its on-failure destination, or whose ' +
        'stream is in another account or region, is refused (exit 2, REPLAY_REFUSED)',
    )
    .argument('<queue>', 'the on-failure destination queue: URL, ARN or name')
    .option(
      '--function <name>',
      'deliver every record to this function, alias or version, without checking that the record’s ' +
        'function sends its failures to this queue (default: the record’s function, unqualified, checked)',
    )
    .option('--dry-run', 'parse and check every record (streams are read), invoke and delete nothing')
    .option('--max <n>', 'look at most at N records')
    .action(
      async (queue: string, opts: { function?: string; dryRun?: boolean; max?: string }, cmd: Command) =>
        runOperator(io, cmd, setExitCode, async (ctx) => {
          const max = positiveInt('--max', opts.max);
          const aws = createAwsClients(ctx.settings);
          const streams = createStreamClients(ctx.settings);
          const invoker = createInvokeClient(ctx.settings);
          const interrupt = abortOnSigint(io);
          const progress = ctx.progress('replay');
          try {
            const result = await replayFailureQueue(
              { sqs: aws.sqs, lambda: aws.lambda, invoker, sns: aws.sns, streams },
              {
                queue,
                invokeMarginMs: ctx.settings.requestTimeoutMs,
                dryRun: opts.dryRun === true,
                signal: interrupt.signal,
                ...(opts.function !== undefined ? { functionName: opts.function } : {}),
                ...(max !== undefined ? { max } : {}),
                ...(ctx.settings.endpoint ? { endpoint: ctx.settings.endpoint } : {}),
                onProgress: (p) =>
                  progress.update({
                    done: p.replayed + p.left + p.refused,
                    total: Math.max(p.expected, p.received),
                    replayed: p.replayed,
                    left: p.left,
                    refused: p.refused,
                  }),
              },
            );
            progress.stop();
            reportReplay(ctx, result, opts.dryRun === true);
            if (result.refused > 0) {
              io.stderr(
                `edaguard: REPLAY_REFUSED: ${result.refused} record(s) left in the queue, not replayed ` +
                  '(see the entries with outcome "refused")\n',
              );
              return EXIT.badInput;
            }
            return result.left === 0 && result.stoppedBy !== 'aborted' ? EXIT.ok : EXIT.incomplete;
          } finally {
            progress.stop();
            interrupt.dispose();
            invoker.destroy();
            streams.destroy();
            aws.destroy();
          }
        }),
    );
}

function registerGameday(program: Command, io: CliIo, setExitCode: (code: number) => void) {
  program
    .command('gameday')
    .description(
      'the DLQ drill: a poison message lands in a DLQ after maxReceiveCount receives, the "fix" is ' +
        'deployed, the message is redriven and processed; uses two queues of its own, tagged, deleted after',
    )
    .option('--max-receive-count <n>', 'receives before SQS dead-letters the message (default 2)')
    .option('--timeout <seconds>', 'give up on a step after this long (default 120)')
    .option('--keep', 'keep the drill’s queues afterwards')
    .option('--allow-aws', 'run against AWS itself when no --endpoint-url is set (default: refuse)')
    .action(
      async (
        opts: { maxReceiveCount?: string; timeout?: string; keep?: boolean; allowAws?: boolean },
        cmd: Command,
      ) =>
        runOperator(io, cmd, setExitCode, async (ctx) => {
          if (!ctx.settings.endpoint && opts.allowAws !== true)
            throw new EdaguardError(
              'GAMEDAY_REFUSED',
              'gameday creates and deletes queues: point it at an emulator with --endpoint-url ' +
                '(e.g. python3 -m moto.server -p 5000, then --endpoint-url http://127.0.0.1:5000), ' +
                'or pass --allow-aws to run it in the account your credentials name',
            );
          const maxReceiveCount = positiveInt('--max-receive-count', opts.maxReceiveCount, 1000) ?? 2;
          const timeoutSeconds = positiveInt('--timeout', opts.timeout, 3600) ?? 120;
          const aws = createAwsClients(ctx.settings);
          try {
            const result = await runDrill(aws.sqs, {
              runId: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
              maxReceiveCount,
              keep: opts.keep === true,
              timeoutMs: timeoutSeconds * 1000,
              pollMs: ctx.settings.endpoint ? 200 : 2000,
              ...(ctx.settings.endpoint ? { endpoint: ctx.settings.endpoint } : {}),
              onStep: (s) =>
                io.stdout(
                  ctx.bar
                    ? `${s.ok ? '✔' : '✘'} ${s.step}: ${s.detail}\n`
                    : `${JSON.stringify({ gameday: s.step, ok: s.ok, detail: s.detail })}\n`,
                ),
            });
            ctx.result(
              {
                result: 'gameday',
                passed: result.passed,
                cleanedUp: result.cleanedUp,
                ...(opts.keep ? { sourceUrl: result.sourceUrl, dlqUrl: result.dlqUrl } : {}),
              },
              result.passed
                ? 'drill passed: the DLQ is a recoverable queue'
                : 'drill FAILED: see the steps above',
            );
            return result.passed ? EXIT.ok : EXIT.incomplete;
          } finally {
            aws.destroy();
          }
        }),
    );
}

/** Registers `redrive`, `replay` and `gameday` on the program. */
export function registerOperatorCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  registerRedrive(program, io, setExitCode);
  registerReplay(program, io, setExitCode);
  registerGameday(program, io, setExitCode);
}
