/** What the bench reads about the emulator itself: its version and the CPU it used. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PYTHON } from './parameters.js';

export function motoVersion(): string {
  try {
    return execFileSync(PYTHON, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** CPU time (ms) used so far by the moto server listening on `port`; undefined off Linux. */
export function motoCpuReader(port: number): () => number | undefined {
  let pid: string | undefined;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (argv.some((a) => a.includes('moto')) && argv.includes(String(port))) pid = entry;
      } catch {
        // the process went away
      }
    }
  } catch {
    // no /proc
  }
  let ticks = 100;
  try {
    ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // keep 100
  }
  return () => {
    if (!pid) return undefined;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm) ": state is field 3, utime 14, stime 15 (1-based) → indexes 11 and 12 here.
      return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000;
    } catch {
      return undefined;
    }
  };
}
