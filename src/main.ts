#!/usr/bin/env -S node --max-semi-space-size=4
// The flag (also in the image's ENTRYPOINT): V8's young generation may otherwise grow to 3 × 16 MiB
// under a burst of SDK calls, while edaguard's live data stays under ~20 MiB. With 4 MiB semi-spaces
// the SQS-only audit of 1,000 queues peaks at 101-105 MiB instead of 114-116, with no CPU cost
// above run-to-run noise (README, "Benchmarks"). Node takes it only on its command line.
import { runCli } from './cli/program.js';
import { createLogger } from './logger.js';
import { installProcessGuards } from './runtime/processGuards.js';

// The AWS SDK prints a 9-line NodeVersionSupportWarning on the first client it builds when Node.js
// is older than what its next versions require: on every command, on stderr, where it buries
// edaguard's own output. Turned off here, before any client is built (the SDK reads this variable
// when a client is constructed); the Node.js version it will drop is named once instead, in
// `edaguard --version` and in `run`'s start line (src/cli/version.ts reads it from the SDK).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Before anything else runs: an uncaught exception or unhandled rejection is logged (JSON on
// stderr, whatever --log-level says) and either survived or ends the process with 70
// (src/runtime/processGuards.ts says which is which).
const command = process.argv[2];
installProcessGuards({
  // Made when the first such event comes: a command that logs nothing never loads pino.
  logger: () => createLogger('warn'),
  context: command && /^[a-z-]{1,20}$/.test(command) ? { command } : {},
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
process.exitCode = code;
