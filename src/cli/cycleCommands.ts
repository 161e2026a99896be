/** `validate`, `plan` and `reconcile`: one look at the policies or the account, then exit. */
import { type Command, Option } from 'commander';
import { loadAwsClients } from '../aws/clients.js';
import { resolveMaxWaiverDays } from '../config/policySettings.js';
import { servicesForPolicies } from '../discovery/services.js';
import { formatPolicyIssue, PolicyValidationError } from '../errors.js';
import { loadPolicyDir, loadPolicyPaths } from '../policy/loader.js';
import { waiverDateIssues } from '../policy/waiverDates.js';
import { exitCodeFor, FAIL_ON, type FailOn, remainingOf, reportExitCode } from '../report/driftReport.js';
import { explainPlan, planReport } from '../report/planReport.js';
import { renderWarnings } from '../report/selectionTable.js';
import { renderPlanTable, renderReportTable } from '../report/table.js';
import { policyIssueAnnotation } from './githubAnnotation.js';
import {
  type CliIo,
  commandCallCounter,
  commandSettings,
  EXIT,
  renderOptions,
  type SetExitCode,
} from './io.js';
import {
  addTargetOptions,
  planEveryTarget,
  reconcileEveryTarget,
  type TargetFlags,
  targetScope,
} from './multiTarget.js';
import { policiesOption, policyDirOf } from './policiesOption.js';
import { addSettingOptions } from './settingOptions.js';

const outputOption = () =>
  new Option('-o, --output <format>', 'table, wide (adds ARNs) or json')
    .choices(['table', 'wide', 'json'])
    .default('table');

/** `--fail-on`: what the exit code treats as failure (README "Exit codes"). */
const failOnOption = () =>
  new Option(
    '--fail-on <what>',
    'what fails the exit code: drift (1 on drift or failures only), ticket (also 3 when only tickets remain), never (0 unless bad input)',
  )
    .choices([...FAIL_ON])
    .default('ticket');

type ValidateFormat = 'text' | 'json' | 'github';

export function registerValidate(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program.command('validate');
  addSettingOptions(command, 'validate');
  command
    .description(
      'validate the policy files given and every policy file under the directories given; exit 2 with file:line:column for each error',
    )
    .argument('<paths...>', 'policy files (*.yaml, *.yml) and directories (read recursively)')
    .addOption(
      new Option('--format <format>', 'text, json or github (workflow annotations)')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .action(async (paths: string[], opts: { format: ValidateFormat; maxWaiverDays?: string }) => {
      const maxWaiverDays = resolveMaxWaiverDays(opts.maxWaiverDays, io.env);
      try {
        const set = await loadPolicyPaths(paths);
        // Waivers (spec.exceptions) on the day validate runs: none expired, none too far ahead.
        const dated = waiverDateIssues(set, new Date(), maxWaiverDays);
        if (dated.length > 0) throw new PolicyValidationError(dated);
        if (opts.format === 'json')
          io.stdout(
            `${JSON.stringify({ valid: true, policies: set.policies.map((p) => p.name), files: set.files })}\n`,
          );
        else if (opts.format === 'text')
          io.stdout(`${set.policies.length} policies in ${set.files.length} file(s): valid\n`);
        setExitCode(EXIT.ok);
      } catch (error) {
        if (!(error instanceof PolicyValidationError)) throw error;
        printPolicyIssues(io, error, opts.format);
        setExitCode(EXIT.badInput);
      }
    });
}

function printPolicyIssues(io: CliIo, error: PolicyValidationError, format: ValidateFormat): void {
  if (format === 'json') io.stdout(`${JSON.stringify({ valid: false, errors: error.issues })}\n`);
  else if (format === 'github') {
    for (const issue of error.issues) io.stdout(policyIssueAnnotation(issue));
  } else io.stderr(`${error.issues.map(formatPolicyIssue).join('\n')}\n`);
}

type PlanOptions = {
  policies?: string;
  output: string;
  failOn: FailOn;
  showSelection?: boolean;
} & TargetFlags;

export function registerPlan(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  addTargetOptions(program.command('plan'))
    .description('read the account and show what reconcile would change; never writes')
    .addOption(policiesOption())
    .addOption(outputOption())
    .addOption(failOnOption())
    .option(
      '--show-selection',
      'after the plan, list per policy what it selects and what it leaves out, and why (ignore tag, exclude tag, tag mismatch, type)',
    )
    .action(async (opts: PlanOptions, cmd: Command) => {
      const { discoverAndPlan } = await import('../cycle.js');
      const scope = await targetScope(io, opts);
      const { settings, logger } = commandSettings(scope.io, cmd);
      const policySet = await loadPolicyDir(policyDirOf(opts, scope.io));
      if (scope.targets) {
        setExitCode(
          await planEveryTarget(scope, {
            settings,
            logger,
            policySet,
            output: opts.output,
            failOn: opts.failOn,
            showSelection: opts.showSelection === true,
          }),
        );
        return;
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
        setExitCode(exitCodeFor(remainingOf(plan.findings.map((f) => f.status)), opts.failOn));
      } finally {
        aws.destroy();
      }
    });
}

interface ReconcileOptions extends TargetFlags {
  policies?: string;
  dryRun?: boolean;
  maxChanges?: string;
  output: string;
  failOn: FailOn;
}

export function registerReconcile(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program
    .command('reconcile')
    .description('one cycle: discover, plan, fix what is safe, report')
    .addOption(policiesOption())
    .option('--once', 'run one cycle and exit (the default; `run` is the long-lived loop)')
    .option('--dry-run', 'plan and report, write nothing');
  addTargetOptions(command);
  addSettingOptions(command, 'reconcile')
    .addOption(outputOption())
    .addOption(failOnOption())
    .action(async (opts: ReconcileOptions, cmd: Command) => {
      setExitCode(await reconcileOnce(io, cmd, opts));
    });
}

/** One cycle, its report on stdout and to the notifiers; the exit code the report calls for. */
async function reconcileOnce(io: CliIo, cmd: Command, opts: ReconcileOptions): Promise<number> {
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
