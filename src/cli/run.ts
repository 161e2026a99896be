import { type Command, Option } from 'commander';
import { LOG_LEVELS, layerConfigFile, loadConfigFile } from '../config/file.js';
import { type RuntimeFlags, resolveRuntimeSettings } from '../config/runtime.js';
import {
  redactedServiceSettings,
  resolveServiceSettings,
  SERVICE_SETTINGS,
  type ServiceFlags,
  type ServiceSettingKey,
} from '../config/service.js';
import { ConfigError } from '../errors.js';
import { createServiceLogger } from '../logger.js';
import { createNotifierFromEnv } from '../notify/index.js';
import { Controller } from '../runtime/controller.js';
import { handleShutdownSignals } from '../runtime/shutdown.js';
import type { CliIo } from './program.js';

interface GlobalOptions {
  region?: string;
  endpointUrl?: string;
  maxAttempts?: string;
  logLevel?: string;
}

const option = (key: ServiceSettingKey, syntax: string) => {
  const spec = SERVICE_SETTINGS.find((s) => s.key === key);
  const text = spec
    ? `${spec.describe}${'defaultText' in spec ? ` (default: ${spec.defaultText})` : ''}`
    : '';
  const opt = new Option(syntax, `${text}; env ${spec?.env}`);
  return spec && 'choices' in spec ? opt.choices(spec.choices) : opt;
};

/** Registers `edaguard run`, the long-running controller, on the program. */
export function registerRunCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description(
      'the long-running controller: reconcile at start and on a schedule, one cycle at a time, while holding ' +
        'the leader lease; serves /healthz, /readyz and /metrics; stops gracefully on SIGTERM',
    )
    .addOption(option('policies', '-p, --policies <dir>'))
    .option('-c, --config <file>', 'config file, YAML or JSON (env EDAGUARD_CONFIG)')
    .addOption(option('schedule', '--schedule <cron>'))
    .addOption(option('cycleTimeout', '--cycle-timeout <seconds>'))
    .addOption(option('dryRun', '--dry-run'))
    .option('--max-changes <n>', 'writes allowed per cycle; the rest are deferred (default 200)')
    .option(
      '--max-change-percent <n>',
      'largest share of resources one cycle may change; above it nothing is written (default 100: no cap)',
    )
    .addOption(option('output', '-o, --output <format>'))
    .addOption(option('httpHost', '--http-host <host>'))
    .addOption(option('httpPort', '--http-port <port>'))
    .addOption(option('leaderElection', '--no-leader-election'))
    .addOption(option('stateTable', '--state-table <name>'))
    .addOption(option('createStateTable', '--create-state-table'))
    .addOption(option('leaseDuration', '--lease-duration <seconds>'))
    .addOption(option('leaseRenewInterval', '--lease-renew-interval <seconds>'))
    .addOption(option('accountId', '--account-id <id>'))
    .addOption(option('holderId', '--holder-id <id>'))
    .addOption(option('shutdownGrace', '--shutdown-grace <seconds>'))
    .addOption(option('readyFailureThreshold', '--ready-failure-threshold <n>'))
    .addOption(option('logFormat', '--log-format <format>'))
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      // Only what was typed counts as a flag; defaults come after the environment and the file.
      const typed = (key: string) => (cmd.getOptionValueSource(key) === 'cli' ? opts[key] : undefined);
      const configPath = (typed('config') as string | undefined) ?? io.env.EDAGUARD_CONFIG;
      const file = configPath ? await loadConfigFile(configPath) : undefined;
      const env = layerConfigFile(file, io.env);

      const globals = cmd.optsWithGlobals() as GlobalOptions;
      const runtimeFlags: RuntimeFlags = {
        ...(globals.region ? { region: globals.region } : {}),
        ...(globals.endpointUrl ? { endpointUrl: globals.endpointUrl } : {}),
        ...(globals.maxAttempts ? { maxAttempts: globals.maxAttempts } : {}),
        ...(typed('maxChanges') !== undefined ? { maxChanges: String(typed('maxChanges')) } : {}),
        ...(typed('maxChangePercent') !== undefined
          ? { maxChangePercent: String(typed('maxChangePercent')) }
          : {}),
      };
      const serviceFlags: ServiceFlags = {};
      for (const spec of SERVICE_SETTINGS) {
        const value = typed(spec.key);
        if (value !== undefined) serviceFlags[spec.key] = value;
      }
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
      const settings = attempt(() => resolveRuntimeSettings(runtimeFlags, env));
      const service = attempt(() => resolveServiceSettings(serviceFlags, env));
      const levelFromFlag = cmd.getOptionValueSourceWithGlobals('logLevel') === 'cli';
      const level = (levelFromFlag ? globals.logLevel : env.EDAGUARD_LOG_LEVEL) || 'info';
      if (!(LOG_LEVELS as readonly string[]).includes(level)) {
        problems.push(
          `logLevel (--log-level, EDAGUARD_LOG_LEVEL): must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`,
        );
      }
      if (problems.length > 0 || !settings || !service) {
        throw new ConfigError(
          `invalid settings${file ? ` (config file ${file.path})` : ''}:\n  ${problems.join('\n  ')}`,
        );
      }

      const logger = io.logger ? io.logger(level) : await createServiceLogger(level, service.logFormat);
      logger.info(
        { config: { ...redactedServiceSettings(service), ...settings, configFile: file?.path ?? null } },
        'starting edaguard run',
      );
      // Slack and tickets come from the environment only (secrets have no place in a config file).
      const notifier = createNotifierFromEnv(io.env, logger);
      const controller = new Controller({
        service,
        settings,
        logger,
        ...(notifier ? { notifier } : {}),
        stdout: io.stdout,
      });
      // Signals are handled from here on, so a SIGTERM during start-up is graceful too.
      const shutdown = handleShutdownSignals({
        graceMs: service.shutdownGraceMs,
        logger,
        shutdown: (reason, deadline) => controller.stop({ reason, deadline }),
      });
      try {
        await controller.start();
      } catch (error) {
        const e = error as { name?: string; message?: string };
        logger.fatal({ err: error }, 'cannot start');
        shutdown.begin('start-up failed');
        await shutdown.done;
        if (error instanceof ConfigError) throw error;
        io.stderr(`edaguard: cannot start: ${e.name ?? 'Error'}: ${e.message ?? String(error)}\n`);
        setExitCode(1);
        return;
      }
      setExitCode(await shutdown.done);
    });
}
