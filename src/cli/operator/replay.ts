/** `edaguard replay`: Lambda on-failure records re-delivered to their function. */
import type { Command } from 'commander';
import type { ReplayResult } from '../../replay/replay.js';
import type { CliIo, SetExitCode } from '../io.js';
import { abortOnSigint, EXIT, type OperatorContext, positiveInt, runOperator } from './context.js';

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

export function registerReplay(program: Command, io: CliIo, setExitCode: SetExitCode): void {
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
          const { createAwsClients } = await import('../../aws/clients.js');
          const { createStreamClients } = await import('../../replay/streamClients.js');
          const { createInvokeClient } = await import('../../replay/invokeClient.js');
          const { replayFailureQueue } = await import('../../replay/replay.js');
          const max = positiveInt('--max', opts.max);
          const aws = createAwsClients(ctx.settings, ctx.counter);
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
