/**
 * Writes the README's settings tables from the settings table (src/config/settingsTable.ts).
 * `--check`: write nothing, exit 1 when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTables } from '../src/config/settingsReadme.js';

const README = new URL('../README.md', import.meta.url);
const current = readFileSync(README, 'utf8');
const updated = withSettingsTables(current);
if (process.argv.includes('--check')) {
  if (updated !== current) {
    process.stderr.write('README.md: the settings tables are out of date: run npm run settings:readme\n');
    process.exitCode = 1;
  }
} else if (updated !== current) {
  writeFileSync(README, updated);
  process.stdout.write('README.md: settings tables updated\n');
}
