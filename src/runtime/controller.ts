import type { Logger } from 'pino';
import { CallCounter } from '../aws/callCounter.js';
import { type AwsClients, createAwsClients } from '../aws/clients.js';
import { fenceWrites } from '../aws/writeFence.js';
import type { RuntimeSettings } from '../config/runtime.js';
import type { ServiceSettings } from '../config/service.js';
import { runCycle } from '../cycle.js';
import { ConfigError, formatPolicyIssue, type PolicyIssue, PolicyValidationError } from '../errors.js';
import { loadPolicyDir } from '../policy/loader.js';
import type { PolicySet } from '../policy/model.js';
import type { Action } from '../reconcile/model.js';
import { type DriftReport, type ReportNotice, withNotices } from '../report/driftReport.js';
import { DynamoFixHistoryStore, type FixHistoryStore, MemoryFixHistoryStore } from '../state/fixHistory.js';
import { type CycleDeadline, CycleStopError, cycleDeadline } from './cycleTimeout.js';
import { type HttpServer, type Probe, startHttpServer } from './httpServer.js';
import {
  createStateTable,
  describeStateTable,
  LeaderLease,
  type LeaseClock,
  type LeaseTarget,
} from './lease.js';
import { LeaseWriteFence } from './leaseFence.js';
import { checkLeaseCoversWriteAttempt, leaseClientSettings } from './leaseTiming.js';
import { type CycleOutcome, Metrics } from './metrics.js';
import { NotificationQueue, type ReportNotifier } from './notifications.js';
import { cronTicker, type Ticker } from './scheduler.js';
import { SingleFlight } from './singleFlight.js';

export type CycleTrigger = 'start' | 'schedule' | 'leader-acquired' | 'manual';

/** What one cycle of the loop came to; listeners (tests, future sinks) receive it. */
export interface CycleRecord {
  readonly sequence: number;
  readonly trigger: CycleTrigger;
  readonly outcome: CycleOutcome;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly report?: DriftReport;
  readonly error?: string;
  /** Files of the policy set the cycle used. */
  readonly policyFiles: readonly string[];
}

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
 * the lease; serves health and metrics; stops gracefully. Each part lives in its own module; this
 * one only decides the order of things.
 */
export class Controller {
  readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly aws: AwsClients;
  private readonly stateAws: AwsClients;
  private readonly ticker: Ticker;
  private readonly flight: SingleFlight<CycleTrigger>;
  private readonly notifications: NotificationQueue;
  private readonly fixHistory: FixHistoryStore;
  private readonly listeners = new Set<(record: CycleRecord) => void>();
  private phase: Phase = 'created';
  private lease: LeaderLease | undefined;
  private http: HttpServer | undefined;
  private policies: { set: PolicySet; loadedAt: Date; signature: string } | undefined;
  private policyErrors: { issues: readonly PolicyIssue[]; signature: string; since: Date } | undefined;
  private consecutiveFailures = 0;
  private lastCycle: CycleRecord | undefined;
  private currentDeadline: CycleDeadline | undefined;
  private rerun = false;
  private sequence = 0;
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
    // Every attempt of every write of a cycle is checked against the lease right before it is sent.
    if (service.leaderElection) {
      fenceWrites(this.aws, new LeaseWriteFence(() => this.lease, settings.requestTimeoutMs));
    }
    this.metrics.observeCalls(this.aws.counter, { countWrites: true });
    this.metrics.observeCalls(this.stateAws.counter, { countWrites: false });
    this.ticker = options.ticker ?? cronTicker(service.schedule, this.log);
    this.fixHistory =
      options.fixHistory ??
      (service.leaderElection
        ? new DynamoFixHistoryStore(this.stateAws.dynamodb, service.stateTable)
        : new MemoryFixHistoryStore());
    this.notifications = new NotificationQueue(options.notifier, {
      logger: this.log,
      onErrors: (sink, count) => this.metrics.notificationErrors.inc({ sink }, count),
    });
    this.flight = new SingleFlight<CycleTrigger>(
      async (trigger) => {
        try {
          await this.tick(trigger);
        } finally {
          if (this.rerun) {
            this.rerun = false;
            setImmediate(() => this.flight.trigger('leader-acquired'));
          }
        }
      },
      {
        onSkip: (reason, trigger) => {
          if (reason === 'overlap' && trigger === 'leader-acquired') {
            this.rerun = true;
            return;
          }
          this.metrics.ticksSkipped.inc({ reason: reason === 'overlap' ? 'overlap' : 'shutting-down' });
          if (reason === 'overlap')
            this.log.warn({ trigger }, 'tick skipped: the previous cycle is still running');
        },
        onError: (error, trigger) => this.log.error({ err: error, trigger }, 'tick failed'),
      },
    );
  }

  /** The health and metrics server's address, once started. */
  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  isLeader(): boolean {
    return this.lease ? this.lease.isLeader() : this.phase === 'running';
  }

  /** Called after every cycle. Returns a function that unsubscribes. */
  onCycle(listener: (record: CycleRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks for a cycle now (as a tick would); false when one is running or the loop stops. */
  trigger(trigger: CycleTrigger = 'manual'): boolean {
    return this.flight.trigger(trigger);
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`controller already ${this.phase}`);
    this.phase = 'starting';
    const { service } = this.options;
    this.http = await startHttpServer({
      host: service.httpHost,
      port: service.httpPort,
      logger: this.log,
      health: {
        liveness: () => this.liveness(),
        readiness: () => this.readiness(),
        metrics: () => this.metrics.render(),
      },
    });
    await this.reloadPolicies();
    if (service.leaderElection) {
      const target = await this.leaseTarget();
      this.lease = new LeaderLease({
        dynamodb: this.stateAws.dynamodb,
        table: service.stateTable,
        target,
        holderId: service.holderId,
        durationMs: service.leaseDurationMs,
        renewIntervalMs: service.leaseRenewIntervalMs,
        logger: this.log,
        ...(this.options.leaseClock ? { clock: this.options.leaseClock } : {}),
        onAcquired: () => {
          this.metrics.setLeader(true);
          if (this.phase === 'running' || this.phase === 'starting') this.flight.trigger('leader-acquired');
        },
        onLost: (reason) => {
          this.metrics.setLeader(false);
          this.currentDeadline?.stop(
            new CycleStopError(
              'leadership-lost',
              `lost the lease (${reason}): writes not yet started are deferred`,
            ),
          );
        },
      });
      this.lease.start();
    } else {
      this.metrics.leader.set(1);
    }
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
    if (this.currentDeadline) {
      this.log.info({ reason }, 'stopping the cycle in progress after the write in flight');
      this.currentDeadline.stop(
        new CycleStopError('shutdown', `shutdown (${reason}): writes not yet started are deferred`),
      );
    }
    await this.flight.idle();
    // Keep a second for releasing the lease and closing the server.
    const left = await this.notifications.flush(deadline - performance.now() - 1000);
    if (left > 0) this.log.warn({ abandoned: left }, 'some notifications were not sent');
    await this.lease?.stop({ release: true });
    this.metrics.leader.set(0);
    await this.http?.close();
    this.aws.destroy();
    this.stateAws.destroy();
    this.phase = 'stopped';
    if (wasRunning) this.log.info({ reason }, 'controller stopped');
    return 0;
  }

  liveness(): Probe {
    const busyMs = this.flight.busyFor();
    const stuckAfterMs = 2 * this.options.service.cycleTimeoutMs;
    if (busyMs !== undefined && busyMs > stuckAfterMs) {
      return {
        ok: false,
        details: {
          reason: `a cycle has run ${Math.round(busyMs / 1000)} s, more than twice the cycle timeout: restart`,
        },
      };
    }
    return { ok: true, details: { phase: this.phase } };
  }

  readiness(): Probe {
    const threshold = this.options.service.readyFailureThreshold;
    const policies = this.policies
      ? {
          ok: true,
          inForce: this.policies.set.policies.map((p) => p.name),
          loadedAt: this.policies.loadedAt.toISOString(),
          directoryValid: this.policyErrors === undefined,
          ...(this.policyErrors
            ? { errors: this.policyErrors.issues.slice(0, 20).map(formatPolicyIssue) }
            : {}),
        }
      : {
          ok: false,
          reason: 'no valid policy set has been read yet',
          errors: (this.policyErrors?.issues ?? []).slice(0, 20).map(formatPolicyIssue),
        };
    const cycles = {
      ok: this.consecutiveFailures < threshold,
      consecutiveFailures: this.consecutiveFailures,
      threshold,
      ...(this.lastCycle
        ? { last: { outcome: this.lastCycle.outcome, finishedAt: this.lastCycle.finishedAt.toISOString() } }
        : {}),
    };
    const lease = this.leaseReadiness();
    const ok = this.phase === 'running' && policies.ok && cycles.ok && lease.ok;
    return { ok, details: { phase: this.phase, leader: this.isLeader(), policies, cycles, lease } };
  }

  /**
   * Not ready while the lease cannot be checked (the state table does not answer): a leader then
   * writes nothing (every write attempt is refused), and a follower could not take over.
   */
  private leaseReadiness(): { ok: boolean; [key: string]: unknown } {
    if (!this.options.service.leaderElection) return { ok: true, leaderElection: false };
    if (!this.lease) return { ok: true, leaderElection: true, state: 'starting' };
    const health = this.lease.health();
    if (health.reachable) return { ok: true, leaderElection: true, fencingToken: this.lease.fencingToken };
    return {
      ok: false,
      leaderElection: true,
      reason: `cannot check the lease in the state table "${this.options.service.stateTable}" since ${health.failingSince}: no write goes out until it can`,
      lastError: health.lastError,
    };
  }

  private async leaseTarget(): Promise<LeaseTarget> {
    const { service, settings } = this.options;
    const dynamodb = this.stateAws.dynamodb;
    let table: { accountId: string };
    try {
      table = await describeStateTable(dynamodb, service.stateTable);
    } catch (error) {
      if (!(error instanceof ConfigError) || !service.createStateTable) throw error;
      await createStateTable(dynamodb, service.stateTable, this.log);
      table = await describeStateTable(dynamodb, service.stateTable);
    }
    const accountId = service.accountId ?? table.accountId;
    if (!accountId) {
      throw new ConfigError('cannot tell the target account from the state table: set --account-id');
    }
    return { accountId, region: settings.region };
  }

  private async reloadPolicies(): Promise<void> {
    const dir = this.options.service.policies;
    try {
      const set = await loadPolicyDir(dir);
      const signature = JSON.stringify([set.files, set.policies.map((p) => p.document)]);
      if (signature !== this.policies?.signature) {
        this.log.info(
          { policies: set.policies.map((p) => p.name), files: set.files },
          this.policies ? 'policies changed: the new set is in force' : 'policies loaded',
        );
      }
      if (this.policyErrors) this.log.info('the policy directory is valid again');
      this.policies = { set, loadedAt: new Date(), signature };
      this.policyErrors = undefined;
      this.metrics.policiesValid.set(1);
      this.metrics.policiesLoaded.set(set.policies.length);
    } catch (error) {
      const issues: readonly PolicyIssue[] =
        error instanceof PolicyValidationError
          ? error.issues
          : [{ file: dir, line: 1, column: 1, path: '', message: String((error as Error).message ?? error) }];
      const signature = JSON.stringify(issues);
      const fresh = signature !== this.policyErrors?.signature;
      this.policyErrors = {
        issues,
        signature,
        since: fresh ? new Date() : (this.policyErrors?.since ?? new Date()),
      };
      this.metrics.policyReloadErrors.inc();
      this.metrics.policiesValid.set(0);
      const inForce = this.policies
        ? `the last valid set (read at ${this.policies.loadedAt.toISOString()}) stays in force`
        : 'no valid set has been read yet: no cycle runs';
      const fields = { policyErrors: issues.map(formatPolicyIssue), errorCount: issues.length };
      if (fresh) {
        this.log.error(fields, `invalid policies in ${dir}: ${inForce}`);
      } else {
        this.log.warn({ errorCount: issues.length }, `policies still invalid: ${inForce}`);
      }
    }
  }

  private async tick(trigger: CycleTrigger): Promise<void> {
    await this.reloadPolicies();
    if (this.phase === 'stopping' || this.phase === 'stopped') {
      this.metrics.ticksSkipped.inc({ reason: 'shutting-down' });
      return;
    }
    if (this.lease && !this.lease.isLeader()) {
      this.metrics.ticksSkipped.inc({ reason: 'not-leader' });
      this.log.debug({ trigger }, 'tick: following, no cycle');
      return;
    }
    if (!this.policies) {
      this.metrics.ticksSkipped.inc({ reason: 'no-valid-policies' });
      return;
    }
    await this.cycle(trigger, this.policies.set);
  }

  /** Before each write: still leading, for the lease's target. Each attempt is then fenced (fenceWrites). */
  private readonly beforeWrite = async (action: Action): Promise<void> => {
    await this.options.beforeWrite?.(action);
    this.lease?.checkWrite(action);
  };

  private async cycle(trigger: CycleTrigger, policySet: PolicySet): Promise<void> {
    const { service, settings } = this.options;
    const sequence = ++this.sequence;
    const log = this.log.child({ cycle: sequence });
    const deadline = (this.options.cycleDeadline ?? cycleDeadline)(service.cycleTimeoutMs);
    this.currentDeadline = deadline;
    const startedAt = new Date();
    const t0 = performance.now();
    this.metrics.cycleInProgress.set(1);
    log.info({ trigger, dryRun: service.dryRun }, 'cycle started');
    let outcome: CycleOutcome;
    let report: DriftReport | undefined;
    let failure: string | undefined;
    try {
      const raw = await runCycle(policySet, this.aws, {
        settings,
        dryRun: service.dryRun,
        logger: log,
        signal: deadline.signal,
        beforeWrite: this.beforeWrite,
        fixHistory: this.fixHistory,
      });
      const stopped = deadline.reason();
      outcome = !stopped ? 'success' : stopped.why === 'timeout' ? 'timeout' : 'interrupted';
      const notices: ReportNotice[] = [];
      if (this.policyErrors && this.policies) {
        notices.push({
          code: 'policies-invalid',
          message: `the policy directory has ${this.policyErrors.issues.length} error(s) since ${this.policyErrors.since.toISOString()}; this cycle used the last valid policies, read at ${this.policies.loadedAt.toISOString()}`,
          details: this.policyErrors.issues,
        });
      }
      if (stopped) {
        notices.push({
          code: stopped.why === 'timeout' ? 'cycle-timeout' : 'cycle-interrupted',
          message: `${stopped.message} and retried next cycle`,
        });
      }
      report = withNotices(raw, notices);
      this.metrics.recordReport(report);
    } catch (error) {
      outcome = 'failed';
      const e = error as { name?: string; message?: string };
      failure = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
      log.error({ err: error }, 'cycle failed');
    } finally {
      deadline.dispose();
      this.currentDeadline = undefined;
      this.metrics.cycleInProgress.set(0);
    }
    const finishedAt = new Date();
    const seconds = (performance.now() - t0) / 1000;
    this.metrics.recordCycle(outcome, seconds, finishedAt);
    if (outcome === 'success') this.consecutiveFailures = 0;
    else if (outcome === 'failed' || outcome === 'timeout') this.consecutiveFailures += 1;
    log.info(
      {
        trigger,
        outcome,
        durationSeconds: Math.round(seconds * 1000) / 1000,
        ...(report ? { summary: report.summary, notices: report.notices?.map((n) => n.code) } : {}),
        ...(failure ? { error: failure } : {}),
        consecutiveFailures: this.consecutiveFailures,
      },
      'cycle complete',
    );
    if (report && service.output === 'json') this.options.stdout?.(`${JSON.stringify(report)}\n`);
    // Stale policies and a held-back cycle reach Slack as the report's notices.
    if (report) this.notifications.publish(report);
    const record: CycleRecord = {
      sequence,
      trigger,
      outcome,
      startedAt,
      finishedAt,
      ...(report ? { report } : {}),
      ...(failure ? { error: failure } : {}),
      policyFiles: policySet.files,
    };
    this.lastCycle = record;
    for (const listener of this.listeners) listener(record);
  }
}
