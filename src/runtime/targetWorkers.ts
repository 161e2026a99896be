import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import type { RuntimeSettings } from '../config/runtime.js';
import type { ServiceSettings } from '../config/service.js';
import type { PolicySet } from '../policy/model.js';
import type { Action } from '../reconcile/model.js';
import type { ReportNotice } from '../report/driftReport.js';
import { targetErrorReport, targetFailureOf } from '../report/multiTarget.js';
import type { FixHistoryStore } from '../state/fixHistory.js';
import { type TargetRef, targetId } from '../targets/targetRef.js';
import { cycleFlight } from './cycleFlight.js';
import { type CycleRecord, CycleRunner, type CycleTrigger } from './cycleRunner.js';
import { type CycleDeadline, CycleStopError } from './cycleTimeout.js';
import type { LeaderLease } from './lease.js';
import { LeaseLostError } from './leaseRecord.js';
import type { Metrics } from './metrics.js';
import type { NotificationQueue } from './notifications.js';
import type { SingleFlight } from './singleFlight.js';

export interface TargetWorkersOptions {
  service: ServiceSettings;
  settings: RuntimeSettings;
  logger: Logger;
  metrics: Metrics;
  fixHistory: FixHistoryStore;
  notifications: NotificationQueue;
  /** Cycles of different targets running at once (`--target-concurrency`). */
  concurrency: number;
  /** A target's clients, its account's role assumed (throws when it cannot be). */
  reach: (target: TargetRef) => Promise<AwsClients>;
  /** The target's lease, when this replica has one. */
  leaseOf: (target: TargetRef) => LeaderLease | undefined;
  policies: () => PolicySet | undefined;
  policyNotice: () => ReportNotice | undefined;
  beforeWrite?: (action: Action) => Promise<void>;
  cycleDeadline?: (timeoutMs: number) => CycleDeadline;
  stdout?: (text: string) => void;
}

interface TargetWorker {
  readonly runner: CycleRunner;
  readonly flight: SingleFlight<CycleTrigger>;
}

/**
 * The cycles of `edaguard run` over many targets: per target, one cycle at a time (its own
 * single flight, cycle runner, deadline and fix history), and at most `concurrency` targets'
 * cycles at once. A cycle runs only while this replica holds the target's lease, and every write
 * is checked against that lease (the target's clients are fenced by it too).
 */
export class TargetWorkers {
  private readonly workers = new Map<string, TargetWorker>();
  private readonly limit: ReturnType<typeof pLimit>;
  /** Targets whose cycle is running (not waiting for a slot), since when (performance.now()). */
  private readonly running = new Map<string, number>();
  private readonly listeners = new Set<(record: CycleRecord, target: TargetRef) => void>();

  constructor(private readonly options: TargetWorkersOptions) {
    this.limit = pLimit(options.concurrency);
  }

  /** Targets whose cycle is running now. */
  busy(): ReadonlySet<string> {
    return new Set(this.running.keys());
  }

  /** How long the longest running cycle has run (ms); undefined when none runs. */
  longestRunningMs(): number | undefined {
    if (this.running.size === 0) return undefined;
    return performance.now() - Math.min(...this.running.values());
  }

  /** Targets failing `threshold` cycles in a row or more. */
  failing(threshold: number): string[] {
    return [...this.workers]
      .filter(([, w]) => w.runner.consecutiveFailures >= threshold)
      .map(([id]) => id)
      .sort();
  }

  onCycle(listener: (record: CycleRecord, target: TargetRef) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks for a cycle of the target; false when its cycle is running or the workers are closed. */
  trigger(target: TargetRef, trigger: CycleTrigger): boolean {
    return this.workerFor(target).flight.trigger(trigger);
  }

  /** Stops the target's cycle in progress before its next finding. */
  stop(target: TargetRef, error: CycleStopError): void {
    this.workers.get(targetId(target))?.runner.stopCurrent(error);
  }

  /** No new cycle; the cycles in progress stop before their next finding; resolves when all are idle. */
  async close(reason: string): Promise<void> {
    for (const worker of this.workers.values()) {
      worker.flight.close();
      worker.runner.stopCurrent(
        new CycleStopError('shutdown', `shutdown (${reason}): writes not yet started are deferred`),
      );
    }
    this.limit.clearQueue();
    await Promise.all([...this.workers.values()].map((w) => w.flight.idle()));
  }

  private async tick(target: TargetRef, runner: CycleRunner, trigger: CycleTrigger): Promise<void> {
    const { metrics } = this.options;
    const policySet = this.options.policies();
    if (!policySet) {
      metrics.ticksSkipped.inc({ reason: 'no-valid-policies' });
      return;
    }
    await this.limit(async () => {
      // Checked again once a slot is free: the lease may have moved while this cycle waited.
      if (!this.options.leaseOf(target)?.isLeader()) {
        metrics.ticksSkipped.inc({ reason: 'not-leader' });
        return;
      }
      const id = targetId(target);
      this.running.set(id, performance.now());
      try {
        await runner.run(trigger, policySet);
      } finally {
        this.running.delete(id);
      }
    });
  }

  private workerFor(target: TargetRef): TargetWorker {
    const id = targetId(target);
    let worker = this.workers.get(id);
    if (worker) return worker;
    const { service, settings, metrics } = this.options;
    const logger = this.options.logger.child({ target: id });
    const runner = new CycleRunner({
      service,
      settings: { ...settings, region: target.region },
      aws: () => this.options.reach(target),
      target,
      // A cycle that could not run at all (role not assumable, region disabled, throttled out)
      // is the target's error: reported and ticketed like a finding.
      failureReport: (error, at) =>
        error instanceof CycleStopError
          ? undefined
          : targetErrorReport(target, targetFailureOf(error), at, service.dryRun),
      logger,
      metrics,
      fixHistory: this.options.fixHistory,
      notifications: this.options.notifications,
      beforeWrite: async (action) => {
        await this.options.beforeWrite?.(action);
        const lease = this.options.leaseOf(target);
        if (!lease) throw new LeaseLostError(`this replica holds no lease for ${id}`);
        lease.checkWrite(action);
      },
      policyNotice: this.options.policyNotice,
      ...(this.options.cycleDeadline ? { cycleDeadline: this.options.cycleDeadline } : {}),
      ...(this.options.stdout ? { stdout: this.options.stdout } : {}),
    });
    runner.onCycle((record) => {
      for (const listener of this.listeners) listener(record, target);
    });
    const flight = cycleFlight((trigger) => this.tick(target, runner, trigger), { metrics, logger });
    worker = { runner, flight };
    this.workers.set(id, worker);
    return worker;
  }
}
