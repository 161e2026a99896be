/** One client set per (account, region), one credentials provider per account, kept across cycles. */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { CallCounter } from '../aws/callCounter.js';
import { type AwsClientSettings, type AwsClients, createAwsClients } from '../aws/clients.js';
import { type AssumeRoleSettings, assumeRoleProvider } from './credentials.js';
import { type TargetRef, targetId } from './targetRef.js';

/** A target edaguard could not reach: the operation that failed and the error it failed with. */
export class TargetUnreachableError extends Error {
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
    this.name = (cause as Error)?.name ?? 'Error';
  }
}

export interface TargetClientSetsOptions {
  /** The controller's own settings: region and endpoint of STS, timeouts and retries of every client. */
  settings: AwsClientSettings;
  assumeRole: Omit<AssumeRoleSettings, 'region' | 'endpoint' | 'maxAttempts' | 'counter'>;
  /** Builds one target's clients; tests wrap it (an unreachable endpoint for one target). */
  create?: (settings: AwsClientSettings, target: TargetRef) => AwsClients;
  /** Each target's call counter (a command's says on a terminal when an endpoint is slow). */
  newCounter?: () => CallCounter;
}

export class TargetClientSets {
  /** Every STS call of every account's provider (AssumeRole): zero in a steady cycle. */
  readonly stsCounter = new CallCounter();
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();
  private readonly sets = new Map<string, AwsClients>();

  constructor(private readonly options: TargetClientSetsOptions) {}

  credentialsOf(accountId: string): AwsCredentialIdentityProvider {
    let provider = this.providers.get(accountId);
    if (!provider) {
      const { settings } = this.options;
      provider = assumeRoleProvider(accountId, {
        ...this.options.assumeRole,
        region: settings.region,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        maxAttempts: settings.maxAttempts,
        counter: this.stsCounter,
      });
      this.providers.set(accountId, provider);
    }
    return provider;
  }

  /** The target's clients, made on first use. */
  get(target: TargetRef): AwsClients {
    const id = targetId(target);
    let set = this.sets.get(id);
    if (!set) {
      const settings = {
        ...this.options.settings,
        region: target.region,
        credentials: this.credentialsOf(target.accountId),
      };
      set = this.options.create
        ? this.options.create(settings, target)
        : createAwsClients(settings, this.options.newCounter?.() ?? new CallCounter());
      this.sets.set(id, set);
    }
    return set;
  }

  /**
   * The target's clients once its account's role is assumed: a refused AssumeRole is a
   * TargetUnreachableError naming `sts:AssumeRole` (cached credentials make this free).
   */
  async reach(target: TargetRef): Promise<AwsClients> {
    try {
      await this.credentialsOf(target.accountId)();
    } catch (error) {
      throw new TargetUnreachableError('sts:AssumeRole', error);
    }
    return this.get(target);
  }

  destroy(): void {
    for (const set of this.sets.values()) set.destroy();
    this.sets.clear();
  }
}
