/**
 * `edaguard run`: the long-running controller. Only the command's definition is here; what it
 * does (src/cli/runAction.ts) is loaded when it runs.
 */
import type { Command } from 'commander';
import type { CliIo, SetExitCode } from './io.js';
import type { RunOptions } from './runAction.js';
import { addSettingOptions } from './settingOptions.js';

/** Registers `edaguard run`, the long-running controller, on the program. */
export function registerRunCommand(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program
    .command('run')
    .description(
      'the long-running controller: reconcile at start and on a schedule, one cycle at a time, while holding ' +
        'the leader lease (with `targets` in the config file: the leases of this replica’s share of the targets); ' +
        'serves /healthz, /readyz and /metrics; stops gracefully on SIGTERM',
    )
    .option('-c, --config <file>', 'config file, YAML or JSON (env EDAGUARD_CONFIG)');
  addSettingOptions(command, 'run').action(async (opts: RunOptions, cmd: Command) => {
    const { runCommand } = await import('./runAction.js');
    setExitCode(await runCommand(io, opts, cmd));
  });
}
