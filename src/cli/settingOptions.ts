/** Commander options derived from the settings table (src/config/settingsTable.ts). */
import { type Command, Option } from 'commander';
import { defaultTextOf, type FlagCommand, type SettingSpec } from '../config/settings.js';
import { LOG_LEVEL_SETTING, SETTINGS } from '../config/settingsTable.js';
import type { CliIo } from './io.js';

/** The help line: what it does, its default, its variable. */
export function settingHelp(spec: SettingSpec, showDefault = true): string {
  const fallback = defaultTextOf(spec);
  const shown = fallback && !spec.required && showDefault ? ` (default: ${fallback})` : '';
  return `${spec.help}${shown}; env ${spec.env}${spec.fallbackEnv ? `, ${spec.fallbackEnv}` : ''}`;
}

/** The row's option; a `run` enum lists its choices (the log level is checked by edaguard, naming its variable). */
export function settingOption(spec: SettingSpec, showDefault = true): Option {
  const flags = [spec.short, spec.flag].filter(Boolean).join(', ');
  const option = new Option(
    spec.argument ? `${flags} ${spec.argument}` : flags,
    settingHelp(spec, showDefault),
  );
  return spec.choices && spec.group === 'service' ? option.choices(spec.choices) : option;
}

/** The rows whose flag `command` takes, in table order. */
export const settingsWithFlagOn = (command: FlagCommand): SettingSpec[] =>
  SETTINGS.filter((s) => s.flag && s.flagOn?.includes(command));

/** Adds the table's options of `command` to `cmd`. */
export function addSettingOptions(cmd: Command, command: FlagCommand): Command {
  for (const spec of settingsWithFlagOn(command)) cmd.addOption(settingOption(spec));
  return cmd;
}

/** The program's global options; the log level's default is the environment's, so plan and reconcile check it too. */
export function addGlobalSettingOptions(program: Command, io: CliIo): Command {
  for (const spec of settingsWithFlagOn('all')) {
    // Commander shows the log level's default itself: the environment's, when set.
    const isLogLevel = spec === LOG_LEVEL_SETTING;
    const option = settingOption(spec, !isLogLevel);
    if (isLogLevel) option.default(io.env[spec.env] || spec.default);
    program.addOption(option);
  }
  return program;
}
