import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** Runtime settings shared by every command, from flags first, then the environment. */
export const RuntimeSettingsSchema = z.object({
  region: z.string().min(1, 'no AWS region: set --region, AWS_REGION or AWS_DEFAULT_REGION'),
  endpoint: z.url().optional(),
  maxAttempts: z.number().int().min(1).max(10),
  connectionTimeoutMs: z.number().int().min(100),
  requestTimeoutMs: z.number().int().min(100),
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
  flapWindowSeconds: z.number().int().min(60),
  /** Parallel reads during discovery. */
  readConcurrency: z.number().int().min(1).max(64),
  /** Parallel writes; Lambda and SQS control planes are rate limited per account. */
  applyConcurrency: z.number().int().min(1).max(64),
  /** Read-back attempts after each write (SQS attributes can take a while to be visible). */
  verifyAttempts: z.number().int().min(1).max(20),
  verifyDelayMs: z.number().int().min(0),
});
export type RuntimeSettings = z.infer<typeof RuntimeSettingsSchema>;

export interface RuntimeFlags {
  region?: string;
  endpointUrl?: string;
  maxAttempts?: string;
  maxChanges?: string;
  maxChangePercent?: string;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ConfigError(`${name} must be an integer, got "${value}"`);
  return n;
}

export function resolveRuntimeSettings(
  flags: RuntimeFlags,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeSettings {
  const candidate = {
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '',
    endpoint: flags.endpointUrl ?? (env.AWS_ENDPOINT_URL || undefined),
    maxAttempts: intFrom(flags.maxAttempts ?? env.EDAGUARD_MAX_ATTEMPTS, 3, '--max-attempts'),
    connectionTimeoutMs: intFrom(env.EDAGUARD_CONNECT_TIMEOUT_MS, 3000, 'EDAGUARD_CONNECT_TIMEOUT_MS'),
    requestTimeoutMs: intFrom(env.EDAGUARD_REQUEST_TIMEOUT_MS, 15000, 'EDAGUARD_REQUEST_TIMEOUT_MS'),
    maxChanges: intFrom(flags.maxChanges ?? env.EDAGUARD_MAX_CHANGES, 200, '--max-changes'),
    maxChangePercent: intFrom(
      flags.maxChangePercent ?? env.EDAGUARD_MAX_CHANGE_PERCENT,
      100,
      '--max-change-percent',
    ),
    lambdaRequestsPerSecond: intFrom(env.EDAGUARD_LAMBDA_RPS, 10, 'EDAGUARD_LAMBDA_RPS'),
    flapMaxFixes: intFrom(env.EDAGUARD_FLAP_MAX_FIXES, 3, 'EDAGUARD_FLAP_MAX_FIXES'),
    flapWindowSeconds: intFrom(env.EDAGUARD_FLAP_WINDOW_SECONDS, 86_400, 'EDAGUARD_FLAP_WINDOW_SECONDS'),
    readConcurrency: intFrom(env.EDAGUARD_READ_CONCURRENCY, 8, 'EDAGUARD_READ_CONCURRENCY'),
    applyConcurrency: intFrom(env.EDAGUARD_APPLY_CONCURRENCY, 4, 'EDAGUARD_APPLY_CONCURRENCY'),
    verifyAttempts: intFrom(env.EDAGUARD_VERIFY_ATTEMPTS, 3, 'EDAGUARD_VERIFY_ATTEMPTS'),
    verifyDelayMs: intFrom(env.EDAGUARD_VERIFY_DELAY_MS, 1000, 'EDAGUARD_VERIFY_DELAY_MS'),
  };
  const parsed = RuntimeSettingsSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}
