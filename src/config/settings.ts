/**
 * The one settings mechanism: every setting is a row of SETTINGS (src/config/settingsTable.ts)
 * naming its flag, environment variable, config-file key, text kind and zod type (with its
 * bounds), default and help. Flags, variables and the config file are all read through
 * `checkSetting`; commander options and the README tables are derived from the same rows.
 */
import cron from 'node-cron';
import type { ZodType } from 'zod';

/** How a setting's text (a flag, a variable, a config-file scalar) becomes a value. */
export type SettingKind = 'string' | 'int' | 'seconds' | 'boolean' | 'url' | 'cron' | 'enum';

/**
 * `runtime`: shared by every command (RuntimeSettings); `service`: `edaguard run` only (ServiceSettings);
 * `logging`: the log level, which makes the logger rather than a settings field;
 * `policy`: what `validate` accepts in a policy (maxWaiverDays).
 */
export type SettingGroup = 'runtime' | 'service' | 'logging' | 'policy';

/** Commands whose command line has the setting's flag; `all`: a global flag of the program. */
export type FlagCommand = 'all' | 'reconcile' | 'run' | 'validate';

export interface SettingSpec {
  /** The config file key (camelCase). */
  readonly key: string;
  readonly group: SettingGroup;
  /** The field of RuntimeSettings or ServiceSettings, when it differs from the key. */
  readonly field?: string;
  readonly env: string;
  /** Read when `env` is unset (AWS_DEFAULT_REGION under AWS_REGION). */
  readonly fallbackEnv?: string;
  /** The flag, when there is one (a secret has none: it would show in `ps`). */
  readonly flag?: string;
  /** The flag's short form and its value's name in help, e.g. `-p` and `<dir>`; a switch has none. */
  readonly short?: string;
  readonly argument?: string;
  readonly flagOn?: readonly FlagCommand[];
  readonly kind: SettingKind;
  readonly choices?: readonly string[];
  /** The decoded value's type and bounds; its messages are the error messages. */
  readonly schema: ZodType;
  /** The default as typed (seconds for `seconds`); none: required, or computed (see defaultText). */
  readonly default?: string | number | boolean;
  /** No default: the setting must be given. */
  readonly required?: true;
  /** The default as help and the README say it, when it is not just `default`. */
  readonly defaultText?: string;
  readonly help: string;
  /** Never logged. */
  readonly secret?: boolean;
}

/** The settings field a row fills. */
export const fieldOf = (spec: SettingSpec): string => spec.field ?? spec.key;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

type Checked = { value: string | number | boolean } | { error: string };

/** Pure: the text of a setting as its kind says, or why it is not one. */
export function decodeSetting(spec: SettingSpec, raw: string | boolean): Checked {
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (TRUE.has(text.toLowerCase())) return { value: true };
      if (FALSE.has(text.toLowerCase())) return { value: false };
      return { error: `must be true or false, got "${text}"` };
    }
    case 'int': {
      const n = Number(text);
      return text === '' || !Number.isInteger(n)
        ? { error: `must be an integer, got "${text}"` }
        : { value: n };
    }
    case 'seconds': {
      const n = Number(text);
      return text === '' || !Number.isFinite(n)
        ? { error: `must be a number of seconds, got "${text}"` }
        : { value: n };
    }
    case 'enum':
      return spec.choices?.includes(text)
        ? { value: text }
        : { error: `must be one of ${spec.choices?.join(', ')}, got "${text}"` };
    case 'cron': {
      const check = cron.validateDetailed(text);
      if (check.valid) return { value: text };
      const why = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return { error: `is not a valid cron expression "${text}"${why ? ` (${why})` : ''}` };
    }
    case 'url':
      // Checked by the schema; never echoed (an endpoint may carry credentials).
      return { value: text };
    default:
      return text === '' ? { error: 'must not be empty' } : { value: text };
  }
}

/** Pure: a decoded value against the row's zod type; the issues' messages, joined. */
export function schemaError(spec: SettingSpec, value: unknown): string | undefined {
  const result = spec.schema.safeParse(value);
  return result.success ? undefined : result.error.issues.map((i) => i.message).join('; ');
}

/** Pure: decodes and bounds-checks one raw value. */
export function checkSetting(spec: SettingSpec, raw: string | boolean): Checked {
  const decoded = decodeSetting(spec, raw);
  if ('error' in decoded) return decoded;
  const error = schemaError(spec, decoded.value);
  return error === undefined ? decoded : { error };
}

/** `key (--flag, ENV, key in the config file)`: every name an operator may have used. */
export function settingLabel(spec: SettingSpec): string {
  const names = [spec.flag, spec.env, `${spec.key} in the config file`].filter(Boolean);
  return `${spec.key} (${names.join(', ')})`;
}

/** The default as help and the README show it. */
export function defaultTextOf(spec: SettingSpec): string | undefined {
  if (spec.required) return 'required';
  if (spec.defaultText !== undefined) return spec.defaultText;
  return spec.default === undefined ? undefined : String(spec.default);
}
