/** The flags of `plan` and `reconcile` that choose the config file's targets (cheap: option definitions only). */
import { type Command, Option } from 'commander';

export interface TargetFlags {
  config?: string;
  target?: string[];
  targetConcurrency?: string;
}

/** `-c, --config`, `--target` (repeatable) and `--target-concurrency` of plan and reconcile. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option(
      '-c, --config <file>',
      'config file, YAML or JSON; its `targets` are reconciled (env EDAGUARD_CONFIG)',
    )
    .addOption(
      new Option('--target <account/region>', 'only this target of the config file (repeatable)').argParser(
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      ),
    )
    .option(
      '--target-concurrency <n>',
      'targets reconciled at once, 1 to 64 (default: 4); env EDAGUARD_TARGET_CONCURRENCY',
    );
}
