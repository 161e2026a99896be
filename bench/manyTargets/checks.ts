/** The calls each target made, and the bench's checks against the seeded shape. */
import { countWrites } from '../../src/aws/callCounter.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import { minimumWrites, operationModel, type Phase } from './model.js';
import type { PhaseRun } from './run.js';
import type { TargetShape } from './seed.js';

const targetName = (r: DriftReport) => `${r.target.accountId}/${r.target.region}`;

/** Calls per `Service Operation` of one target's cycle (every outcome together). */
export function callsOf(report: DriftReport): Map<string, number> {
  const byOp = new Map<string, number>();
  for (const c of report.awsCalls) {
    const op = `${c.service} ${c.operation}`;
    byOp.set(op, (byOp.get(op) ?? 0) + c.count);
  }
  return byOp;
}

/** For each operation, every count some target of these runs made (one value: all targets alike). */
export function perTargetCounts(runs: readonly PhaseRun[]): Map<string, number[]> {
  const reports = runs.flatMap((r) => r.reports);
  const maps = reports.map(callsOf);
  const ops = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  return new Map(ops.map((op) => [op, [...new Set(maps.map((m) => m.get(op) ?? 0))].sort((a, b) => a - b)]));
}

function checkReport(run: PhaseRun, report: DriftReport, shape: TargetShape): string[] {
  const where = `c=${run.concurrency} cycle ${run.cycle} ${targetName(report)}`;
  const failures: string[] = [];
  const s = report.summary;
  if (s.failed + s.deferred + s.tickets + s.drifted > 0)
    failures.push(`${where}: ${JSON.stringify(s)}: expected every finding fixed or compliant`);
  // The queues and the shared DLQ; the DLQs the first cycle creates are judged from the next one.
  const resources = shape.queues + 1 + (run.phase === 'steady' ? shape.queues - shape.withSharedDlq : 0);
  const expected = run.phase === 'steady' ? { compliant: resources } : { fixed: shape.queues + 1 };
  for (const [key, value] of Object.entries(expected))
    if (s[key as keyof typeof s] !== value)
      failures.push(`${where}: ${key} ${s[key as keyof typeof s]}, expected ${value}`);
  const writes = countWrites(report.awsCalls);
  const minWrites = minimumWrites(run.phase as Phase, shape);
  if (writes !== minWrites) failures.push(`${where}: ${writes} writes, expected ${minWrites}`);
  const calls = callsOf(report);
  for (const m of operationModel(run.phase, shape)) {
    if (!m.check) continue;
    const got = calls.get(m.op) ?? 0;
    const bad = m.check.kind === 'exact' ? got !== m.check.value : got > m.check.value;
    if (bad) failures.push(`${where}: ${m.op} ${got} calls, expected ${m.check.kind} ${m.check.value}`);
  }
  return failures;
}

export function checkRuns(runs: readonly PhaseRun[], shape: TargetShape, accounts: number): string[] {
  const failures: string[] = [];
  for (const run of runs) {
    const wantRoles = run.phase === 'steady' ? 0 : accounts;
    if (run.assumeRoles !== wantRoles)
      failures.push(
        `c=${run.concurrency} cycle ${run.cycle}: ${run.assumeRoles} AssumeRole calls, expected ${wantRoles}`,
      );
    for (const report of run.reports) failures.push(...checkReport(run, report, shape));
  }
  // Every target has the same shape: a count that differs between targets (or between target
  // concurrencies) is a call made for some targets only, e.g. repeated per target of an account.
  for (const phase of ['reconcile #1', 'steady'] as const)
    for (const [op, values] of perTargetCounts(runs.filter((r) => r.phase === phase)))
      if (values.length > 1) failures.push(`${phase}: ${op} differs between targets: ${values.join(', ')}`);
  return failures;
}
