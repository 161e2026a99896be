import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import type { RuntimeSettings } from '../config/runtime.js';
import type { ServiceSettings } from '../config/service.js';
import { runCycle } from '../cycle.js';
import type { PolicySet } from '../policy/model.js';
import type { Action } from '../reconcile/model.js';
import { type DriftReport, type ReportNotice, withNotices } from '../report/driftReport.js';
import type { FixHistoryStore } from '../state/fixHistory.js';
import type { TargetRef } from '../targets/targetRef.js';
import { type CycleDeadline, type CycleStopError, cycleDeadline } from './cycleTimeout.js';
import type { CycleOutcome, Metrics, TargetLabels } from './metrics.js';
import type { NotificationQueue } from './notifications.js';

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

export interface CycleRunnerOptions {
  service: ServiceSettings;
  settings: RuntimeSettings;
  /** The target's clients, or how to get them (assuming its account's role) at each cycle. */
  aws: AwsClients | (() => Promise<AwsClients>);
  /** The target, when known before its first report (`run` over many targets). */
  target?: TargetRef;
  /**
   * A failure that is the target's own (its role cannot be assumed) as a report, so that it is
   * notified and ticketed like any finding; undefined for a failure of the cycle itself.
   */
  failureReport?: (error: unknown, at: Date) => DriftReport | undefined;
  logger: Logger;
  metrics: Metrics;
  fixHistory: FixHistoryStore;
  notifications: NotificationQueue;
  /** Before each write: the controller's lease checks. */
  beforeWrite: (action: Action) => Promise<void>;
  /** The notice to add to a report when the policies in force are stale. */
  policyNotice: () => ReportNotice | undefined;
  cycleDeadline?: (timeoutMs: number) => CycleDeadline;
  stdout?: (text: string) => void;
}

/** What running the cycle itself came to, before it is recorded. */
interface CycleResult {
  readonly outcome: CycleOutcome;
  readonly report?: DriftReport;
  readonly failure?: string;
}

/**
 * Runs one cycle at a time under its deadline, and records it: metrics, the count of failures in a
 * row (readiness), the log, `--output json`, the notification queue and the cycle listeners.
 */
export class CycleRunner {
  private readonly listeners = new Set<(record: CycleRecord) => void>();
  private sequence = 0;
  private deadline: CycleDeadline | undefined;
  private failuresInARow = 0;
  private last: CycleRecord | undefined;

  constructor(private readonly options: CycleRunnerOptions) {}

  get consecutiveFailures(): number {
    return this.failuresInARow;
  }

  get lastCycle(): CycleRecord | undefined {
    return this.last;
  }

  /** Called after every cycle. Returns a function that unsubscribes. */
  onCycle(listener: (record: CycleRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the cycle in progress before its next finding. Returns false when none runs. */
  stopCurrent(error: CycleStopError): boolean {
    if (!this.deadline) return false;
    this.deadline.stop(error);
    return true;
  }

  async run(trigger: CycleTrigger, policySet: PolicySet): Promise<void> {
    const sequence = ++this.sequence;
    const log = this.options.logger.child({ cycle: sequence });
    const startedAt = new Date();
    const t0 = performance.now();
    log.info({ trigger, dryRun: this.options.service.dryRun }, 'cycle started');
    const result = await this.execute(policySet, log);
    const finishedAt = new Date();
    this.recordOutcome(result, trigger, (performance.now() - t0) / 1000, finishedAt, log);
    this.publish({
      sequence,
      trigger,
      outcome: result.outcome,
      startedAt,
      finishedAt,
      ...(result.report ? { report: result.report } : {}),
      ...(result.failure ? { error: result.failure } : {}),
      policyFiles: policySet.files,
    });
  }

  /** The cycle under its deadline; a thrown error is the outcome `failed`, never rethrown. */
  private async execute(policySet: PolicySet, log: Logger): Promise<CycleResult> {
    const { service, settings, metrics } = this.options;
    const deadline = (this.options.cycleDeadline ?? cycleDeadline)(service.cycleTimeoutMs);
    this.deadline = deadline;
    metrics.cycleInProgress.inc();
    try {
      const aws = typeof this.options.aws === 'function' ? await this.options.aws() : this.options.aws;
      const raw = await runCycle(policySet, aws, {
        settings,
        dryRun: service.dryRun,
        logger: log,
        signal: deadline.signal,
        beforeWrite: this.options.beforeWrite,
        fixHistory: this.options.fixHistory,
      });
      const stopped = deadline.reason();
      const outcome = !stopped ? 'success' : stopped.why === 'timeout' ? 'timeout' : 'interrupted';
      const report = withNotices(raw, this.notices(stopped));
      metrics.recordReport(report);
      return { outcome, report };
    } catch (error) {
      const e = error as { name?: string; message?: string };
      log.error({ err: error }, 'cycle failed');
      const failure = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
      const report = this.options.failureReport?.(error, new Date());
      if (report) metrics.recordReport(report);
      return { outcome: 'failed', failure, ...(report ? { report } : {}) };
    } finally {
      deadline.dispose();
      this.deadline = undefined;
      metrics.cycleInProgress.dec();
    }
  }

  /** Stale policies and a held-back cycle reach the report (and Slack) as its notices. */
  private notices(stopped: CycleStopError | undefined): ReportNotice[] {
    const notices: ReportNotice[] = [];
    const policyNotice = this.options.policyNotice();
    if (policyNotice) notices.push(policyNotice);
    if (stopped) {
      notices.push({
        code: stopped.why === 'timeout' ? 'cycle-timeout' : 'cycle-interrupted',
        message: `${stopped.message} and retried next cycle`,
      });
    }
    return notices;
  }

  private recordOutcome(
    { outcome, report, failure }: CycleResult,
    trigger: CycleTrigger,
    seconds: number,
    finishedAt: Date,
    log: Logger,
  ): void {
    this.options.metrics.recordCycle(outcome, seconds, finishedAt, this.targetLabels(report));
    if (outcome === 'success') this.failuresInARow = 0;
    else if (outcome === 'failed' || outcome === 'timeout') this.failuresInARow += 1;
    log.info(
      {
        trigger,
        outcome,
        durationSeconds: Math.round(seconds * 1000) / 1000,
        ...(report ? { summary: report.summary, notices: report.notices?.map((n) => n.code) } : {}),
        ...(failure ? { error: failure } : {}),
        consecutiveFailures: this.failuresInARow,
      },
      'cycle complete',
    );
  }

  /** The cycle's target: given, else its report's, else the last report's (the account may be unknown yet). */
  targetLabels(report?: DriftReport): TargetLabels {
    const target = this.options.target ?? report?.target ?? this.last?.report?.target;
    return { account: target?.accountId ?? '', region: target?.region ?? this.options.settings.region };
  }

  /** The report to stdout and the notifiers, the record to the listeners. */
  private publish(record: CycleRecord): void {
    const { report } = record;
    if (report && this.options.service.output === 'json')
      this.options.stdout?.(`${JSON.stringify(report)}\n`);
    if (report) this.options.notifications.publish(report);
    this.last = record;
    for (const listener of this.listeners) listener(record);
  }
}
