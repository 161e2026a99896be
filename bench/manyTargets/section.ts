/** The "Many targets" section of docs/benchmarks.md. */
import { countWrites } from '../../src/aws/callCounter.js';
import { perTargetCounts } from './checks.js';
import { operationModel } from './model.js';
import type { PhaseRun } from './run.js';
import type { TargetShape } from './seed.js';

export const SECTION_START = '<!-- many-targets:';
export const SECTION_END = '<!-- /many-targets -->';

export interface SectionInput {
  command: string;
  accounts: number;
  regions: readonly string[];
  shape: TargetShape;
  policy: string;
  runs: readonly PhaseRun[];
  seedMs: number[];
  motoVersion: string;
  failures: readonly string[];
}

const secs = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const span = (values: readonly number[] | undefined) =>
  !values || values.length === 0
    ? '0'
    : values.length === 1
      ? String(values[0])
      : `${values[0]}–${values[values.length - 1]}`;

function phaseRows(runs: readonly PhaseRun[]): string[] {
  return runs.map((r) => {
    const calls = r.reports.reduce((n, rep) => n + rep.awsCalls.reduce((k, c) => k + c.count, 0), 0);
    const writes = r.reports.reduce((n, rep) => n + countWrites(rep.awsCalls), 0);
    const name = r.phase === 'steady' ? `steady (cycle ${r.cycle})` : r.phase;
    return `| ${r.concurrency} | ${name} | ${secs(r.wallMs)} | ${secs(r.cpuMs)} | ${secs(r.motoCpuMs)} | ${mib(r.peakRssBytes)} | ${calls} | ${writes} | ${r.assumeRoles} |`;
  });
}

function operationRows(input: SectionInput): string[] {
  const first = perTargetCounts(input.runs.filter((r) => r.phase === 'reconcile #1'));
  const steady = perTargetCounts(input.runs.filter((r) => r.phase === 'steady'));
  const fixModel = new Map(operationModel('reconcile #1', input.shape).map((m) => [m.op, m]));
  const steadyModel = new Map(operationModel('steady', input.shape).map((m) => [m.op, m]));
  const ops = [...new Set([...first.keys(), ...steady.keys(), ...fixModel.keys()])].sort();
  return ops.map((op) => {
    const f = fixModel.get(op);
    const s = steadyModel.get(op);
    const note = [f?.note, s && s.note !== f?.note ? `steady: ${s.note}` : undefined]
      .filter(Boolean)
      .join('; ');
    return `| ${op} | ${span(first.get(op))} | ${f?.minimum ?? ''} | ${span(steady.get(op))} | ${s?.minimum ?? ''} | ${note} |`;
  });
}

export function renderSection(input: SectionInput): string {
  const targets = input.accounts * input.regions.length;
  const { queues, withSharedDlq } = input.shape;
  return [
    `${SECTION_START} written by bench/manyTargets.bench.ts; do not edit by hand: run \`npm run bench:targets\` to refresh -->`,
    '',
    '## Many targets',
    '',
    `Command: \`${input.command}\` (part of \`npm run bench\`; \`--quick\` runs a small shape and leaves this file alone). ` +
      `${input.accounts} accounts × ${input.regions.length} regions (${input.regions.join(', ')}) = ${targets} targets in one moto ${input.motoVersion} server, 2 cores. ` +
      `Each target: ${queues} queues tagged \`team=orders\`, ${queues - withSharedDlq} without a DLQ and ${withSharedDlq} whose redrive policy names an untagged shared DLQ with \`maxReceiveCount\` 50; the shared DLQ keeps messages 4 days. ` +
      'Each account has the `edaguard` role (trusting the controller account, with `deploy/iam/edaguard-policy.json`). ' +
      `Seeded afresh before each target concurrency (${input.seedMs.map(secs).join(', ')}), so both fix the same drift. ` +
      'Cycles run through `reconcileTargets` with one `TargetClientSets` per concurrency, as one process of `reconcile --once` and the cycles after it would: ' +
      'the first cycle fixes, the next ones are converged. Default settings (`--max-changes` 200 per target, 4 parallel writes per target).',
    '',
    'Policy:',
    '',
    '```yaml',
    input.policy.trimEnd(),
    '```',
    '',
    '| target concurrency | cycle | wall | CPU (edaguard) | CPU (moto) | peak RSS | calls | writes | AssumeRole |',
    '|---|---|---|---|---|---|---|---|---|',
    ...phaseRows(input.runs),
    '',
    `Calls per target (SDK commands, retries not counted) by operation, the same for every one of the ${targets} targets and both concurrencies unless a range is shown, beside the least any controller needs:`,
    '',
    '| operation | reconcile #1 | minimum | steady | minimum | note |',
    '|---|---|---|---|---|---|',
    ...operationRows(input),
    '',
    input.failures.length === 0
      ? 'Checks passed: one AssumeRole per account in the first cycle and none in a steady cycle (credentials cached by the same `TargetClientSets`); ' +
        'every target fixed; exactly the minimum writes, then 0 writes; steady `GetQueueAttributes` at the minimum; the same calls on every target.'
      : `Checks FAILED:\n\n${input.failures.map((f) => `- ${f}`).join('\n')}`,
    '',
    SECTION_END,
  ].join('\n');
}
