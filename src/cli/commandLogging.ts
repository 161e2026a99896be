/**
 * How a one-shot command logs. Its audit trail (one JSON line per decision) is for machines: it
 * stays JSON on stderr when stderr is not a terminal or with `--log-format json`. On a terminal a
 * person reads it: readable lines, and only warnings and errors unless a level was asked for.
 */
import { checkSetting, settingLabel } from '../config/settings.js';
import { LOG_FORMAT_SETTING } from '../config/settingsTable.js';
import { ConfigError } from '../errors.js';
import type { LogFormat } from '../logger.js';

export interface CommandLoggingInput {
  /** The level as resolved (flag, else EDAGUARD_LOG_LEVEL, else info). */
  level: string;
  /** Whether the level was asked for (the flag or EDAGUARD_LOG_LEVEL), not the default. */
  levelGiven: boolean;
  /** `--log-format` as typed, if it was. */
  formatFlag?: string;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal. */
  isTerminal: boolean;
}

export interface CommandLogging {
  level: string;
  /** `human`: `LEVEL message key=value` lines; `json`: pino's JSON lines. */
  lines: 'human' | 'json';
}

/** The format from the flag, else EDAGUARD_LOG_FORMAT, else auto; a bad value is bad input (exit 2). */
export function logFormatOf(formatFlag: string | undefined, env: NodeJS.ProcessEnv): LogFormat {
  const fromEnv = env[LOG_FORMAT_SETTING.env];
  const raw = formatFlag ?? (fromEnv === '' ? undefined : fromEnv);
  if (raw === undefined) return LOG_FORMAT_SETTING.default;
  const checked = checkSetting(LOG_FORMAT_SETTING, raw);
  if ('error' in checked)
    throw new ConfigError(
      `${settingLabel(LOG_FORMAT_SETTING)}: ${checked.error} (from ${formatFlag !== undefined ? LOG_FORMAT_SETTING.flag : LOG_FORMAT_SETTING.env})`,
    );
  return checked.value as LogFormat;
}

/** Pure: the level and the kind of lines of a one-shot command's logger. */
export function commandLogging(input: CommandLoggingInput): CommandLogging {
  const format = logFormatOf(input.formatFlag, input.env);
  const human = format === 'pretty' || (format === 'auto' && input.isTerminal);
  if (!human) return { level: input.level, lines: 'json' };
  return { level: input.levelGiven ? input.level : 'warn', lines: 'human' };
}
