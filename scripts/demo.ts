/**
 * The demo: the emulator, seeded with a drifted sandbox account; `plan`; what Slack and the
 * ticket tracker would receive (a dry run, nothing sent); `reconcile`; and a second `reconcile`
 * that must make zero writes. Run with `npm run demo`.
 */
import { countWrites } from '../src/aws/callCounter.js';
import { runCli } from '../src/cli/program.js';
import { createLogger } from '../src/logger.js';
import { previewNotifications } from '../src/notify/preview.js';
import { outputWidth } from '../src/report/columns.js';
import type { DriftReport } from '../src/report/driftReport.js';
import { renderReportTable } from '../src/report/table.js';
import { emulatorEnv, startEmulator } from '../test/support/emulator.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../test/support/sandbox.js';
import { createSeeder } from '../test/support/seed.js';

const out = (text: string) => process.stdout.write(text);
const step = (title: string) => out(`\n\x1b[1m== ${title}\x1b[0m\n`);

async function main(): Promise<number> {
  step('Starting the AWS emulator (moto server)');
  const emulator = await startEmulator();
  out(`moto listening on ${emulator.endpoint}\n`);
  const env = emulatorEnv(emulator.endpoint);
  // The SDK's default credential chain reads process.env. Node 20 is this project's runtime; the
  // SDK's notice about its future Node 22 requirement is in the README, not in the demo's output.
  Object.assign(process.env, env, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const seeder = createSeeder(emulator.endpoint);
  try {
    step('Seeding a drifted sandbox account');
    const sandbox = await seedSandbox(seeder);
    for (const [name, arn] of Object.entries(sandbox)) out(`  ${name.padEnd(12)} ${arn}\n`);
    out(`Policies: ${SANDBOX_POLICY_DIR}\n`);

    const cli = (args: string[]) =>
      runCli(['--log-level', process.env.EDAGUARD_LOG_LEVEL ?? 'warn', ...args], {
        stdout: out,
        stderr: (t) => process.stderr.write(t),
        env: { ...process.env },
      });

    step('edaguard validate');
    await cli(['validate', SANDBOX_POLICY_DIR]);
    step('edaguard plan (read-only)');
    const planCode = await cli(['plan', '--policies', SANDBOX_POLICY_DIR]);
    out(`exit code ${planCode} (1: drift found)\n`);
    step('Notifications (dry-run): the Slack drift report and the tickets this account needs');
    out(
      'A dry-run cycle, notified twice as two consecutive cycles would be: Slack is printed, the ticket sink prints what it would do.\n',
    );
    let reportJson = '';
    await runCli(
      [
        '--log-level',
        'warn',
        'reconcile',
        '--once',
        '--dry-run',
        '--policies',
        SANDBOX_POLICY_DIR,
        '--output',
        'json',
      ],
      {
        stdout: (t) => {
          reportJson += t;
        },
        stderr: (t) => process.stderr.write(t),
        env: { ...process.env },
      },
    );
    const dryRunReport = JSON.parse(reportJson) as DriftReport;
    await previewNotifications([dryRunReport, dryRunReport], out, createLogger('warn'));
    step('edaguard reconcile --once');
    const first = await cli(['reconcile', '--once', '--policies', SANDBOX_POLICY_DIR]);
    out(`exit code ${first} (3: only tickets remain, a person must act; 1: drift or failures remain)\n`);
    step('edaguard reconcile --once (again: a converged account needs zero writes)');
    let json = '';
    await runCli(
      ['--log-level', 'warn', 'reconcile', '--once', '--policies', SANDBOX_POLICY_DIR, '--output', 'json'],
      {
        stdout: (t) => {
          json += t;
        },
        stderr: (t) => process.stderr.write(t),
        env: { ...process.env },
      },
    );
    const second = JSON.parse(json) as DriftReport;
    out(`${renderReportTable(second, { width: outputWidth(process.stdout.columns, process.env) })}\n`);
    const writes = countWrites(second.awsCalls);
    const { drifted, failed, deferred, tickets } = second.summary;
    out(`${writes} writes; ${tickets} finding(s) need a person (tickets), which no reconcile can fix.\n`);
    return writes === 0 && drifted + failed + deferred === 0 ? 0 : 1;
  } finally {
    seeder.destroy();
    step('Stopping the emulator');
    await emulator.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
