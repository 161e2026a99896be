import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError } from '../errors.js';
import { checkSetting, type SettingSpec, settingLabel } from './settings.js';
import { DEFAULT_STATE_TABLE, SERVICE_SETTINGS } from './settingsTable.js';

export { SERVICE_SETTINGS } from './settingsTable.js';

/** Settings of the long-running controller (`edaguard run`), on top of the RuntimeSettings every command shares. */
export interface ServiceSettings {
  policies: string;
  schedule: string;
  cycleTimeoutMs: number;
  dryRun: boolean;
  output: 'none' | 'json';
  httpHost: string;
  httpPort: number;
  leaderElection: boolean;
  stateTable: string;
  createStateTable: boolean;
  leaseDurationMs: number;
  leaseRenewIntervalMs: number;
  accountId?: string;
  holderId: string;
  shutdownGraceMs: number;
  readyFailureThreshold: number;
  /** With `targets`: cycles of different targets at once. */
  targetConcurrency: number;
  /** With `targets.organization`: how often the organisation's accounts are re-read. */
  targetRefreshMs: number;
  logFormat: 'auto' | 'json' | 'pretty';
}

export type ServiceSettingKey = (typeof SERVICE_SETTINGS)[number]['key'];

/** Values from flags, as commander gives them: strings, or booleans for switches. */
export type ServiceFlags = Partial<Record<ServiceSettingKey, string | boolean>>;

type Values = Partial<Record<ServiceSettingKey, string | number | boolean>>;

export function defaultHolderId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Each row's value from its flag, else its (non-empty) variable; every bad one named with its source. */
function readRows(flags: ServiceFlags, env: NodeJS.ProcessEnv, errors: string[]): Values {
  const values: Values = {};
  for (const spec of SERVICE_SETTINGS as readonly (SettingSpec & { key: ServiceSettingKey })[]) {
    const fromFlag = flags[spec.key];
    const fromEnv = env[spec.env];
    const raw = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    // The default also stands in for a bad value, so the rules between settings still run.
    if (spec.default !== undefined) values[spec.key] = spec.default;
    if (raw === undefined) continue;
    const checked = checkSetting(spec, raw);
    // Name where the bad value came from (a config file's values are checked, with their line, before).
    if ('error' in checked)
      errors.push(
        `${settingLabel(spec)}: ${checked.error} (from ${fromFlag !== undefined ? spec.flag : spec.env})`,
      );
    else values[spec.key] = checked.value;
  }
  return values;
}

/** The rules between settings, and the shapes a single row's type does not say. */
function crossChecks(
  values: Values,
  leaseDurationMs: number,
  leaseRenewIntervalMs: number,
  errors: string[],
) {
  if (!values.policies)
    errors.push('policies (--policies, EDAGUARD_POLICIES, policies in the config file): required');
  if (leaseRenewIntervalMs * 2 > leaseDurationMs) {
    errors.push(
      `leaseRenewInterval (${leaseRenewIntervalMs / 1000} s) must be at most half of leaseDuration (${leaseDurationMs / 1000} s), so that one failed renewal does not lose the lease`,
    );
  }
  const accountId = values.accountId as string | undefined;
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    errors.push(`accountId (--account-id, EDAGUARD_ACCOUNT_ID): must be 12 digits, got "${accountId}"`);
  }
  const stateTable = (values.stateTable as string | undefined) ?? DEFAULT_STATE_TABLE;
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(stateTable)) {
    errors.push(
      `stateTable (--state-table, EDAGUARD_STATE_TABLE): "${stateTable}" is not a DynamoDB table name`,
    );
  }
}

/**
 * Flags first, then the environment (into which a config file has been layered below the real
 * environment, see config/file.ts), then the table's defaults. Every problem is reported at once,
 * naming the flag, the variable and the config key.
 */
export function resolveServiceSettings(
  flags: ServiceFlags,
  env: NodeJS.ProcessEnv,
  makeHolderId: () => string = defaultHolderId,
): ServiceSettings {
  const errors: string[] = [];
  const values = readRows(flags, env, errors);
  const ms = (key: ServiceSettingKey) => Math.round((values[key] as number) * 1000);
  const leaseDurationMs = ms('leaseDuration');
  // Rounded from the rounded duration, as it always was.
  const leaseRenewIntervalMs =
    values.leaseRenewInterval === undefined ? Math.round(leaseDurationMs / 3) : ms('leaseRenewInterval');
  crossChecks(values, leaseDurationMs, leaseRenewIntervalMs, errors);
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  const accountId = values.accountId as string | undefined;
  return {
    policies: values.policies as string,
    schedule: values.schedule as string,
    cycleTimeoutMs: ms('cycleTimeout'),
    dryRun: values.dryRun as boolean,
    output: values.output as ServiceSettings['output'],
    httpHost: values.httpHost as string,
    httpPort: values.httpPort as number,
    leaderElection: values.leaderElection as boolean,
    stateTable: values.stateTable as string,
    createStateTable: values.createStateTable as boolean,
    leaseDurationMs,
    leaseRenewIntervalMs,
    ...(accountId ? { accountId } : {}),
    holderId: (values.holderId as string | undefined) ?? makeHolderId(),
    shutdownGraceMs: ms('shutdownGrace'),
    readyFailureThreshold: values.readyFailureThreshold as number,
    targetConcurrency: values.targetConcurrency as number,
    targetRefreshMs: ms('targetRefreshSeconds'),
    logFormat: values.logFormat as ServiceSettings['logFormat'],
  };
}

/** The settings as they may be logged: secrets replaced. */
export function redactedServiceSettings(settings: ServiceSettings): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...settings };
  for (const spec of SERVICE_SETTINGS as readonly SettingSpec[]) {
    if (spec.secret && copy[spec.key] !== undefined) copy[spec.key] = '[redacted]';
  }
  return copy;
}
