/**
 * Pure: the README's settings tables, rendered from the settings table. `npm run settings:readme`
 * writes them between their markers; test/unit/config/settingsReadme.test.ts fails when the
 * README differs from what this renders.
 */
import { defaultTextOf, type SettingSpec } from './settings.js';
import {
  LOG_LEVEL_SETTING,
  MAX_WAIVER_DAYS_SETTING,
  RUNTIME_SETTINGS,
  SERVICE_SETTINGS,
} from './settingsTable.js';

/** Each generated table: its name in the README's markers, and its rows. */
export const README_TABLES: ReadonlyArray<{ name: string; rows: readonly SettingSpec[] }> = [
  { name: 'shared', rows: [...RUNTIME_SETTINGS, LOG_LEVEL_SETTING, MAX_WAIVER_DAYS_SETTING] },
  { name: 'run', rows: SERVICE_SETTINGS },
];

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|');

function row(spec: SettingSpec): string {
  const unit = spec.kind === 'seconds' ? ' (s)' : '';
  const flag = spec.flag ? code([spec.short, spec.flag].filter(Boolean).join(', ')) : '';
  const env = [spec.env, spec.fallbackEnv]
    .filter((e): e is string => Boolean(e))
    .map(code)
    .join(', ');
  // A string default (a cron expression, a host) is code: `*/5 * * * *` is no emphasis.
  const fallback =
    typeof spec.default === 'string' && !spec.defaultText ? code(spec.default) : defaultTextOf(spec);
  const choices = spec.choices ? `; one of ${spec.choices.join(', ')}` : '';
  return `| ${[`${code(spec.key)}${unit}`, flag, env, fallback ?? '', `${spec.help}${choices}`].map(cell).join(' | ')} |`;
}

/** One Markdown table of the rows. */
export function renderSettingsTable(rows: readonly SettingSpec[]): string {
  return [
    '| config key | flag | environment | default | meaning |',
    '|---|---|---|---|---|',
    ...rows.map(row),
  ].join('\n');
}

const begin = (name: string) => `<!-- settings-table:${name} (generated: npm run settings:readme) -->`;
const end = (name: string) => `<!-- /settings-table:${name} -->`;

/** The README with every generated table replaced; an error when a table's markers are missing. */
export function withSettingsTables(readme: string): string {
  let text = readme;
  for (const { name, rows } of README_TABLES) {
    const from = text.indexOf(begin(name));
    const to = text.indexOf(end(name));
    if (from < 0 || to < from) throw new Error(`README: no markers for the "${name}" settings table`);
    text = `${text.slice(0, from + begin(name).length)}\n${renderSettingsTable(rows)}\n${text.slice(to)}`;
  }
  return text;
}
