/**
 * What `edaguard run` does: its settings from flags, environment and config file, then the
 * controller (src/cli/run.ts defines the command and loads this when it runs).
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { createAwsClients } from '../aws/clients.js';
import { type ConfigFile, layerConfigFile, loadConfigFile } from '../config/file.js';
import {
  checkLogLevel,
  type RuntimeFlags,
  type RuntimeSettings,
  resolveRuntimeSettings,
} from '../config/runtime.js';
import {
  redactedServiceSettings,
  resolveServiceSettings,
  SERVICE_SETTINGS,
  type ServiceFlags,
  type ServiceSettings,
} from '../config/service.js';
import { RUNTIME_SETTINGS } from '../config/settingsTable.js';
import { ConfigError } from '../errors.js';
import { createServiceLogger } from '../logger.js';
import { errorText } from './fatalError.js';
import type { CliIo } from './io.js';
import { edaguardVersion, nodeSupportNote } from './version.js';

export type RunOptions = Record<string, string | boolean | undefined>;

interface RunSettings {
  settings: RuntimeSettings;
  service: ServiceSettings;
  level: string;
  file: ConfigFile | undefined;
}

/** `edaguard run` itself: the settings, the logger, the controller until it stops; the exit code. */
export async function runCommand(io: CliIo, opts: RunOptions, cmd: Command): Promise<number> {
  const resolved = await resolveRunSettings(io, opts, cmd);
  const logger = io.logger
    ? io.logger(resolved.level)
    : await createServiceLogger(resolved.level, resolved.service.logFormat);
  return runController(io, resolved, logger);
}

/** Only what was typed counts as a flag; defaults come after the environment and the file. */
function typedFlags(opts: RunOptions, cmd: Command): { runtime: RuntimeFlags; service: ServiceFlags } {
  const typed = (key: string) => (cmd.getOptionValueSource(key) === 'cli' ? opts[key] : undefined);
  const globals = cmd.optsWithGlobals() as Record<string, string | undefined>;
  const typedGlobal = (key: string) =>
    cmd.getOptionValueSourceWithGlobals(key) === 'cli' ? globals[key] : undefined;
  const runtime: Record<string, string> = {};
  for (const spec of RUNTIME_SETTINGS) {
    if (!('flagOn' in spec)) continue;
    // A global flag counts when it is not empty, a flag of `run` when it was typed (as they always did).
    const value = (spec.flagOn as readonly string[]).includes('all')
      ? globals[spec.key] || undefined
      : typed(spec.key);
    if (value !== undefined) runtime[spec.key] = String(value);
  }
  const service: ServiceFlags = {};
  for (const spec of SERVICE_SETTINGS) {
    // `--log-format` is a global flag (every command logs); the others are `run`'s own.
    const global = (spec.flagOn as readonly string[]).includes('all');
    const value = global ? typedGlobal(spec.key) : typed(spec.key);
    if (value !== undefined) service[spec.key] = value;
  }
  return { runtime, service };
}

/** Every setting of `run`, every problem listed at once (exit 2). */
async function resolveRunSettings(io: CliIo, opts: RunOptions, cmd: Command): Promise<RunSettings> {
  const configPath =
    (cmd.getOptionValueSource('config') === 'cli' ? (opts.config as string | undefined) : undefined) ??
    io.env.EDAGUARD_CONFIG;
  const file = configPath ? await loadConfigFile(configPath) : undefined;
  const env = layerConfigFile(file, io.env);
  const flags = typedFlags(opts, cmd);
  const problems: string[] = [];
  const attempt = <T>(resolve: () => T): T | undefined => {
    try {
      return resolve();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  const settings = attempt(() => resolveRuntimeSettings(flags.runtime, env));
  const service = attempt(() => resolveServiceSettings(flags.service, env));
  const levelFromFlag = cmd.getOptionValueSourceWithGlobals('logLevel') === 'cli';
  const globals = cmd.optsWithGlobals() as { logLevel?: string };
  const level = (levelFromFlag ? globals.logLevel : env.EDAGUARD_LOG_LEVEL) || 'info';
  attempt(() => checkLogLevel(level));
  if (problems.length > 0 || !settings || !service) {
    throw new ConfigError(
      `invalid settings${file ? ` (config file ${file.path})` : ''}:\n  ${problems.join('\n  ')}`,
    );
  }
  return { settings, service, level, file };
}

/** Starts the controller and waits for its shutdown; the exit code. */
async function runController(io: CliIo, resolved: RunSettings, logger: Logger): Promise<number> {
  const { createNotifierFromEnv } = await import('../notify/index.js');
  const { FleetController } = await import('../runtime/fleetController.js');
  const { Controller } = await import('../runtime/controller.js');
  const { handleShutdownSignals } = await import('../runtime/shutdown.js');
  const { settings, service, file } = resolved;
  // The Node.js version the AWS SDK will drop is said here once (main.ts turns the SDK's warning off).
  const nodeSupport = nodeSupportNote();
  logger.info(
    {
      version: edaguardVersion(),
      node: process.version,
      ...(nodeSupport ? { nodeSupport } : {}),
      config: { ...redactedServiceSettings(service), ...settings, configFile: file?.path ?? null },
    },
    'starting edaguard run',
  );
  // Slack and tickets come from the environment only (secrets have no place in a config file).
  // With a state table, notification state lives there per target: a restart, a deploy or a lease
  // moving to another replica neither re-posts a report nor re-opens a ticket.
  const stateClients = service.leaderElection ? createAwsClients(settings) : undefined;
  const notifier = createNotifierFromEnv(
    io.env,
    logger,
    stateClients ? { stateTable: { dynamodb: stateClients.dynamodb, table: service.stateTable } } : {},
  );
  const common = { service, settings, logger, ...(notifier ? { notifier } : {}), stdout: io.stdout };
  // With `targets`, replicas share the targets' leases; without, one lease for the credentials' target.
  const controller = file?.targets
    ? new FleetController({ ...common, targets: file.targets, env: layerConfigFile(file, io.env) })
    : new Controller(common);
  // Signals are handled from here on, so a SIGTERM during start-up is graceful too.
  const shutdown = handleShutdownSignals({
    graceMs: service.shutdownGraceMs,
    logger,
    shutdown: (reason, deadline) => controller.stop({ reason, deadline }),
  });
  try {
    await controller.start();
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start');
    shutdown.begin('start-up failed');
    await shutdown.done;
    stateClients?.destroy();
    if (error instanceof ConfigError) throw error;
    const flags = { endpointUrl: settings.endpoint, region: settings.region };
    io.stderr(`edaguard: cannot start: ${errorText(error, { flags, env: io.env })}\n`);
    return 1;
  }
  const code = await shutdown.done;
  // Stopped: nothing notifies any more.
  stateClients?.destroy();
  return code;
}
