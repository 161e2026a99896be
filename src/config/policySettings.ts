/** Settings of `validate` (the `policy` rows of the settings table): what it accepts in a policy. */
import { ConfigError } from '../errors.js';
import { checkSetting, settingLabel } from './settings.js';
import { MAX_WAIVER_DAYS_SETTING } from './settingsTable.js';

/** maxWaiverDays from `--max-waiver-days`, else EDAGUARD_MAX_WAIVER_DAYS, else its default (90). */
export function resolveMaxWaiverDays(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  const spec = MAX_WAIVER_DAYS_SETTING;
  const fromEnv = env[spec.env];
  const raw = flag ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
  if (raw === undefined) return spec.default;
  const checked = checkSetting(spec, raw);
  if ('error' in checked) throw new ConfigError(`${settingLabel(spec)}: ${checked.error}`);
  return checked.value as number;
}
