import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import cron from 'node-cron';
import { ConfigError } from '../errors.js';

/**
 * Settings of the long-running controller (`edaguard run`), on top of the RuntimeSettings every
 * command shares. One table drives flags, environment variables, the config file and the README:
 * a setting has one name in each, and one validation.
 */
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
  logFormat: 'auto' | 'json' | 'pretty';
}

type Kind = 'string' | 'int' | 'seconds' | 'boolean' | 'url' | 'cron' | 'enum';

export interface SettingSpec {
  /** The config file key (camelCase). */
  readonly key: string;
  readonly env: string;
  /** The flag, when there is one (a secret has none: it would show in `ps`). */
  readonly flag?: string;
  readonly kind: Kind;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly describe: string;
  readonly defaultText?: string;
  /** Never logged. */
  readonly secret?: boolean;
}

export const DEFAULT_STATE_TABLE = 'edaguard-state';
export const DEFAULT_SCHEDULE = '*/5 * * * *';

/** Every `run` setting; the config file also accepts the shared ones (see config/file.ts). */
export const SERVICE_SETTINGS = [
  {
    key: 'policies',
    env: 'EDAGUARD_POLICIES',
    flag: '--policies',
    kind: 'string',
    describe: 'policy directory, re-read every cycle',
  },
  {
    key: 'schedule',
    env: 'EDAGUARD_SCHEDULE',
    flag: '--schedule',
    kind: 'cron',
    describe: 'cron expression (UTC; 5 fields, or 6 with seconds) for cycles after the first',
    defaultText: DEFAULT_SCHEDULE,
  },
  {
    key: 'cycleTimeout',
    env: 'EDAGUARD_CYCLE_TIMEOUT',
    flag: '--cycle-timeout',
    kind: 'seconds',
    min: 1,
    // Every duration has an upper bound: Node fires a timer over 2^31-1 ms (24.8 days) at once.
    max: 86_400,
    describe: 'seconds a cycle may take; then writes not yet started are deferred',
    defaultText: '240',
  },
  {
    key: 'dryRun',
    env: 'EDAGUARD_DRY_RUN',
    flag: '--dry-run',
    kind: 'boolean',
    describe: 'plan and report, write nothing',
    defaultText: 'false',
  },
  {
    key: 'output',
    env: 'EDAGUARD_OUTPUT',
    flag: '--output',
    kind: 'enum',
    choices: ['none', 'json'],
    describe: 'json: print each cycle’s DriftReport as one JSON line on stdout',
    defaultText: 'none',
  },
  {
    key: 'httpHost',
    env: 'EDAGUARD_HTTP_HOST',
    flag: '--http-host',
    kind: 'string',
    describe: 'address of the health and metrics server',
    defaultText: '0.0.0.0',
  },
  {
    key: 'httpPort',
    env: 'EDAGUARD_HTTP_PORT',
    flag: '--http-port',
    kind: 'int',
    min: 0,
    max: 65535,
    describe: 'port of the health and metrics server (0: any free port)',
    defaultText: '8080',
  },
  {
    key: 'leaderElection',
    env: 'EDAGUARD_LEADER_ELECTION',
    flag: '--no-leader-election',
    kind: 'boolean',
    describe: 'act only while holding the DynamoDB lease (turn off only for a single local process)',
    defaultText: 'true',
  },
  {
    key: 'stateTable',
    env: 'EDAGUARD_STATE_TABLE',
    flag: '--state-table',
    kind: 'string',
    describe: 'DynamoDB table of the leader lease (partition key `pk`, String)',
    defaultText: DEFAULT_STATE_TABLE,
  },
  {
    key: 'createStateTable',
    env: 'EDAGUARD_CREATE_STATE_TABLE',
    flag: '--create-state-table',
    kind: 'boolean',
    describe: 'create the state table when it is missing (development; in production deploy it)',
    defaultText: 'false',
  },
  {
    key: 'leaseDuration',
    env: 'EDAGUARD_LEASE_DURATION',
    flag: '--lease-duration',
    kind: 'seconds',
    min: 0.5,
    max: 3600,
    describe: 'seconds a lease lasts without renewal; a follower takes over within it',
    defaultText: '30',
  },
  {
    key: 'leaseRenewInterval',
    env: 'EDAGUARD_LEASE_RENEW_INTERVAL',
    flag: '--lease-renew-interval',
    kind: 'seconds',
    min: 0.1,
    max: 1800,
    describe: 'seconds between renewals (and followers’ attempts); at most half the lease duration',
    defaultText: 'lease duration / 3',
  },
  {
    key: 'accountId',
    env: 'EDAGUARD_ACCOUNT_ID',
    flag: '--account-id',
    kind: 'string',
    describe: 'account of the target, for the lease key (default: the state table’s account)',
  },
  {
    key: 'holderId',
    env: 'EDAGUARD_HOLDER_ID',
    flag: '--holder-id',
    kind: 'string',
    describe: 'this replica’s name in the lease',
    defaultText: 'hostname-pid-random',
  },
  {
    key: 'shutdownGrace',
    env: 'EDAGUARD_SHUTDOWN_GRACE',
    flag: '--shutdown-grace',
    kind: 'seconds',
    min: 1,
    max: 3600,
    describe: 'seconds from SIGTERM to exit; keep it below the orchestrator’s stop timeout',
    defaultText: '25',
  },
  {
    key: 'readyFailureThreshold',
    env: 'EDAGUARD_READY_FAILURE_THRESHOLD',
    flag: '--ready-failure-threshold',
    kind: 'int',
    min: 1,
    describe: 'consecutive failed or timed-out cycles after which /readyz fails',
    defaultText: '3',
  },
  {
    key: 'logFormat',
    env: 'EDAGUARD_LOG_FORMAT',
    flag: '--log-format',
    kind: 'enum',
    choices: ['auto', 'json', 'pretty'],
    describe: 'auto: pretty on a terminal, JSON lines otherwise',
    defaultText: 'auto',
  },
] as const satisfies readonly SettingSpec[];

export type ServiceSettingKey = (typeof SERVICE_SETTINGS)[number]['key'];

/** Values from flags, as commander gives them: strings, or booleans for switches. */
export type ServiceFlags = Partial<Record<ServiceSettingKey, string | boolean>>;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function defaultHolderId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function label(spec: SettingSpec): string {
  const names = [spec.flag, spec.env, `${spec.key} in the config file`].filter(Boolean);
  return `${spec.key} (${names.join(', ')})`;
}

/** Parses one raw value; returns the value or an error message. */
export function parseSetting(
  spec: SettingSpec,
  raw: string | boolean,
): { value: string | number | boolean } | { error: string } {
  const text = String(raw).trim();
  switch (spec.kind) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (TRUE.has(text.toLowerCase())) return { value: true };
      if (FALSE.has(text.toLowerCase())) return { value: false };
      return { error: `must be true or false, got "${text}"` };
    }
    case 'int': {
      const n = Number(text);
      if (text === '' || !Number.isInteger(n)) return { error: `must be an integer, got "${text}"` };
      return rangeChecked(spec, n, '');
    }
    case 'seconds': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) return { error: `must be a number of seconds, got "${text}"` };
      return rangeChecked(spec, n, ' s');
    }
    case 'enum':
      return spec.choices?.includes(text)
        ? { value: text }
        : { error: `must be one of ${spec.choices?.join(', ')}, got "${text}"` };
    case 'cron': {
      const check = cron.validateDetailed(text);
      if (check.valid) return { value: text };
      const why = check.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return { error: `is not a valid cron expression "${text}"${why ? ` (${why})` : ''}` };
    }
    case 'url': {
      try {
        const url = new URL(text);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: 'must be an http(s) URL' };
        return { value: text };
      } catch {
        // Never echo the value: it is a secret.
        return { error: 'must be an http(s) URL' };
      }
    }
    default:
      return text === '' ? { error: 'must not be empty' } : { value: text };
  }
}

function rangeChecked(spec: SettingSpec, n: number, unit: string) {
  if (spec.min !== undefined && n < spec.min)
    return { error: `must be at least ${spec.min}${unit}, got ${n}` };
  if (spec.max !== undefined && n > spec.max)
    return { error: `must be at most ${spec.max}${unit}, got ${n}` };
  return { value: n };
}

/**
 * Flags first, then the environment (into which a config file has been layered below the real
 * environment, see config/file.ts). Every problem is reported at once, naming the flag, the
 * variable and the config key.
 */
export function resolveServiceSettings(
  flags: ServiceFlags,
  env: NodeJS.ProcessEnv,
  makeHolderId: () => string = defaultHolderId,
): ServiceSettings {
  const errors: string[] = [];
  const raw: Record<string, string | number | boolean | undefined> = {};
  for (const spec of SERVICE_SETTINGS as readonly SettingSpec[]) {
    const fromFlag = flags[spec.key as ServiceSettingKey];
    const fromEnv = env[spec.env];
    const value = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    if (value === undefined) continue;
    const parsed = parseSetting(spec, value);
    // Name where the bad value came from (a config file's values are checked, with their line, before).
    if ('error' in parsed)
      errors.push(`${label(spec)}: ${parsed.error} (from ${fromFlag !== undefined ? spec.flag : spec.env})`);
    else raw[spec.key] = parsed.value;
  }
  const seconds = (key: string, fallback: number) => Math.round(((raw[key] as number) ?? fallback) * 1000);
  const leaseDurationMs = seconds('leaseDuration', 30);
  const leaseRenewIntervalMs =
    raw.leaseRenewInterval === undefined ? Math.round(leaseDurationMs / 3) : seconds('leaseRenewInterval', 0);
  const policies = raw.policies as string | undefined;
  if (!policies)
    errors.push('policies (--policies, EDAGUARD_POLICIES, policies in the config file): required');
  if (leaseRenewIntervalMs * 2 > leaseDurationMs) {
    errors.push(
      `leaseRenewInterval (${leaseRenewIntervalMs / 1000} s) must be at most half of leaseDuration (${leaseDurationMs / 1000} s), so that one failed renewal does not lose the lease`,
    );
  }
  const accountId = raw.accountId as string | undefined;
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    errors.push(`accountId (--account-id, EDAGUARD_ACCOUNT_ID): must be 12 digits, got "${accountId}"`);
  }
  const stateTable = (raw.stateTable as string | undefined) ?? DEFAULT_STATE_TABLE;
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(stateTable)) {
    errors.push(
      `stateTable (--state-table, EDAGUARD_STATE_TABLE): "${stateTable}" is not a DynamoDB table name`,
    );
  }
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return {
    policies: policies as string,
    schedule: (raw.schedule as string | undefined) ?? DEFAULT_SCHEDULE,
    cycleTimeoutMs: seconds('cycleTimeout', 240),
    dryRun: (raw.dryRun as boolean | undefined) ?? false,
    output: (raw.output as ServiceSettings['output'] | undefined) ?? 'none',
    httpHost: (raw.httpHost as string | undefined) ?? '0.0.0.0',
    httpPort: (raw.httpPort as number | undefined) ?? 8080,
    leaderElection: (raw.leaderElection as boolean | undefined) ?? true,
    stateTable,
    createStateTable: (raw.createStateTable as boolean | undefined) ?? false,
    leaseDurationMs,
    leaseRenewIntervalMs,
    ...(accountId ? { accountId } : {}),
    holderId: (raw.holderId as string | undefined) ?? makeHolderId(),
    shutdownGraceMs: seconds('shutdownGrace', 25),
    readyFailureThreshold: (raw.readyFailureThreshold as number | undefined) ?? 3,
    logFormat: (raw.logFormat as ServiceSettings['logFormat'] | undefined) ?? 'auto',
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
