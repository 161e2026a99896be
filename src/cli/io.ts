/**
 * What every command shares: the process's streams and environment (CliIo), the exit codes, and
 * the settings and logger of a command that talks to AWS. Commands import this, never program.ts.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { type RuntimeFlags, type RuntimeSettings, resolveRuntimeSettings } from '../config/runtime.js';
import { createLogger } from '../logger.js';
import { outputWidth } from '../report/columns.js';
import type { RenderOptions } from '../report/table.js';

/** Documented exit codes. */
export const EXIT = { ok: 0, driftRemains: 1, badInput: 2, ticketsOnly: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Logger factory; tests pass one that records lines. */
  logger?: (level: string) => Logger;
}

export type SetExitCode = (code: number) => void;

interface GlobalOptions extends RuntimeFlags {
  logLevel: string;
}

/** The runtime settings from the global flags (and `extra` flags of the command) and the environment, and a logger. */
export function commandSettings(
  io: CliIo,
  cmd: Command,
  extra: RuntimeFlags = {},
): { settings: RuntimeSettings; logger: Logger } {
  const globals = cmd.optsWithGlobals() as GlobalOptions;
  const settings = resolveRuntimeSettings({ ...globals, ...extra }, io.env);
  const logger = io.logger ? io.logger(globals.logLevel) : createLogger(globals.logLevel);
  return { settings, logger };
}

/** Tables fit the terminal: its columns, else env COLUMNS, else 100; `wide` adds ARNs. */
export const renderOptions = (io: CliIo, output: string): RenderOptions => ({
  width: outputWidth(process.stdout.columns, io.env),
  wide: output === 'wide',
});
