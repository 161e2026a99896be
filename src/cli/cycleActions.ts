/**
 * What `plan` and `reconcile` do (src/cli/cycleCommands.ts defines the commands and loads this
 * when one of them runs, so that `validate` and `--help` load none of it).
 */
import type { Command } from 'commander';
import { loadAwsClients } from '../aws/clients.js';
import { servicesForPolicies } from '../discovery/services.js';
import { loadPolicyDir } from '../policy/loader.js';
import { exitCodeFor, type FailOn, remainingOf, reportExitCode } from '../report/driftReport.js';
import { explainPlan, planReport } from '../report/planReport.js';
import { renderWarnings } from '../report/selectionTable.js';
import { renderPlanTable, renderReportTable } from '../report/table.js';
import { type CliIo, commandCallCounter, commandSettings, renderOptions } from './io.js';
import { planEveryTarget, reconcileEveryTarget, targetScope } from './multiTarget.js';
import { policyDirOf } from './policiesOption.js';
import type { TargetFlags } from './targetOptions.js';

export type PlanOptions = {
  policies?: string;
  output: string;
  failOn: FailOn;
  showSelection?: boolean;
} & TargetFlags;

export interface ReconcileOptions extends TargetFlags {
  policies?: string;
  dryRun?: boolean;
  maxChanges?: string;
  output: string;
  failOn: FailOn;
}

/** One plan, on stdout; the exit code the plan calls for. */
export async function planOnce(io: CliIo, cmd: Command, opts: PlanOptions): Promise<number> {
  const { discoverAndPlan } = await import('../cycle.js');
  const scope = await targetScope(io, opts);
  const { settings, logger } = commandSettings(scope.io, cmd);
  const policySet = await loadPolicyDir(policyDirOf(opts, scope.io));
  if (scope.targets) {
    return planEveryTarget(scope, {
      settings,
      logger,
      policySet,
      output: opts.output,
      failOn: opts.failOn,
      showSelection: opts.showSelection === true,
    });
  }
  // Only the SDK clients these policies need are loaded (an SQS-only set: SQS and tagging).
  const aws = await loadAwsClients(settings, servicesForPolicies(policySet), commandCallCounter(io));
  try {
    const startedAt = new Date();
    const found = await discoverAndPlan(policySet, aws, { settings, logger });
    // Warnings (a policy or rule that selects nothing) on stderr, and as notices in JSON.
    const plan = explainPlan(
      found.plan,
      policySet.policies,
      found.inventory.tagged,
      opts.showSelection === true,
    );
    if (plan.notices) io.stderr(renderWarnings(plan.notices, renderOptions(io, opts.output).width));
    // JSON: the DriftReport `reconcile --dry-run` prints (dryRun: true, planned writes per result).
    const json = () => planReport(plan, { startedAt, finishedAt: new Date() }, aws.counter.snapshot());
    io.stdout(
      opts.output === 'json'
        ? `${JSON.stringify(json(), null, 2)}\n`
        : `${renderPlanTable(plan, renderOptions(io, opts.output))}\n`,
    );
    // As for reconcile: drift, unreadable or busy exits 1; tickets only, 3 (per --fail-on).
    return exitCodeFor(remainingOf(plan.findings.map((f) => f.status)), opts.failOn);
  } finally {
    aws.destroy();
  }
}

/** One cycle, its report on stdout and to the notifiers; the exit code the report calls for. */
export async function reconcileOnce(io: CliIo, cmd: Command, opts: ReconcileOptions): Promise<number> {
  const { createNotifierFromEnv } = await import('../notify/index.js');
  const { runCycle } = await import('../cycle.js');
  const { DynamoFixHistoryStore } = await import('../state/fixHistory.js');
  const scope = await targetScope(io, opts);
  const { settings, logger } = commandSettings(
    scope.io,
    cmd,
    opts.maxChanges ? { maxChanges: opts.maxChanges } : {},
  );
  const policySet = await loadPolicyDir(policyDirOf(opts, scope.io));
  const dryRun = opts.dryRun === true;
  if (scope.targets)
    return reconcileEveryTarget(scope, {
      settings,
      logger,
      policySet,
      output: opts.output,
      dryRun,
      failOn: opts.failOn,
    });
  // One-shot runs remember past fixes (flapping) and notification state only in the state table, when one is named.
  const stateTable = io.env.EDAGUARD_STATE_TABLE;
  const services = [...servicesForPolicies(policySet), ...(stateTable ? (['dynamodb'] as const) : [])];
  const aws = await loadAwsClients(settings, services, commandCallCounter(io));
  try {
    // Notifications (Slack, tickets): only when the environment configures them; checked before the cycle.
    const notifier = createNotifierFromEnv(
      io.env,
      logger,
      stateTable ? { stateTable: { dynamodb: aws.dynamodb, table: stateTable } } : {},
    );
    const report = await runCycle(policySet, aws, {
      settings,
      dryRun: opts.dryRun === true,
      logger,
      ...(stateTable ? { fixHistory: new DynamoFixHistoryStore(aws.dynamodb, stateTable) } : {}),
    });
    io.stdout(
      opts.output === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${renderReportTable(report, renderOptions(io, opts.output))}\n`,
    );
    // Never throws: a Slack or tracker outage is logged and does not change the exit code.
    await notifier?.notify(report);
    return reportExitCode(report, opts.failOn);
  } finally {
    aws.destroy();
  }
}
