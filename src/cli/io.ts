/**
 * What every command shares: the process's streams and environment (CliIo), the exit codes, and
 * the settings and logger of a command that talks to AWS. Commands import this, never program.ts.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { CallCounter } from '../aws/callCounter.js';
import { type RuntimeFlags, type RuntimeSettings, resolveRuntimeSettings } from '../config/runtime.js';
import { createHumanLogger, createLogger } from '../logger.js';
import { outputWidth } from '../report/columns.js';
import type { RenderOptions } from '../report/table.js';
import { commandLogging } from './commandLogging.js';
import { watchSlowCalls } from './slowCallNotice.js';

/** Documented exit codes. */
export const EXIT = { ok: 0, driftRemains: 1, badInput: 2, ticketsOnly: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Logger factory; tests pass one that records lines. */
  logger?: (level: string, lines?: 'human' | 'json') => Logger;
  /** Whether stderr is a terminal (default: process.stderr.isTTY); tests set it. */
  stderrIsTerminal?: boolean;
}

export type SetExitCode = (code: number) => void;

interface GlobalOptions extends RuntimeFlags {
  logLevel: string;
  logFormat?: string;
}

/** The runtime settings from the global flags (and `extra` flags of the command) and the environment, and a logger. */
export function commandSettings(
  io: CliIo,
  cmd: Command,
  extra: RuntimeFlags = {},
): { settings: RuntimeSettings; logger: Logger } {
  const globals = cmd.optsWithGlobals() as GlobalOptions;
  const settings = resolveRuntimeSettings({ ...globals, ...extra }, io.env);
  const logging = commandLogging({
    level: globals.logLevel,
    levelGiven:
      cmd.getOptionValueSourceWithGlobals('logLevel') === 'cli' || Boolean(io.env.EDAGUARD_LOG_LEVEL),
    ...(globals.logFormat !== undefined ? { formatFlag: globals.logFormat } : {}),
    env: io.env,
    isTerminal: stderrIsTerminal(io),
  });
  const logger = io.logger
    ? io.logger(logging.level, logging.lines)
    : logging.lines === 'human'
      ? createHumanLogger(logging.level, io.stderr)
      : createLogger(logging.level);
  return { settings, logger };
}

/** Whether the command's stderr is a terminal. */
export const stderrIsTerminal = (io: CliIo): boolean => io.stderrIsTerminal ?? process.stderr.isTTY === true;

/** The call counter of a command's clients: on a terminal, it says when an endpoint is slow. */
export function commandCallCounter(io: CliIo): CallCounter {
  const counter = new CallCounter();
  watchSlowCalls(counter, { write: io.stderr, isTerminal: stderrIsTerminal(io) });
  return counter;
}

/** Tables fit the terminal: its columns, else env COLUMNS, else 100; `wide` adds ARNs. */
export const renderOptions = (io: CliIo, output: string): RenderOptions => ({
  width: outputWidth(process.stdout.columns, io.env),
  wide: output === 'wide',
});
