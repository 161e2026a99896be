/** The three measured phases: plan, reconcile #1 (fixes the drift), reconcile #2 (must write nothing). */
import { writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { RuntimeSettings } from '../../src/config/runtime.js';
import { discoverAndPlan, runCycle } from '../../src/cycle.js';
import type { PolicySet } from '../../src/policy/model.js';
import { type Action, plannedActions } from '../../src/reconcile/model.js';
import { rowsFor } from './callRows.js';
import type { Expected } from './expectations.js';
import type { PhaseModel } from './expectedCalls.js';
import { secs } from './format.js';
import { lambdaRate } from './lambdaRate.js';
import { measure, type PhaseResult } from './measure.js';
import type { PhaseOutcome } from './report.js';

export interface PhaseRun {
  phases: PhaseOutcome[];
  planned: Action[];
  planReadErrors: number;
}

export async function runPhases(
  policySet: PolicySet,
  expected: Expected,
  env: { settings: RuntimeSettings; logger: Logger; motoCpu: () => number | undefined },
  log: (line: string) => void,
): Promise<PhaseRun> {
  const { settings, logger, motoCpu } = env;
  log('plan...');
  const planPhase = await measure('plan', settings, motoCpu, (aws) =>
    discoverAndPlan(policySet, aws, { settings, logger }),
  );
  const planned = plannedActions(planPhase.value.plan);
  const planReadErrors = planPhase.value.inventory.readErrors.length;
  log(`plan: ${secs(planPhase.wallMs)}, ${planned.length} writes planned`);
  const cycle = async (name: string) => {
    log(`${name}...`);
    const result = await measure(name, settings, motoCpu, (aws) =>
      runCycle(policySet, aws, { settings, dryRun: false, logger }),
    );
    log(`${name}: ${secs(result.wallMs)}`);
    return result;
  };
  const first = await cycle('reconcile #1');
  const second = await cycle('reconcile #2');

  const outcome = (
    model: PhaseModel,
    result: PhaseResult<unknown>,
    rest: Pick<PhaseOutcome, 'summary' | 'extra'>,
  ): PhaseOutcome => ({ result, rows: rowsFor(model, result, expected), rate: lambdaRate(result), ...rest });
  const phases = [
    outcome({ phase: 'plan', converged: false, writes: false }, planPhase, {
      extra: `${planPhase.value.plan.findings.length} findings, ${planned.length} writes planned, ${planReadErrors} read errors.`,
    }),
    outcome({ phase: 'reconcile #1', converged: false, writes: true }, first, {
      summary: first.value.summary,
    }),
    outcome({ phase: 'reconcile #2', converged: true, writes: false }, second, {
      summary: second.value.summary,
    }),
  ];
  return { phases, planned, planReadErrors };
}

/** EDAGUARD_BENCH_TRACE: every HTTP request of every phase, with its start and end, as JSON. */
export async function writeTrace(file: string, phases: readonly PhaseOutcome[]): Promise<void> {
  const trace = Object.fromEntries(
    phases.map((p) => [
      p.result.name,
      { requests: p.result.requests, lambdaCompletions: p.result.lambdaCompletions },
    ]),
  );
  await writeFile(file, JSON.stringify(trace));
}
