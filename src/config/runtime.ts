import { z } from 'zod';
import { ConfigError } from '../errors.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The level, checked: pino throws a bare Error on an unknown one, which would not read as bad input. */
export function checkLogLevel(level: string): string {
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level;
  throw new ConfigError(
    `logLevel (--log-level, EDAGUARD_LOG_LEVEL): must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`,
  );
}

/** Runtime settings shared by every command, from flags first, then the environment. */
export const RuntimeSettingsSchema = z.object({
  region: z.string().min(1, 'no AWS region: set --region, AWS_REGION or AWS_DEFAULT_REGION'),
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  maxAttempts: z.number().int().min(1).max(10),
  // Durations have upper bounds: Node fires a timer over 2^31-1 ms (24.8 days) at once.
  connectionTimeoutMs: z.number().int().min(100).max(300_000, 'must be at most 300000 ms (5 minutes)'),
  requestTimeoutMs: z.number().int().min(100).max(900_000, 'must be at most 900000 ms (15 minutes)'),
  /** Writes allowed per cycle; the rest are reported `deferred`. */
  maxChanges: z.number().int().min(0),
  /**
   * The largest share (percent) of the resources a cycle reads that it may change; above it the
   * cycle writes nothing and says why. 100: no cap.
   */
  maxChangePercent: z.number().int().min(0).max(100),
  /** Lambda control-plane requests per second (Lambda's quota is ~15/s per account and region, shared). */
  lambdaRequestsPerSecond: z.number().int().min(1).max(15),
  /** Fixes of one (resource, rule) within the window before edaguard calls it flapping and stops. */
  flapMaxFixes: z.number().int().min(1).max(100),
  flapWindowSeconds: z.number().int().min(60).max(2_592_000, 'must be at most 2592000 s (30 days)'),
  /** Parallel reads during discovery. */
  readConcurrency: z.number().int().min(1).max(64),
  /** Parallel writes; Lambda and SQS control planes are rate limited per account. */
  applyConcurrency: z.number().int().min(1).max(64),
  /** Read-back attempts after each write (SQS attributes can take a while to be visible). */
  verifyAttempts: z.number().int().min(1).max(20),
  verifyDelayMs: z.number().int().min(0).max(60_000, 'must be at most 60000 ms (1 minute)'),
});
export type RuntimeSettings = z.infer<typeof RuntimeSettingsSchema>;

export interface RuntimeFlags {
  region?: string;
  endpointUrl?: string;
  maxAttempts?: string;
  maxChanges?: string;
  maxChangePercent?: string;
  /** Checked only (the logger is made by the caller), so a bad level is bad input like the rest. */
  logLevel?: string;
}

/** One setting's raw value and where it came from (a flag or a variable), for error messages. */
interface Raw {
  source: string;
  value: string;
}

/** The first candidate that is set (an empty variable counts as unset; an empty flag does not). */
function firstSet(
  candidates: ReadonlyArray<readonly [source: string, value: string | undefined]>,
): Raw | undefined {
  for (const [source, value] of candidates) {
    if (value === undefined || (value === '' && !source.startsWith('--'))) continue;
    return { source, value };
  }
  return undefined;
}

export function resolveRuntimeSettings(
  flags: RuntimeFlags,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeSettings {
  if (flags.logLevel !== undefined) checkLogLevel(flags.logLevel);
  const raws: Partial<Record<keyof RuntimeSettings, Raw>> = {};
  const errors: string[] = [];
  const int = (
    key: keyof RuntimeSettings,
    fallback: number,
    ...candidates: Array<[string, string | undefined]>
  ) => {
    const raw = firstSet(candidates);
    if (!raw) return fallback;
    raws[key] = raw;
    const n = Number(raw.value);
    if (raw.value.trim() === '' || !Number.isInteger(n)) {
      errors.push(`${raw.source} must be an integer, got "${raw.value}"`);
      return fallback;
    }
    return n;
  };
  const region = firstSet([
    ['--region', flags.region],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
  ]);
  if (region) raws.region = region;
  const endpoint = firstSet([
    ['--endpoint-url', flags.endpointUrl],
    ['AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL],
  ]);
  if (endpoint) raws.endpoint = endpoint;
  const candidate = {
    region: region?.value ?? '',
    endpoint: endpoint?.value,
    maxAttempts: int(
      'maxAttempts',
      3,
      ['--max-attempts', flags.maxAttempts],
      ['EDAGUARD_MAX_ATTEMPTS', env.EDAGUARD_MAX_ATTEMPTS],
    ),
    connectionTimeoutMs: int('connectionTimeoutMs', 3000, [
      'EDAGUARD_CONNECT_TIMEOUT_MS',
      env.EDAGUARD_CONNECT_TIMEOUT_MS,
    ]),
    requestTimeoutMs: int('requestTimeoutMs', 15000, [
      'EDAGUARD_REQUEST_TIMEOUT_MS',
      env.EDAGUARD_REQUEST_TIMEOUT_MS,
    ]),
    maxChanges: int(
      'maxChanges',
      200,
      ['--max-changes', flags.maxChanges],
      ['EDAGUARD_MAX_CHANGES', env.EDAGUARD_MAX_CHANGES],
    ),
    maxChangePercent: int(
      'maxChangePercent',
      100,
      ['--max-change-percent', flags.maxChangePercent],
      ['EDAGUARD_MAX_CHANGE_PERCENT', env.EDAGUARD_MAX_CHANGE_PERCENT],
    ),
    lambdaRequestsPerSecond: int('lambdaRequestsPerSecond', 10, [
      'EDAGUARD_LAMBDA_RPS',
      env.EDAGUARD_LAMBDA_RPS,
    ]),
    flapMaxFixes: int('flapMaxFixes', 3, ['EDAGUARD_FLAP_MAX_FIXES', env.EDAGUARD_FLAP_MAX_FIXES]),
    flapWindowSeconds: int('flapWindowSeconds', 86_400, [
      'EDAGUARD_FLAP_WINDOW_SECONDS',
      env.EDAGUARD_FLAP_WINDOW_SECONDS,
    ]),
    readConcurrency: int('readConcurrency', 8, ['EDAGUARD_READ_CONCURRENCY', env.EDAGUARD_READ_CONCURRENCY]),
    applyConcurrency: int('applyConcurrency', 4, [
      'EDAGUARD_APPLY_CONCURRENCY',
      env.EDAGUARD_APPLY_CONCURRENCY,
    ]),
    verifyAttempts: int('verifyAttempts', 3, ['EDAGUARD_VERIFY_ATTEMPTS', env.EDAGUARD_VERIFY_ATTEMPTS]),
    verifyDelayMs: int('verifyDelayMs', 1000, ['EDAGUARD_VERIFY_DELAY_MS', env.EDAGUARD_VERIFY_DELAY_MS]),
  };
  // A value that is not a number at all is the one problem worth reporting for its setting.
  if (errors.length > 0) throw new ConfigError(errors.join('; '));
  const parsed = RuntimeSettingsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues
        .map((i) => {
          const key = String(i.path[0] ?? 'settings');
          const raw = raws[key as keyof RuntimeSettings];
          // Name where the value came from, so the operator knows which flag or variable to fix.
          return `${key}: ${i.message}${raw ? ` (${raw.source}="${raw.value}")` : ''}`;
        })
        .join('; '),
    );
  }
  return parsed.data;
}
