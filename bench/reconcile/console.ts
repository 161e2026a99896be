/** The run's figures on stdout, for whoever started it. */
import path from 'node:path';
import { totals } from './callRows.js';
import { mib, secs } from './format.js';
import type { Check, PhaseOutcome } from './report.js';

export function printSummary(
  log: (line: string) => void,
  run: {
    phases: PhaseOutcome[];
    checks: Check[];
    notes: string[];
    maxRssKiB: number;
    totalMs: number;
    output: string;
  },
): void {
  const { phases, checks, notes, maxRssKiB, totalMs } = run;
  log('');
  log(
    'phase         wall      ctl CPU   moto CPU  peak RSS   peak heap  reads (min)   writes (min)  HTTP   Lambda (max/1s)',
  );
  for (const p of phases) {
    const tt = totals(p.rows);
    const r = p.result;
    log(
      `${r.name.padEnd(13)} ${secs(r.wallMs).padStart(8)}  ${secs(r.cpuMs).padStart(8)}  ` +
        `${(r.motoCpuMs !== undefined ? secs(r.motoCpuMs) : 'n/a').padStart(8)}  ${mib(r.peakRssBytes).padStart(9)}  ` +
        `${mib(r.peakHeapBytes).padStart(9)}  ${`${tt.reads} (${tt.minReads})`.padEnd(12)}  ` +
        `${`${tt.writes} (${tt.minWrites})`.padEnd(12)}  ${String(r.requests.length).padEnd(5)}  ${p.rate.requests} (${p.rate.maxStarted.count})`,
    );
  }
  log(
    `process maxRSS ${mib(maxRssKiB * 1024)} (includes seeding; moto not counted); whole run ${secs(totalMs)}`,
  );
  for (const p of phases) {
    log(`\n${p.result.name} calls:`);
    for (const r of p.rows) {
      if (r.calls === 0 && r.minimum === 0 && r.expected === 0) continue;
      const active = r.active ? `  ${r.active[0].toFixed(1)}–${r.active[1].toFixed(1)} s` : '';
      log(
        `  ${r.operation.padEnd(40)} ${String(r.calls).padStart(6)}  min ${String(r.minimum).padStart(6)}  design ${String(r.expected).padStart(6)}` +
          `${r.notFound ? `  (${r.notFound} not found)` : ''}${r.errors ? `  (${r.errors} errors)` : ''}${active}`,
      );
    }
    log(`  Lambda starts per second: ${p.rate.perSecond.join(' ')}`);
  }
  log('');
  for (const c of checks) log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  for (const n of notes) log(`NOTE  ${n}`);
  log(`\nwrote ${path.relative(process.cwd(), run.output)}`);
}
