#!/usr/bin/env node
import { runCli } from './cli/program.js';
import { createLogger } from './logger.js';
import { installProcessGuards } from './runtime/processGuards.js';

// Before anything else runs: an uncaught exception or unhandled rejection is logged (JSON on
// stderr, whatever --log-level says) and either survived or ends the process with 70
// (src/runtime/processGuards.ts says which is which).
const command = process.argv[2];
installProcessGuards({
  logger: createLogger('warn'),
  context: command && /^[a-z-]{1,20}$/.test(command) ? { command } : {},
});

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
process.exitCode = code;
