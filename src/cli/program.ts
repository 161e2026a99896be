import { Command, CommanderError } from 'commander';
import { EdaguardError, formatPolicyIssue, PolicyValidationError } from '../errors.js';
import { registerPlan, registerReconcile, registerValidate } from './cycleCommands.js';
import { registerGraph } from './graphCommand.js';
import { type CliIo, EXIT, type SetExitCode } from './io.js';
import { registerGameday } from './operator/gameday.js';
import { registerRedrive } from './operator/redrive.js';
import { registerReplay } from './operator/replay.js';
import { registerRules } from './rulesCommand.js';
import { registerRunCommand } from './run.js';
import { addGlobalSettingOptions } from './settingOptions.js';
import { versionText } from './version.js';

export { type CliIo, EXIT } from './io.js';

export function buildProgram(io: CliIo, setExitCode: SetExitCode): Command {
  const program = new Command('edaguard').description(
    'Keeps AWS event-driven plumbing wired for failure: DLQs, retries, timeouts.',
  );
  addGlobalSettingOptions(program, io)
    .version(versionText().trimEnd(), '-V, --version', 'edaguard, Node.js and AWS SDK versions')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    // A command's help lists the global flags too (--log-format, --log-level, --region…).
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError();
  for (const register of [
    registerValidate,
    registerPlan,
    registerReconcile,
    registerGraph,
    registerRules,
    registerRunCommand,
    registerRedrive,
    registerReplay,
    registerGameday,
  ])
    register(program, io, setExitCode);
  return program;
}

/** Runs the CLI and returns its exit code; never calls process.exit (main.ts does). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  // The command that runs, so that a failure is named after it ("plan failed").
  let command: string | undefined;
  program.hook('preAction', (_program, action) => {
    command = action.name();
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (error instanceof PolicyValidationError) {
      io.stderr(`${error.issues.map(formatPolicyIssue).join('\n')}\n`);
      return EXIT.badInput;
    }
    if (error instanceof EdaguardError && error.code === 'CONFIG_INVALID') {
      io.stderr(`edaguard: ${error.message}\n`);
      return EXIT.badInput;
    }
    const { fatalErrorText } = await import('./fatalError.js');
    io.stderr(fatalErrorText(error, { ...(command ? { command } : {}), flags: program.opts(), env: io.env }));
    return EXIT.driftRemains;
  }
}
