import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  README_TABLES,
  renderSettingsTable,
  withSettingsTables,
} from '../../../src/config/settingsReadme.js';
import { SETTINGS } from '../../../src/config/settingsTable.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the README settings tables', () => {
  it('are the ones the settings table renders (npm run settings:readme rewrites them)', () => {
    expect(withSettingsTables(README)).toBe(README);
  });

  it('name every setting once, with its variable', () => {
    const rows = README_TABLES.flatMap((t) => t.rows);
    expect(rows.map((r) => r.key).sort()).toEqual(SETTINGS.map((s) => s.key).sort());
    for (const spec of SETTINGS) expect(README).toContain(`\`${spec.env}\``);
  });

  it('a table whose text was edited by hand is put back', () => {
    const edited = README.replace('| `maxAttempts` | `--max-attempts` |', '| `maxAttempts` | `--retries` |');
    expect(edited).not.toBe(README);
    expect(withSettingsTables(edited)).toBe(README);
  });

  it('refuses a README without a table’s markers', () => {
    expect(() => withSettingsTables('# no tables here\n')).toThrow(
      /no markers for the "shared" settings table/,
    );
  });

  it('escapes a | in a cell', () => {
    const [spec] = SETTINGS;
    const table = renderSettingsTable([{ ...(spec as (typeof SETTINGS)[number]), help: 'a | b' }]);
    expect(table.split('\n')[2]).toContain('a \\| b');
  });
});
