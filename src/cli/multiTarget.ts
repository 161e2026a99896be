/**
 * `plan` and `reconcile --once` over the config file's targets: each target with its own clients
 * (its account's assumed role), its own change budget and findings, at most
 * `--target-concurrency` at once; an unreachable target is that target's error only.
 */
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { createAwsClients } from '../aws/clients.js';
import { layerConfigFile, loadConfigFile } from '../config/file.js';
import type { RuntimeSettings } from '../config/runtime.js';
import { ConfigError } from '../errors.js';
import type { PolicySet } from '../policy/model.js';
import type { DriftReport, FailOn } from '../report/driftReport.js';
import {
  combinePlans,
  combineReports,
  multiExitCode,
  multiPlanExitCode,
  renderMultiPlanTable,
  renderMultiReportTable,
  type TargetOutcome,
  targetErrorReport,
  targetFailureOf,
} from '../report/multiTarget.js';
import { type ExplainedPlan, explainPlan } from '../report/planReport.js';
import { renderWarnings } from '../report/selectionTable.js';
import type { FixHistoryStore } from '../state/fixHistory.js';
import { TargetClientSets, type TargetClientSetsOptions } from '../targets/clientSets.js';
import { externalIdOf, roleSessionName } from '../targets/credentials.js';
import { resolveTargets } from '../targets/resolve.js';
import type { TargetsConfig } from '../targets/schema.js';
import {
  parseTargetConcurrency,
  selectTargets,
  type TargetRef,
  targetId,
  toTarget,
} from '../targets/targetRef.js';
import { type CliIo, commandCallCounter, renderOptions } from './io.js';
import type { TargetFlags } from './targetOptions.js';

/** The command's environment (the config file's settings underneath) and, when the file has some, its targets. */
export interface TargetScope {
  io: CliIo;
  targets?: TargetsConfig;
  wanted?: string[];
  concurrency: number;
}

export async function targetScope(io: CliIo, opts: TargetFlags): Promise<TargetScope> {
  const configPath = opts.config ?? (io.env.EDAGUARD_CONFIG || undefined);
  const file = configPath ? await loadConfigFile(configPath) : undefined;
  const env = layerConfigFile(file, io.env);
  const concurrency = parseTargetConcurrency(opts.targetConcurrency, env);
  if (!file?.targets && opts.target && opts.target.length > 0)
    throw new ConfigError('--target: the config file (--config, EDAGUARD_CONFIG) has no targets');
  return {
    io: file ? { ...io, env } : io,
    concurrency,
    ...(file?.targets ? { targets: file.targets } : {}),
    ...(opts.target ? { wanted: opts.target } : {}),
  };
}

export interface TargetRun {
  settings: RuntimeSettings;
  logger: Logger;
  policySet: PolicySet;
  output: string;
  /** What the exit code treats as failure (`--fail-on`; default `ticket`). */
  failOn?: FailOn;
  /** `plan --show-selection`: each target's selection after its plan. */
  showSelection?: boolean;
  /** Tests: wrap how one target's clients are made. */
  createClients?: TargetClientSetsOptions['create'];
}

/** Runs `fn` for every target, at most `concurrency` at once; a throw is that target's failure. */
export async function forEachTarget<T>(
  targets: readonly TargetRef[],
  concurrency: number,
  fn: (ref: TargetRef) => Promise<T>,
): Promise<TargetOutcome<T>[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    targets.map((ref) =>
      limit(async (): Promise<TargetOutcome<T>> => {
        try {
          return { ref, value: await fn(ref) };
        } catch (error) {
          return { ref, failure: targetFailureOf(error) };
        }
      }),
    ),
  );
}

/** The selected targets and a client-set cache for them. */
export async function prepareTargets(scope: TargetScope, run: TargetRun) {
  const targets = scope.targets as TargetsConfig;
  const selected = selectTargets(await resolveTargets(targets, run.settings), scope.wanted);
  const externalId = externalIdOf(targets, scope.io.env);
  const clientSets = new TargetClientSets({
    settings: run.settings,
    assumeRole: {
      roleName: targets.roleName,
      sessionName: roleSessionName(),
      ...(externalId ? { externalId } : {}),
    },
    ...(run.createClients ? { create: run.createClients } : {}),
    newCounter: () => commandCallCounter(scope.io),
  });
  return { selected, clientSets };
}

export async function planEveryTarget(scope: TargetScope, run: TargetRun): Promise<number> {
  const { selected, clientSets } = await prepareTargets(scope, run);
  try {
    const outcomes = await forEachTarget(selected, scope.concurrency, async (ref): Promise<ExplainedPlan> => {
      const { discoverAndPlan } = await import('../cycle.js');
      const settings = { ...run.settings, region: ref.region };
      const logger = run.logger.child({ target: targetId(ref) });
      const { plan, inventory } = await discoverAndPlan(run.policySet, await clientSets.reach(ref), {
        settings,
        logger,
      });
      const { policies } = run.policySet;
      return explainPlan(
        { ...plan, target: toTarget(ref) },
        policies,
        inventory.tagged,
        run.showSelection === true,
      );
    });
    // Each target's warnings (they name it), in target order, on stderr.
    const width = renderOptions(scope.io, run.output).width;
    for (const o of outcomes) if (o.value?.notices) scope.io.stderr(renderWarnings(o.value.notices, width));
    scope.io.stdout(
      run.output === 'json'
        ? `${JSON.stringify(combinePlans(outcomes), null, 2)}\n`
        : `${renderMultiPlanTable(outcomes, renderOptions(scope.io, run.output))}\n`,
    );
    return multiPlanExitCode(outcomes, run.failOn);
  } finally {
    clientSets.destroy();
  }
}

/**
 * One cycle per target with the given client sets (kept by a caller that runs again: their
 * credentials are cached). Fix history, when given, lives in the controller's own state table, keyed by target.
 */
export async function reconcileTargets(
  selected: readonly TargetRef[],
  clientSets: TargetClientSets,
  run: TargetRun & { dryRun: boolean; concurrency: number; fixHistory?: FixHistoryStore },
): Promise<DriftReport[]> {
  const outcomes = await forEachTarget(selected, run.concurrency, async (ref) => {
    const { runCycle } = await import('../cycle.js');
    const report = await runCycle(run.policySet, await clientSets.reach(ref), {
      settings: { ...run.settings, region: ref.region },
      dryRun: run.dryRun,
      logger: run.logger.child({ target: targetId(ref) }),
      ...(run.fixHistory ? { fixHistory: run.fixHistory } : {}),
    });
    return { ...report, target: toTarget(ref) };
  });
  return outcomes.map(
    (o) =>
      o.value ?? targetErrorReport(o.ref, o.failure ?? targetFailureOf('unknown'), new Date(), run.dryRun),
  );
}

export async function reconcileEveryTarget(
  scope: TargetScope,
  run: TargetRun & { dryRun: boolean },
): Promise<number> {
  const { createNotifierFromEnv } = await import('../notify/index.js');
  const { DynamoFixHistoryStore } = await import('../state/fixHistory.js');
  const { selected, clientSets } = await prepareTargets(scope, run);
  const stateTable = scope.io.env.EDAGUARD_STATE_TABLE;
  // The state table is in the controller's own account: fix history and notification state per target live there.
  const home = stateTable ? createAwsClients(run.settings) : undefined;
  try {
    const notifier = createNotifierFromEnv(
      scope.io.env,
      run.logger,
      home && stateTable ? { stateTable: { dynamodb: home.dynamodb, table: stateTable } } : {},
    );
    const reports = await reconcileTargets(selected, clientSets, {
      ...run,
      concurrency: scope.concurrency,
      ...(home && stateTable ? { fixHistory: new DynamoFixHistoryStore(home.dynamodb, stateTable) } : {}),
    });
    scope.io.stdout(
      run.output === 'json'
        ? `${JSON.stringify(combineReports(reports, run.dryRun), null, 2)}\n`
        : `${renderMultiReportTable(reports, renderOptions(scope.io, run.output))}\n`,
    );
    // One notification per target: its report, its tickets. Never throws.
    for (const report of reports) await notifier?.notify(report);
    return multiExitCode(reports, run.failOn);
  } finally {
    clientSets.destroy();
    home?.destroy();
  }
}
