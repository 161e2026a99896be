/**
 * Every setting of edaguard, one row each: the single source of flags, environment variables,
 * config-file keys, validation, defaults, help and the README's settings tables.
 * Row order is the order of error messages and of the README tables.
 */
import { z } from 'zod';
import type { EventualWriteCheck } from '../apply/handlers/types.js';
import { DEFAULT_MAX_WAIVER_DAYS } from '../policy/waiverDates.js';
import { SERVICE_SETTINGS } from './serviceSettingsTable.js';
import type { SettingSpec } from './settings.js';

export {
  DEFAULT_SCHEDULE,
  DEFAULT_STATE_TABLE,
  LOG_FORMAT_SETTING,
  SERVICE_SETTINGS,
} from './serviceSettingsTable.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How an SQS attribute write is checked (see WriteContext.eventualWrites). */
export const SQS_VERIFICATIONS = ['next-cycle', 'read-back'] as const satisfies readonly EventualWriteCheck[];

const int = (min: number, max?: number, maxMessage?: string) => {
  const atLeast = z.number().int().min(min);
  return max === undefined ? atLeast : atLeast.max(max, maxMessage);
};

/** Settings every command shares (RuntimeSettings); the order of RuntimeSettings' fields. */
export const RUNTIME_SETTINGS = [
  {
    key: 'region',
    group: 'runtime',
    env: 'AWS_REGION',
    fallbackEnv: 'AWS_DEFAULT_REGION',
    flag: '--region',
    argument: '<region>',
    flagOn: ['all'],
    kind: 'string',
    schema: z.string().min(1, 'no AWS region: set --region, AWS_REGION or AWS_DEFAULT_REGION'),
    required: true,
    help: 'AWS region',
  },
  {
    key: 'endpointUrl',
    field: 'endpoint',
    group: 'runtime',
    env: 'AWS_ENDPOINT_URL',
    flag: '--endpoint-url',
    argument: '<url>',
    flagOn: ['all'],
    kind: 'url',
    schema: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    defaultText: 'AWS',
    help: 'endpoint for every AWS service',
  },
  {
    key: 'maxAttempts',
    group: 'runtime',
    env: 'EDAGUARD_MAX_ATTEMPTS',
    flag: '--max-attempts',
    argument: '<n>',
    flagOn: ['all'],
    kind: 'int',
    schema: int(1, 10),
    default: 3,
    help: 'SDK attempts per call, standard retry mode',
  },
  {
    key: 'connectTimeoutMs',
    field: 'connectionTimeoutMs',
    group: 'runtime',
    env: 'EDAGUARD_CONNECT_TIMEOUT_MS',
    kind: 'int',
    // Durations have upper bounds: Node fires a timer over 2^31-1 ms (24.8 days) at once.
    schema: int(100, 300_000, 'must be at most 300000 ms (5 minutes)'),
    default: 3000,
    help: 'connect timeout (ms)',
  },
  {
    key: 'requestTimeoutMs',
    group: 'runtime',
    env: 'EDAGUARD_REQUEST_TIMEOUT_MS',
    kind: 'int',
    schema: int(100, 900_000, 'must be at most 900000 ms (15 minutes)'),
    default: 15000,
    help: 'request timeout (ms)',
  },
  {
    key: 'maxChanges',
    group: 'runtime',
    env: 'EDAGUARD_MAX_CHANGES',
    flag: '--max-changes',
    argument: '<n>',
    flagOn: ['reconcile', 'run'],
    kind: 'int',
    schema: int(0),
    default: 200,
    help: 'writes allowed per cycle; the rest are deferred',
  },
  {
    key: 'maxChangePercent',
    group: 'runtime',
    env: 'EDAGUARD_MAX_CHANGE_PERCENT',
    flag: '--max-change-percent',
    argument: '<n>',
    flagOn: ['run'],
    kind: 'int',
    schema: int(0, 100),
    default: 100,
    defaultText: '100 (no cap)',
    help: 'largest share (percent) of resources one cycle may change; above it nothing is written',
  },
  {
    key: 'lambdaRequestsPerSecond',
    group: 'runtime',
    env: 'EDAGUARD_LAMBDA_RPS',
    kind: 'int',
    schema: int(1, 15),
    default: 10,
    help: "Lambda control-plane requests per second (the account's quota, ~15/s, is shared)",
  },
  {
    key: 'flapMaxFixes',
    group: 'runtime',
    env: 'EDAGUARD_FLAP_MAX_FIXES',
    kind: 'int',
    schema: int(1, 100),
    default: 3,
    help: 'fixes of one (resource, rule) within the flap window before edaguard calls it flapping',
  },
  {
    key: 'flapWindowSeconds',
    group: 'runtime',
    env: 'EDAGUARD_FLAP_WINDOW_SECONDS',
    kind: 'int',
    schema: int(60, 2_592_000, 'must be at most 2592000 s (30 days)'),
    default: 86_400,
    help: 'the flap window (s)',
  },
  {
    key: 'readConcurrency',
    group: 'runtime',
    env: 'EDAGUARD_READ_CONCURRENCY',
    kind: 'int',
    schema: int(1, 64),
    default: 8,
    help: 'parallel reads during discovery',
  },
  {
    key: 'applyConcurrency',
    group: 'runtime',
    env: 'EDAGUARD_APPLY_CONCURRENCY',
    kind: 'int',
    schema: int(1, 64),
    default: 4,
    help: 'parallel writes (Lambda and SQS control planes are rate limited per account)',
  },
  {
    key: 'verifyAttempts',
    group: 'runtime',
    env: 'EDAGUARD_VERIFY_ATTEMPTS',
    kind: 'int',
    schema: int(1, 20),
    default: 3,
    help: 'read-backs after each write its answer does not show (SQS attributes: with sqsVerification read-back)',
  },
  {
    key: 'verifyDelayMs',
    group: 'runtime',
    env: 'EDAGUARD_VERIFY_DELAY_MS',
    kind: 'int',
    schema: int(0, 60_000, 'must be at most 60000 ms (1 minute)'),
    default: 1000,
    help: 'delay between read-backs (ms)',
  },
  {
    key: 'sqsVerification',
    group: 'runtime',
    env: 'EDAGUARD_SQS_VERIFICATION',
    kind: 'enum',
    choices: SQS_VERIFICATIONS,
    schema: z.enum(SQS_VERIFICATIONS),
    default: 'next-cycle',
    help: 'how an SQS attribute write is checked: next-cycle (the next discovery reads it; SQS takes up to 60 s to show a change) or read-back (read right after, verifyAttempts times)',
  },
] as const satisfies readonly SettingSpec[];

export const LOG_LEVEL_SETTING = {
  key: 'logLevel',
  group: 'logging',
  env: 'EDAGUARD_LOG_LEVEL',
  flag: '--log-level',
  argument: '<level>',
  flagOn: ['all'],
  kind: 'enum',
  choices: LOG_LEVELS,
  schema: z.enum(LOG_LEVELS),
  default: 'info',
  help: 'log level',
} as const satisfies SettingSpec;

/** What `validate` accepts of a waiver (spec.exceptions): its expiry at most this many days ahead. */
export const MAX_WAIVER_DAYS_SETTING = {
  key: 'maxWaiverDays',
  group: 'policy',
  env: 'EDAGUARD_MAX_WAIVER_DAYS',
  flag: '--max-waiver-days',
  argument: '<days>',
  flagOn: ['validate'],
  kind: 'int',
  schema: int(1, 3650, 'must be at most 3650 days (10 years)'),
  default: DEFAULT_MAX_WAIVER_DAYS,
  help: 'validate: the furthest a waiver (spec.exceptions) may expire, in days from today',
} as const satisfies SettingSpec;

/** The whole table, in the order of the README and of the config file's known keys. */
export const SETTINGS: readonly SettingSpec[] = [
  ...RUNTIME_SETTINGS,
  LOG_LEVEL_SETTING,
  MAX_WAIVER_DAYS_SETTING,
  ...SERVICE_SETTINGS,
];
