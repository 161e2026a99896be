import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { decodeSetting, fieldOf, type SettingSpec, schemaError } from './settings.js';
import { LOG_LEVEL_SETTING, LOG_LEVELS, RUNTIME_SETTINGS } from './settingsTable.js';

export { LOG_LEVELS } from './settingsTable.js';

/** The level, checked: pino throws a bare Error on an unknown one, which would not read as bad input. */
export function checkLogLevel(level: string): string {
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level;
  throw new ConfigError(
    `logLevel (${LOG_LEVEL_SETTING.flag}, ${LOG_LEVEL_SETTING.env}): must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`,
  );
}

type RuntimeRow = (typeof RUNTIME_SETTINGS)[number];

/** Runtime settings shared by every command, from flags first, then the environment (the table's rows). */
export const RuntimeSettingsSchema = z.object(
  Object.fromEntries(RUNTIME_SETTINGS.map((s) => [fieldOf(s), s.schema])) as {
    [R in RuntimeRow as R extends { field: string } ? R['field'] : R['key']]: R['schema'];
  },
);
export type RuntimeSettings = z.infer<typeof RuntimeSettingsSchema>;

export interface RuntimeFlags {
  region?: string;
  endpointUrl?: string;
  maxAttempts?: string;
  maxChanges?: string;
  maxChangePercent?: string;
  /** Checked only (the logger is made by the caller), so a bad level is bad input like the rest. */
  logLevel?: string;
}

/** One setting's raw value and where it came from (a flag or a variable), for error messages. */
interface Raw {
  source: string;
  value: string;
}

/** The first of flag, variable and fallback variable that is set (an empty variable counts as unset; an empty flag does not). */
function rawValue(spec: SettingSpec, flags: RuntimeFlags, env: NodeJS.ProcessEnv): Raw | undefined {
  const flag = spec.flag ? flags[spec.key as keyof RuntimeFlags] : undefined;
  if (spec.flag && flag !== undefined) return { source: spec.flag, value: flag };
  for (const name of [spec.env, spec.fallbackEnv]) {
    const value = name ? env[name] : undefined;
    if (name && value !== undefined && value !== '') return { source: name, value };
  }
  return undefined;
}

/** The default of a row (a required region is '' so that the schema names it missing). */
const defaultOf = (spec: SettingSpec) => (spec.required ? '' : spec.default);

export function resolveRuntimeSettings(
  flags: RuntimeFlags,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeSettings {
  if (flags.logLevel !== undefined) checkLogLevel(flags.logLevel);
  const candidate: Record<string, unknown> = {};
  const raws = new Map<string, Raw>();
  const notNumbers: string[] = [];
  for (const spec of RUNTIME_SETTINGS as readonly SettingSpec[]) {
    const raw = rawValue(spec, flags, env);
    candidate[fieldOf(spec)] = defaultOf(spec);
    if (!raw) continue;
    raws.set(fieldOf(spec), raw);
    if (spec.kind !== 'int') {
      // Text as given: the schema says what is wrong with it (an empty region, a bad URL).
      candidate[fieldOf(spec)] = raw.value;
      continue;
    }
    const decoded = decodeSetting(spec, raw.value);
    if ('error' in decoded) notNumbers.push(`${raw.source} must be an integer, got "${raw.value}"`);
    else candidate[fieldOf(spec)] = decoded.value;
  }
  // A value that is not a number at all is the one problem worth reporting for its setting.
  if (notNumbers.length > 0) throw new ConfigError(notNumbers.join('; '));
  const problems: string[] = [];
  for (const spec of RUNTIME_SETTINGS as readonly SettingSpec[]) {
    const field = fieldOf(spec);
    const error = schemaError(spec, candidate[field]);
    const raw = raws.get(field);
    // Name where the value came from, so the operator knows which flag or variable to fix.
    if (error !== undefined)
      problems.push(`${field}: ${error}${raw ? ` (${raw.source}="${raw.value}")` : ''}`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return RuntimeSettingsSchema.parse(candidate);
}
