/**
 * `validate`, `plan` and `reconcile`: one look at the policies or the account, then exit. Only the
 * commands' definitions (names, options, help) are here; what a command does is loaded when it
 * runs (src/cli/validateAction.ts, src/cli/cycleActions.ts), so `validate` never loads discovery,
 * the SDK or the report.
 */
import { type Command, Option } from 'commander';
import { FAIL_ON } from '../report/failOn.js';
import type { PlanOptions, ReconcileOptions } from './cycleActions.js';
import type { CliIo, SetExitCode } from './io.js';
import { policiesOption } from './policiesOption.js';
import { addSettingOptions } from './settingOptions.js';
import { addTargetOptions } from './targetOptions.js';
import type { ValidateFormat } from './validateAction.js';

const outputOption = () =>
  new Option('-o, --output <format>', 'table, wide (adds ARNs) or json')
    .choices(['table', 'wide', 'json'])
    .default('table');

/** `--fail-on`: what the exit code treats as failure (README "Exit codes"). */
const failOnOption = () =>
  new Option(
    '--fail-on <what>',
    'what fails the exit code: drift (1 on drift or failures only), ticket (also 3 when only tickets remain), never (0 unless bad input)',
  )
    .choices([...FAIL_ON])
    .default('ticket');

export function registerValidate(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program.command('validate');
  addSettingOptions(command, 'validate');
  command
    .description(
      'validate the policy files given and every policy file under the directories given; exit 2 with file:line:column for each error',
    )
    .argument('<paths...>', 'policy files (*.yaml, *.yml) and directories (read recursively)')
    .addOption(
      new Option('--format <format>', 'text, json or github (workflow annotations)')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .action(async (paths: string[], opts: { format: ValidateFormat; maxWaiverDays?: string }) => {
      const { runValidate } = await import('./validateAction.js');
      await runValidate(io, setExitCode, paths, opts);
    });
}

export function registerPlan(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  addTargetOptions(program.command('plan'))
    .description('read the account and show what reconcile would change; never writes')
    .addOption(policiesOption())
    .addOption(outputOption())
    .addOption(failOnOption())
    .option(
      '--show-selection',
      'after the plan, list per policy what it selects and what it leaves out, and why (ignore tag, exclude tag, tag mismatch, type)',
    )
    .action(async (opts: PlanOptions, cmd: Command) => {
      const { planOnce } = await import('./cycleActions.js');
      setExitCode(await planOnce(io, cmd, opts));
    });
}

export function registerReconcile(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program
    .command('reconcile')
    .description('one cycle: discover, plan, fix what is safe, report')
    .addOption(policiesOption())
    .option('--once', 'run one cycle and exit (the default; `run` is the long-lived loop)')
    .option('--dry-run', 'plan and report, write nothing');
  addTargetOptions(command);
  addSettingOptions(command, 'reconcile')
    .addOption(outputOption())
    .addOption(failOnOption())
    .action(async (opts: ReconcileOptions, cmd: Command) => {
      const { reconcileOnce } = await import('./cycleActions.js');
      setExitCode(await reconcileOnce(io, cmd, opts));
    });
}
