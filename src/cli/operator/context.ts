/**
 * What the operator commands (`redrive`, `replay`, `gameday`) share: run by a person (or a
 * runbook) rather than by the controller's loop. Exit codes: 0 done, 1 something was not moved
 * or not recoverable, 2 bad input or refused for safety.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { CallCounter } from '../../aws/callCounter.js';
import type { RuntimeSettings } from '../../config/runtime.js';
import { EdaguardError } from '../../errors.js';
import type { ProgressReporter } from '../../redrive/progress.js';
import { type CliIo, commandCallCounter, commandSettings, type SetExitCode } from '../io.js';

export const EXIT = { ok: 0, incomplete: 1, badInput: 2 } as const;

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

export function positiveInt(name: string, value: string | undefined, max?: number): number | undefined {
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
export function abortOnSigint(io: CliIo): { signal: AbortSignal; dispose: () => void } {
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
  /** The call counter for the command's clients (it says on a terminal when an endpoint is slow). */
  counter: CallCounter;
  progress: (command: string) => ProgressReporter;
  /** One result line (JSON) or a few lines of text, as the progress mode says. */
  result: (value: Record<string, unknown>, text: string) => void;
  bar: boolean;
}

/** Runs an operator command with the global flags' clients, mapping errors to exit codes. */
export async function runOperator(
  io: CliIo,
  cmd: Command,
  setExitCode: SetExitCode,
  body: (ctx: OperatorContext) => Promise<number>,
): Promise<void> {
  try {
    // Loaded when an operator command runs (it brings cli-progress): `--help` and the other commands never load it.
    const { createProgress } = await import('../../redrive/progress.js');
    const { settings, logger } = commandSettings(io, cmd);
    const bar = wantsBar(io);
    setExitCode(
      await body({
        settings,
        logger,
        counter: commandCallCounter(io),
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
