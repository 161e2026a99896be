/**
 * Preloaded (`node --import`) into a process whose footprint is measured: when it exits, writes to
 * the file named by EDAGUARD_FOOTPRINT_OUT its peak RSS (`process.resourceUsage().maxRSS`), its
 * CPU time (`process.cpuUsage()`, user + system, from process start) and the `@aws-sdk/client-*`
 * packages in the CommonJS module cache (where Node keeps them however they were imported: the
 * SDK's client packages have no `exports` map, so an `import` loads their CommonJS build). Reads
 * only; changes nothing in the process.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const cache = createRequire(import.meta.url).cache;
const out = process.env.EDAGUARD_FOOTPRINT_OUT;

process.on('exit', (code) => {
  if (!out) return;
  const packages = new Set();
  for (const file of Object.keys(cache)) {
    const match = /[\\/]node_modules[\\/]@aws-sdk[\\/](client-[a-z0-9-]+)[\\/]/.exec(file);
    if (match) packages.add(`@aws-sdk/${match[1]}`);
  }
  const cpu = process.cpuUsage();
  writeFileSync(
    out,
    JSON.stringify({
      exitCode: code,
      maxRssKiB: process.resourceUsage().maxRSS,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      clientPackages: [...packages].sort(),
    }),
  );
});
