import { Command, CommanderError, Option } from 'commander';
import type { Logger } from 'pino';
import { createAwsClients } from '../aws/clients.js';
import { type RuntimeFlags, resolveRuntimeSettings } from '../config/runtime.js';
import { discoverAndPlan, runCycle } from '../cycle.js';
import { EdaguardError, formatPolicyIssue, PolicyValidationError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createNotifierFromEnv } from '../notify/index.js';
import { loadPolicyDir } from '../policy/loader.js';
import { reportExitCode } from '../report/driftReport.js';
import { renderPlanTable, renderReportTable } from '../report/table.js';
import { DynamoFixHistoryStore } from '../state/fixHistory.js';
import { policyIssueAnnotation } from './githubAnnotation.js';
import { registerOperatorCommands } from './operatorCommands.js';
import { registerRunCommand } from './run.js';

/** Documented exit codes. */
export const EXIT = { ok: 0, driftRemains: 1, badInput: 2 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Logger factory; tests pass one that records lines. */
  logger?: (level: string) => Logger;
}

interface GlobalOptions extends RuntimeFlags {
  logLevel: string;
}

const outputOption = () =>
  new Option('-o, --output <format>', 'table or json').choices(['table', 'json']).default('table');

export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('edaguard')
    .description('Keeps AWS event-driven plumbing wired for failure: DLQs, retries, timeouts.')
    .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION)')
    .option('--endpoint-url <url>', 'endpoint for every AWS service (default: AWS_ENDPOINT_URL)')
    .option('--max-attempts <n>', 'SDK attempts per call, standard retry mode (default 3)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug', io.env.EDAGUARD_LOG_LEVEL || 'info')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  const setup = (cmd: Command, extra: { maxChanges?: string } = {}) => {
    const globals = cmd.optsWithGlobals() as GlobalOptions;
    const settings = resolveRuntimeSettings({ ...globals, ...extra }, io.env);
    const logger = io.logger ? io.logger(globals.logLevel) : createLogger(globals.logLevel);
    return { settings, logger };
  };

  program
    .command('validate')
    .description('validate every policy file under <dir>; exit 2 with file:line:column for each error')
    .argument('<dir>', 'policy directory (read recursively)')
    .addOption(
      new Option('--format <format>', 'text, json or github (workflow annotations)')
        .choices(['text', 'json', 'github'])
        .default('text'),
    )
    .action(async (dir: string, opts: { format: 'text' | 'json' | 'github' }) => {
      try {
        const set = await loadPolicyDir(dir);
        if (opts.format === 'json')
          io.stdout(
            `${JSON.stringify({ valid: true, policies: set.policies.map((p) => p.name), files: set.files })}\n`,
          );
        else if (opts.format === 'text')
          io.stdout(`${set.policies.length} policies in ${set.files.length} file(s): valid\n`);
        setExitCode(EXIT.ok);
      } catch (error) {
        if (!(error instanceof PolicyValidationError)) throw error;
        if (opts.format === 'json') io.stdout(`${JSON.stringify({ valid: false, errors: error.issues })}\n`);
        else if (opts.format === 'github') {
          for (const issue of error.issues) io.stdout(policyIssueAnnotation(issue));
        } else io.stderr(`${error.issues.map(formatPolicyIssue).join('\n')}\n`);
        setExitCode(EXIT.badInput);
      }
    });

  program
    .command('plan')
    .description('read the account and show what reconcile would change; never writes')
    .requiredOption('-p, --policies <dir>', 'policy directory')
    .addOption(outputOption())
    .action(async (opts: { policies: string; output: string }, cmd: Command) => {
      const { settings, logger } = setup(cmd);
      const policySet = await loadPolicyDir(opts.policies);
      const aws = createAwsClients(settings);
      try {
        const { plan } = await discoverAndPlan(policySet, aws, { settings, logger });
        io.stdout(
          opts.output === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : `${renderPlanTable(plan)}\n`,
        );
        // As for reconcile: anything but compliant (drift, tickets, unreadable, busy) exits 1.
        setExitCode(
          plan.findings.some((f) => f.status !== 'pass' && f.status !== 'skipped')
            ? EXIT.driftRemains
            : EXIT.ok,
        );
      } finally {
        aws.destroy();
      }
    });

  program
    .command('reconcile')
    .description('one cycle: discover, plan, fix what is safe, report')
    .requiredOption('-p, --policies <dir>', 'policy directory')
    .option('--once', 'run one cycle and exit (the default; `run` is the long-lived loop)')
    .option('--dry-run', 'plan and report, write nothing')
    .option('--max-changes <n>', 'writes allowed this cycle; the rest are deferred (default 200)')
    .addOption(outputOption())
    .action(
      async (
        opts: { policies: string; dryRun?: boolean; maxChanges?: string; output: string },
        cmd: Command,
      ) => {
        const { settings, logger } = setup(cmd, opts.maxChanges ? { maxChanges: opts.maxChanges } : {});
        const policySet = await loadPolicyDir(opts.policies);
        // Notifications (Slack, tickets): only when the environment configures them; checked before the cycle.
        const notifier = createNotifierFromEnv(io.env, logger);
        const aws = createAwsClients(settings);
        try {
          // One-shot runs remember past fixes (flapping) only in the state table, when one is named.
          const stateTable = io.env.EDAGUARD_STATE_TABLE;
          const report = await runCycle(policySet, aws, {
            settings,
            dryRun: opts.dryRun === true,
            logger,
            ...(stateTable ? { fixHistory: new DynamoFixHistoryStore(aws.dynamodb, stateTable) } : {}),
          });
          io.stdout(
            opts.output === 'json'
              ? `${JSON.stringify(report, null, 2)}\n`
              : `${renderReportTable(report)}\n`,
          );
          // Never throws: a Slack or tracker outage is logged and does not change the exit code.
          await notifier?.notify(report);
          setExitCode(reportExitCode(report));
        } finally {
          aws.destroy();
        }
      },
    );

  registerRunCommand(program, io, setExitCode);
  registerOperatorCommands(program, io, setExitCode);

  return program;
}

/** Runs the CLI and returns its exit code; never calls process.exit (main.ts does). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (error instanceof PolicyValidationError) {
      io.stderr(`${error.issues.map(formatPolicyIssue).join('\n')}\n`);
      return EXIT.badInput;
    }
    if (error instanceof EdaguardError && error.code === 'CONFIG_INVALID') {
      io.stderr(`edaguard: ${error.message}\n`);
      return EXIT.badInput;
    }
    const e = error as { name?: string; message?: string };
    io.stderr(`edaguard: cycle failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}\n`);
    return EXIT.driftRemains;
  }
}
