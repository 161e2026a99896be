import type { Logger } from 'pino';
import { CallCounter } from '../aws/callCounter.js';
import { type AwsClientSettings, type AwsClients, createAwsClients } from '../aws/clients.js';
import { fenceWrites } from '../aws/writeFence.js';
import type { RuntimeSettings } from '../config/runtime.js';
import type { ServiceSettings } from '../config/service.js';
import { ConfigError } from '../errors.js';
import type { Action } from '../reconcile/model.js';
import { DynamoFixHistoryStore } from '../state/fixHistory.js';
import { TargetClientSets } from '../targets/clientSets.js';
import { externalIdOf, roleSessionName } from '../targets/credentials.js';
import type { TargetsConfig } from '../targets/schema.js';
import { type TargetRef, targetId } from '../targets/targetRef.js';
import type { CycleRecord } from './cycleRunner.js';
import { type CycleDeadline, CycleStopError } from './cycleTimeout.js';
import { type HttpServer, type Probe, serveController } from './httpServer.js';
import type { LeaseClock } from './lease.js';
import { LeaseWriteFence } from './leaseFence.js';
import { checkLeaseCoversWriteAttempt, leaseClientSettings } from './leaseTiming.js';
import { Metrics } from './metrics.js';
import { NotificationQueue, type ReportNotifier } from './notifications.js';
import { PolicyReloader } from './policyReloader.js';
import { livenessProbe, readinessProbe } from './probes.js';
import { cronTicker, type Ticker } from './scheduler.js';
import { ensureStateTable } from './stateTable.js';
import { TargetList } from './targetList.js';
import { TargetShards } from './targetShards.js';
import { TargetWorkers } from './targetWorkers.js';

export interface FleetControllerOptions {
  service: ServiceSettings;
  settings: RuntimeSettings;
  logger: Logger;
  targets: TargetsConfig;
  /** Where EDAGUARD_EXTERNAL_ID comes from. */
  env: NodeJS.ProcessEnv;
  notifier?: ReportNotifier;
  stdout?: (text: string) => void;
  ticker?: Ticker;
  leaseClock?: LeaseClock;
  cycleDeadline?: (timeoutMs: number) => CycleDeadline;
  /** Before every write, before the lease checks (tests hold writes here). */
  beforeWrite?: (action: Action) => Promise<void>;
  /** Tests: wrap how one target's clients are made. */
  createClients?: (settings: AwsClientSettings, target: TargetRef) => AwsClients;
  defaultMetrics?: boolean;
}

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * `edaguard run` over the config file's targets: every replica heartbeats into the state table
 * and holds its share of the targets' leases (targetShards.ts); on each tick it reconciles the
 * targets it holds, `targetConcurrency` at once (targetWorkers.ts), each with its account's
 * assumed role, its own fencing, fix history, report and notifications.
 */
export class FleetController {
  readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly home: AwsClients;
  private readonly clientSets: TargetClientSets;
  private readonly targetList: TargetList;
  private readonly shards: TargetShards;
  private readonly workers: TargetWorkers;
  private readonly policies: PolicyReloader;
  private readonly notifications: NotificationQueue;
  private readonly ticker: Ticker;
  private phase: Phase = 'created';
  private http: HttpServer | undefined;
  private stopping: Promise<number> | undefined;

  constructor(private readonly options: FleetControllerOptions) {
    const { service, settings, targets } = options;
    if (!service.leaderElection)
      throw new ConfigError(
        'targets: `edaguard run` shares targets among replicas through the state table: leader election must stay on',
      );
    checkLeaseCoversWriteAttempt(service, settings);
    this.log = options.logger.child({ replica: service.holderId });
    this.metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? true });
    this.home = createAwsClients(
      leaseClientSettings(settings, service.leaseRenewIntervalMs),
      new CallCounter(),
    );
    this.metrics.observeCalls(this.home.counter, {});
    this.targetList = new TargetList(targets, settings, service.targetRefreshMs, this.log);
    this.clientSets = this.createClientSets();
    this.metrics.observeCalls(this.clientSets.stsCounter, {});
    this.shards = this.createShards();
    this.notifications = new NotificationQueue(options.notifier, {
      logger: this.log,
      onErrors: (sink, count) => this.metrics.notificationErrors.inc({ sink }, count),
    });
    this.policies = new PolicyReloader(service.policies, this.log, this.metrics);
    this.workers = this.createWorkers();
    this.ticker = options.ticker ?? cronTicker(service.schedule, this.log);
  }

  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  /** The targets whose lease this replica holds now. */
  heldTargets(): TargetRef[] {
    return this.shards.held();
  }

  onCycle(listener: (record: CycleRecord, target: TargetRef) => void): () => void {
    return this.workers.onCycle(listener);
  }

  /** A cycle of every held target now (as a tick would). */
  trigger(): void {
    void this.tick();
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`controller already ${this.phase}`);
    this.phase = 'starting';
    const { service } = this.options;
    this.http = await serveController(service, this.log, this);
    await this.policies.reload();
    // With the cycles' timeouts, not the lease's: creating the table may take a while.
    const setup = createAwsClients(this.options.settings);
    try {
      await ensureStateTable(setup.dynamodb, service.stateTable, {
        create: service.createStateTable,
        logger: this.log,
      });
    } finally {
      setup.destroy();
    }
    await this.targetList.refresh({ required: true });
    this.shards.start();
    this.ticker.start(() => void this.tick());
    this.phase = 'running';
    this.log.info(
      {
        schedule: service.schedule,
        nextCycle: this.ticker.nextTick()?.toISOString(),
        targets: this.targetList.current.length,
        targetConcurrency: service.targetConcurrency,
        dryRun: service.dryRun,
      },
      'controller started over many targets',
    );
  }

  stop(options: { reason: string; deadline?: number }): Promise<number> {
    this.stopping ??= this.doStop(options.reason, options.deadline);
    return this.stopping;
  }

  private async doStop(reason: string, deadline = performance.now() + this.options.service.shutdownGraceMs) {
    const wasRunning = this.phase !== 'created';
    this.phase = 'stopping';
    await this.ticker.stop();
    await this.workers.close(reason);
    const left = await this.notifications.flush(deadline - performance.now() - 1000);
    if (left > 0) this.log.warn({ abandoned: left }, 'some notifications were not sent');
    await this.shards.stop({ release: true });
    this.metrics.setTargetsHeld([]);
    await this.http?.close();
    this.clientSets.destroy();
    this.home.destroy();
    this.phase = 'stopped';
    if (wasRunning) this.log.info({ reason }, 'controller stopped');
    return 0;
  }

  liveness(): Probe {
    return livenessProbe({
      phase: this.phase,
      busyMs: this.workers.longestRunningMs(),
      cycleTimeoutMs: this.options.service.cycleTimeoutMs,
    });
  }

  readiness(): Probe {
    const threshold = this.options.service.readyFailureThreshold;
    const held = this.shards.held().map(targetId);
    const failing = this.workers.failing(threshold).filter((id) => held.includes(id));
    return readinessProbe({
      phase: this.phase,
      leader: held.length > 0,
      policies: this.policies.readiness(),
      // One unreachable target is that target's finding; every held target failing is this replica's.
      cycles: { ok: held.length === 0 || failing.length < held.length, failing, threshold },
      lease: this.shards.readiness(),
    });
  }

  /** A scheduled tick: re-read policies (and, when due, the organisation), then every held target. */
  private async tick(): Promise<void> {
    if (this.phase !== 'running') return;
    await this.policies.reload();
    await this.targetList.refresh({ required: false });
    for (const target of this.shards.held()) this.workers.trigger(target, 'schedule');
  }

  private createClientSets(): TargetClientSets {
    const { settings, targets, env, createClients } = this.options;
    const externalId = externalIdOf(targets, env);
    return new TargetClientSets({
      settings,
      assumeRole: {
        roleName: targets.roleName,
        sessionName: roleSessionName(),
        ...(externalId ? { externalId } : {}),
      },
      create: (clientSettings, target) => {
        const clients = createClients
          ? createClients(clientSettings, target)
          : createAwsClients(clientSettings);
        // Every attempt of every write is checked against the lease of its own target.
        fenceWrites(
          clients,
          new LeaseWriteFence(() => this.shards.leaseOf(target), settings.requestTimeoutMs),
        );
        this.metrics.observeCalls(clients.counter, {
          writesOf: () => ({ account: target.accountId, region: target.region }),
        });
        return clients;
      },
    });
  }

  private createShards(): TargetShards {
    const { service, leaseClock } = this.options;
    const heldChanged = () => this.metrics.setTargetsHeld(this.shards.held());
    return new TargetShards({
      dynamodb: this.home.dynamodb,
      table: service.stateTable,
      holderId: service.holderId,
      durationMs: service.leaseDurationMs,
      renewIntervalMs: service.leaseRenewIntervalMs,
      logger: this.log,
      ...(leaseClock ? { clock: leaseClock } : {}),
      targets: () => this.targetList.current,
      busy: () => this.workers.busy(),
      onAcquired: (target) => {
        heldChanged();
        if (this.phase === 'running') this.workers.trigger(target, 'leader-acquired');
      },
      onLost: (target, reason) => {
        heldChanged();
        this.workers.stop(
          target,
          new CycleStopError(
            'leadership-lost',
            `lost the lease of ${targetId(target)} (${reason}): writes not yet started are deferred`,
          ),
        );
      },
    });
  }

  private createWorkers(): TargetWorkers {
    const { service, settings, beforeWrite, cycleDeadline, stdout } = this.options;
    return new TargetWorkers({
      service,
      settings,
      logger: this.log,
      metrics: this.metrics,
      fixHistory: new DynamoFixHistoryStore(this.home.dynamodb, service.stateTable),
      notifications: this.notifications,
      concurrency: service.targetConcurrency,
      reach: (target) => this.clientSets.reach(target),
      leaseOf: (target) => this.shards.leaseOf(target),
      policies: () => this.policies.current,
      policyNotice: () => this.policies.staleNotice(),
      ...(beforeWrite ? { beforeWrite } : {}),
      ...(cycleDeadline ? { cycleDeadline } : {}),
      ...(stdout ? { stdout } : {}),
    });
  }
}
