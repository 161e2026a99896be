/** Credentials per governed account: STS AssumeRole of the member-account role, cached until near expiry. */

import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import type * as CredentialProviders from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { attachCallCounter, type CallCounter } from '../aws/callCounter.js';
import { ConfigError } from '../errors.js';
import type { TargetsConfig } from './schema.js';
import { partitionOf } from './targetRef.js';

/** Refresh this long before the credentials expire (the SDK clients refresh 5 min ahead too). */
const REFRESH_AHEAD_MS = 5 * 60 * 1000;

/**
 * `edaguard-<host>-<pid>`: CloudTrail names the replica that made each call. STS takes 2 to 64
 * characters of `[\w+=,.@-]`; anything else in the host name becomes `-`.
 */
export function roleSessionName(host: string = hostname(), pid: number = process.pid): string {
  const suffix = `-${pid}`;
  const safeHost = host.replace(/[^\w+=,.@-]/g, '-').slice(0, 64 - 'edaguard-'.length - suffix.length);
  return `edaguard-${safeHost}${suffix}`;
}

export const roleArn = (accountId: string, roleName: string, region: string) =>
  `arn:${partitionOf(region)}:iam::${accountId}:role/${roleName}`;

/** The external id, from EDAGUARD_EXTERNAL_ID when the file says `from-env`; never from the file. */
export function externalIdOf(targets: TargetsConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (targets.externalId !== 'from-env') return undefined;
  const value = env.EDAGUARD_EXTERNAL_ID;
  if (!value) throw new ConfigError('targets.externalId is "from-env" but EDAGUARD_EXTERNAL_ID is not set');
  return value;
}

/** Shares one answer among concurrent callers and keeps it until it nears expiry; a failure is not kept. */
export function cachedProvider(
  source: AwsCredentialIdentityProvider,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let held: AwsCredentialIdentity | undefined;
  const fresh = (c: AwsCredentialIdentity) =>
    c.expiration === undefined || c.expiration.getTime() - REFRESH_AHEAD_MS > now();
  return async () => {
    if (held && fresh(held)) return held;
    pending ??= source()
      .then((c) => {
        held = c;
        return c;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

export interface AssumeRoleSettings {
  /** The STS client's region (the controller's own) and endpoint override. */
  region: string;
  endpoint?: string;
  maxAttempts: number;
  roleName: string;
  externalId?: string;
  sessionName: string;
  /** Counts the STS calls (AssumeRole), to show a steady cycle makes none. */
  counter: CallCounter;
}

/** The provider of one account's role credentials. */
export function assumeRoleProvider(accountId: string, s: AssumeRoleSettings): AwsCredentialIdentityProvider {
  // Loaded by the first target that assumes a role (CommonJS, as an `import` would load it too).
  const { fromTemporaryCredentials } = createRequire(import.meta.url)(
    '@aws-sdk/credential-providers',
  ) as typeof CredentialProviders;
  const source = fromTemporaryCredentials({
    params: {
      RoleArn: roleArn(accountId, s.roleName, s.region),
      RoleSessionName: s.sessionName,
      ...(s.externalId ? { ExternalId: s.externalId } : {}),
    },
    clientConfig: {
      region: s.region,
      maxAttempts: s.maxAttempts,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    },
    clientPlugins: [{ applyToStack: (stack) => attachCallCounter(stack, 'STS', s.counter) }],
  });
  return cachedProvider(() => source());
}
