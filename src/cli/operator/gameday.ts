/** `edaguard gameday`: the DLQ drill (src/gameday/drill.ts) from the command line. */
import type { Command } from 'commander';
import { EdaguardError } from '../../errors.js';
import type { CliIo, SetExitCode } from '../io.js';
import { EXIT, positiveInt, runOperator } from './context.js';

export function registerGameday(program: Command, io: CliIo, setExitCode: SetExitCode): void {
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
          const { createAwsClients } = await import('../../aws/clients.js');
          const { runDrill } = await import('../../gameday/drill.js');
          if (!ctx.settings.endpoint && opts.allowAws !== true)
            throw new EdaguardError(
              'GAMEDAY_REFUSED',
              'gameday creates and deletes queues: point it at an emulator with --endpoint-url ' +
                '(e.g. python3 -m moto.server -p 5000, then --endpoint-url http://127.0.0.1:5000), ' +
                'or pass --allow-aws to run it in the account your credentials name',
            );
          const maxReceiveCount = positiveInt('--max-receive-count', opts.maxReceiveCount, 1000) ?? 2;
          const timeoutSeconds = positiveInt('--timeout', opts.timeout, 3600) ?? 120;
          const aws = createAwsClients(ctx.settings, ctx.counter);
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
