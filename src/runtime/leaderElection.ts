import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import type { ServiceSettings } from '../config/service.js';
import { ConfigError } from '../errors.js';
import { LeaderLease, type LeaseClock, type LeaseTarget } from './lease.js';
import type { Metrics } from './metrics.js';
import { ensureStateTable } from './stateTable.js';

export interface LeaderElectionOptions {
  service: ServiceSettings;
  region: string;
  /** The lease's clients (the state table). */
  dynamodb: DynamoDBClient;
  logger: Logger;
  metrics: Pick<Metrics, 'leader' | 'setLeader'>;
  clock?: LeaseClock;
  /** This replica now leads (a cycle should start). */
  onAcquired: () => void;
  /** This replica stopped leading (the cycle in progress should stop). */
  onLost: (reason: string) => void;
}

/**
 * Keeps the lease while the controller runs, when leader election is on: finds the lease's target
 * from the state table (creating the table when asked), runs the lease's acquire/renew loop, and
 * releases it on stop. Without leader election this replica always leads.
 */
export class LeaderElection {
  private current: LeaderLease | undefined;

  constructor(private readonly options: LeaderElectionOptions) {}

  /** The running lease; undefined before start and without leader election. */
  get lease(): LeaderLease | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    const { service, metrics } = this.options;
    if (!service.leaderElection) {
      metrics.leader.set(1);
      return;
    }
    this.current = new LeaderLease({
      dynamodb: this.options.dynamodb,
      table: service.stateTable,
      target: await this.leaseTarget(),
      holderId: service.holderId,
      durationMs: service.leaseDurationMs,
      renewIntervalMs: service.leaseRenewIntervalMs,
      logger: this.options.logger,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      onAcquired: () => {
        metrics.setLeader(true);
        this.options.onAcquired();
      },
      onLost: (reason) => {
        metrics.setLeader(false);
        this.options.onLost(reason);
      },
    });
    this.current.start();
  }

  /** Releases the lease so that a follower takes over at once (graceful shutdown). */
  async stop(): Promise<void> {
    await this.current?.stop({ release: true });
    this.options.metrics.leader.set(0);
  }

  /**
   * The readiness probe's `lease` part. Not ready while the lease cannot be checked (the state
   * table does not answer): a leader then writes nothing (every write attempt is refused), and a
   * follower could not take over.
   */
  readiness(): { ok: boolean; [key: string]: unknown } {
    const { service } = this.options;
    if (!service.leaderElection) return { ok: true, leaderElection: false };
    if (!this.current) return { ok: true, leaderElection: true, state: 'starting' };
    const health = this.current.health();
    if (health.reachable) return { ok: true, leaderElection: true, fencingToken: this.current.fencingToken };
    return {
      ok: false,
      leaderElection: true,
      reason: `cannot check the lease in the state table "${service.stateTable}" since ${health.failingSince}: no write goes out until it can`,
      lastError: health.lastError,
    };
  }

  /** The account (configured, else the state table's) and region the lease fences writes to. */
  private async leaseTarget(): Promise<LeaseTarget> {
    const { service, dynamodb } = this.options;
    const table = await ensureStateTable(dynamodb, service.stateTable, {
      create: service.createStateTable,
      logger: this.options.logger,
    });
    const accountId = service.accountId ?? table.accountId;
    if (!accountId) {
      throw new ConfigError('cannot tell the target account from the state table: set --account-id');
    }
    return { accountId, region: this.options.region };
  }
}
