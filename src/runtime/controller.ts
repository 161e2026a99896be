import type { Logger } from 'pino';
import { CallCounter } from '../aws/callCounter.js';
import { type AwsClients, createAwsClients } from '../aws/clients.js';
import { fenceWrites } from '../aws/writeFence.js';
import type { RuntimeSettings } from '../config/runtime.js';
import type { ServiceSettings } from '../config/service.js';
import type { Action } from '../reconcile/model.js';
import { DynamoFixHistoryStore, type FixHistoryStore, MemoryFixHistoryStore } from '../state/fixHistory.js';
import { cycleFlight } from './cycleFlight.js';
import { type CycleRecord, CycleRunner, type CycleTrigger } from './cycleRunner.js';
import { type CycleDeadline, CycleStopError } from './cycleTimeout.js';
import { type HttpServer, type Probe, serveController } from './httpServer.js';
import { LeaderElection } from './leaderElection.js';
import type { LeaseClock } from './lease.js';
import { LeaseWriteFence } from './leaseFence.js';
import { checkLeaseCoversWriteAttempt, leaseClientSettings } from './leaseTiming.js';
import { Metrics } from './metrics.js';
import { NotificationQueue, type ReportNotifier } from './notifications.js';
import { PolicyReloader } from './policyReloader.js';
import { cyclesReadiness, livenessProbe, readinessProbe } from './probes.js';
import { cronTicker, type Ticker } from './scheduler.js';
import type { SingleFlight } from './singleFlight.js';

export type { CycleRecord, CycleTrigger } from './cycleRunner.js';

export interface ControllerOptions {
  service: ServiceSettings;
  settings: RuntimeSettings;
  logger: Logger;
  /** Clients of the cycles. Default: from `settings`. The controller destroys them on stop. */
  aws?: AwsClients;
  /**
   * Clients of the lease, with a call counter of their own (lease calls are not a cycle's).
   * Default: from `settings`, with the lease's own short timeouts (leaseClientSettings).
   */
  stateAws?: AwsClients;
  ticker?: Ticker;
  /** Slack and tickets (src/notify); each cycle's report goes to it in the background. */
  notifier?: ReportNotifier;
  /** Where `--output json` prints each report. */
  stdout?: (text: string) => void;
  /** Called before every write, before the lease checks (tests hold writes here). */
  beforeWrite?: (action: Action) => Promise<void>;
  leaseClock?: LeaseClock;
  /**
   * Past fixes, to stop fixing what something keeps reverting. Default: the state table (with the
   * lease's clients, so history writes are not counted as reconcile writes); in memory without
   * leader election.
   */
  fixHistory?: FixHistoryStore;
  /** Makes each cycle's deadline (tests keep a handle on it to expire a cycle at a chosen point). */
  cycleDeadline?: (timeoutMs: number) => CycleDeadline;
  /** Process metrics (CPU, memory, event loop); off in tests that run several controllers. */
  defaultMetrics?: boolean;
}

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * `edaguard run`: reconciles at start, then on schedule, one cycle at a time, only while it holds
 * the lease; serves health and metrics; stops gracefully. Each job has its own object (policy
 * reloads, the lease, cycles, notifications, metrics); this one wires them and orders start and stop.
 */
export class Controller {
  readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly aws: AwsClients;
  private readonly stateAws: AwsClients;
  private readonly ticker: Ticker;
  private readonly flight: SingleFlight<CycleTrigger>;
  private readonly notifications: NotificationQueue;
  private readonly policies: PolicyReloader;
  private readonly election: LeaderElection;
  private readonly cycles: CycleRunner;
  private phase: Phase = 'created';
  private http: HttpServer | undefined;
  private stopping: Promise<number> | undefined;

  constructor(private readonly options: ControllerOptions) {
    const { service, settings } = options;
    // A lease too short for one write attempt could never fence it: refuse before anything starts.
    checkLeaseCoversWriteAttempt(service, settings);
    this.log = options.logger.child({ replica: service.holderId });
    this.metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? true });
    this.aws = options.aws ?? createAwsClients(settings);
    this.stateAws =
      options.stateAws ??
      createAwsClients(leaseClientSettings(settings, service.leaseRenewIntervalMs), new CallCounter());
    this.election = this.createElection();
    // Every attempt of every write of a cycle is checked against the lease right before it is sent.
    if (service.leaderElection) {
      fenceWrites(this.aws, new LeaseWriteFence(() => this.election.lease, settings.requestTimeoutMs));
    }
    this.metrics.observeCalls(this.stateAws.counter, {});
    this.ticker = options.ticker ?? cronTicker(service.schedule, this.log);
    this.notifications = new NotificationQueue(options.notifier, {
      logger: this.log,
      onErrors: (sink, count) => this.metrics.notificationErrors.inc({ sink }, count),
    });
    this.policies = new PolicyReloader(service.policies, this.log, this.metrics);
    this.cycles = this.createCycleRunner();
    this.metrics.observeCalls(this.aws.counter, {
      writesOf: () => {
        const target = this.election.lease?.target;
        return target ? { account: target.accountId, region: target.region } : this.cycles.targetLabels();
      },
    });
    this.flight = cycleFlight((trigger) => this.tick(trigger), { metrics: this.metrics, logger: this.log });
  }

  /** The health and metrics server's address, once started. */
  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  isLeader(): boolean {
    const lease = this.election.lease;
    return lease ? lease.isLeader() : this.phase === 'running';
  }

  /** Called after every cycle. Returns a function that unsubscribes. */
  onCycle(listener: (record: CycleRecord) => void): () => void {
    return this.cycles.onCycle(listener);
  }

  /** Asks for a cycle now (as a tick would); false when one is running or the loop stops. */
  trigger(trigger: CycleTrigger = 'manual'): boolean {
    return this.flight.trigger(trigger);
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`controller already ${this.phase}`);
    this.phase = 'starting';
    const { service } = this.options;
    this.http = await serveController(service, this.log, this);
    await this.policies.reload();
    await this.election.start();
    this.ticker.start(() => this.flight.trigger('schedule'));
    this.phase = 'running';
    this.log.info(
      {
        schedule: service.schedule,
        nextCycle: this.ticker.nextTick()?.toISOString(),
        leaderElection: service.leaderElection,
        dryRun: service.dryRun,
      },
      'controller started',
    );
    // With a lease, the first cycle starts when it is acquired (at once when nobody holds it).
    if (!service.leaderElection) this.flight.trigger('start');
  }

  /**
   * Graceful stop: no new cycle, the cycle in progress stops before its next finding (the
   * finding being written completes), notifications are flushed, the lease is released, the
   * server closes. `deadline` (performance.now() time) bounds the waiting parts.
   */
  stop(options: { reason: string; deadline?: number }): Promise<number> {
    this.stopping ??= this.doStop(options.reason, options.deadline);
    return this.stopping;
  }

  private async doStop(reason: string, deadline = performance.now() + this.options.service.shutdownGraceMs) {
    const wasRunning = this.phase !== 'created';
    this.phase = 'stopping';
    await this.ticker.stop();
    this.flight.close();
    const shutdown = new CycleStopError(
      'shutdown',
      `shutdown (${reason}): writes not yet started are deferred`,
    );
    if (this.cycles.stopCurrent(shutdown)) {
      this.log.info({ reason }, 'stopping the cycle in progress after the write in flight');
    }
    await this.flight.idle();
    // Keep a second for releasing the lease and closing the server.
    const left = await this.notifications.flush(deadline - performance.now() - 1000);
    if (left > 0) this.log.warn({ abandoned: left }, 'some notifications were not sent');
    await this.election.stop();
    await this.http?.close();
    this.aws.destroy();
    this.stateAws.destroy();
    this.phase = 'stopped';
    if (wasRunning) this.log.info({ reason }, 'controller stopped');
    return 0;
  }

  liveness(): Probe {
    return livenessProbe({
      phase: this.phase,
      busyMs: this.flight.busyFor(),
      cycleTimeoutMs: this.options.service.cycleTimeoutMs,
    });
  }

  readiness(): Probe {
    return readinessProbe({
      phase: this.phase,
      leader: this.isLeader(),
      policies: this.policies.readiness(),
      cycles: cyclesReadiness(
        this.cycles.consecutiveFailures,
        this.options.service.readyFailureThreshold,
        this.cycles.lastCycle,
      ),
      lease: this.election.readiness(),
    });
  }

  private async tick(trigger: CycleTrigger): Promise<void> {
    await this.policies.reload();
    if (this.phase === 'stopping' || this.phase === 'stopped') {
      this.metrics.ticksSkipped.inc({ reason: 'shutting-down' });
      return;
    }
    const lease = this.election.lease;
    if (lease && !lease.isLeader()) {
      this.metrics.ticksSkipped.inc({ reason: 'not-leader' });
      this.log.debug({ trigger }, 'tick: following, no cycle');
      return;
    }
    const policySet = this.policies.current;
    if (!policySet) {
      this.metrics.ticksSkipped.inc({ reason: 'no-valid-policies' });
      return;
    }
    await this.cycles.run(trigger, policySet);
  }

  /** Before each write: still leading, for the lease's target. Each attempt is then fenced (fenceWrites). */
  private readonly beforeWrite = async (action: Action): Promise<void> => {
    await this.options.beforeWrite?.(action);
    this.election.lease?.checkWrite(action);
  };

  private createElection(): LeaderElection {
    const { service, settings, leaseClock } = this.options;
    return new LeaderElection({
      service,
      region: settings.region,
      dynamodb: this.stateAws.dynamodb,
      logger: this.log,
      metrics: this.metrics,
      ...(leaseClock ? { clock: leaseClock } : {}),
      onAcquired: () => {
        if (this.phase === 'running' || this.phase === 'starting') this.flight.trigger('leader-acquired');
      },
      onLost: (reason) => {
        this.cycles.stopCurrent(
          new CycleStopError(
            'leadership-lost',
            `lost the lease (${reason}): writes not yet started are deferred`,
          ),
        );
      },
    });
  }

  private createCycleRunner(): CycleRunner {
    const { service, settings, fixHistory, cycleDeadline, stdout } = this.options;
    return new CycleRunner({
      service,
      settings,
      aws: this.aws,
      logger: this.log,
      metrics: this.metrics,
      fixHistory:
        fixHistory ??
        (service.leaderElection
          ? new DynamoFixHistoryStore(this.stateAws.dynamodb, service.stateTable)
          : new MemoryFixHistoryStore()),
      notifications: this.notifications,
      beforeWrite: this.beforeWrite,
      policyNotice: () => this.policies.staleNotice(),
      ...(cycleDeadline ? { cycleDeadline } : {}),
      ...(stdout ? { stdout } : {}),
    });
  }
}
