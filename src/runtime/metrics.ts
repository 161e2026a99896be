import { readFileSync } from 'node:fs';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type CallCounter, isWriteOperation } from '../aws/callCounter.js';
import type { DriftReport } from '../report/driftReport.js';

export type CycleOutcome = 'success' | 'failed' | 'timeout' | 'interrupted';
export type TickSkipReason = 'overlap' | 'not-leader' | 'no-valid-policies' | 'shutting-down';

type Registers = Registry[];

/** The target of a per-target figure ('' while a single target's account is not known yet). */
export interface TargetLabels {
  account: string;
  region: string;
}
type FindingLabels = TargetLabels & { rule: string; status: string };

/** How cycles go: duration and outcome, the last success, ticks that started none, findings, the change cap. */
function cycleInstruments(registers: Registers) {
  const instruments = {
    cycleDuration: new Histogram({
      name: 'edaguard_cycle_duration_seconds',
      help: 'Duration of reconcile cycles, by outcome.',
      labelNames: ['outcome'] as const,
      buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    cycles: new Counter({
      name: 'edaguard_cycles_total',
      help: 'Reconcile cycles, by target and outcome (success, failed, timeout, interrupted).',
      labelNames: ['account', 'region', 'outcome'] as const,
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'edaguard_last_successful_cycle_timestamp_seconds',
      help: 'Unix time at which the last successful cycle finished (0: none yet).',
      registers,
    }),
    cycleInProgress: new Gauge({
      name: 'edaguard_cycle_in_progress',
      help: 'Cycles running now (one per target at most).',
      registers,
    }),
    ticksSkipped: new Counter({
      name: 'edaguard_ticks_skipped_total',
      help: 'Scheduled ticks that started no cycle, by reason (overlap: a cycle was still running).',
      labelNames: ['reason'] as const,
      registers,
    }),
    findings: new Gauge({
      name: 'edaguard_findings',
      help: 'Results of the last completed cycle of each target, by rule and status.',
      labelNames: ['account', 'region', 'rule', 'status'] as const,
      registers,
    }),
    changeCapExceeded: new Counter({
      name: 'edaguard_change_cap_exceeded_total',
      help: 'Cycles whose writes were held back because the plan exceeded --max-change-percent.',
      registers,
    }),
  };
  instruments.lastSuccess.set(0);
  instruments.cycleInProgress.set(0);
  return instruments;
}

/** What cycles and notifications did outside: AWS calls and writes, undelivered notifications. */
function callInstruments(registers: Registers) {
  return {
    writes: new Counter({
      name: 'edaguard_writes_total',
      help: 'AWS write calls made by cycles, by target, action and outcome.',
      labelNames: ['account', 'region', 'action', 'outcome'] as const,
      registers,
    }),
    awsCalls: new Counter({
      name: 'edaguard_aws_calls_total',
      help: 'AWS API calls (one per command, retries included), by service, operation and outcome.',
      labelNames: ['service', 'operation', 'outcome'] as const,
      registers,
    }),
    notificationErrors: new Counter({
      name: 'edaguard_notification_errors_total',
      help: 'Notifications that could not be delivered, by sink.',
      labelNames: ['sink'] as const,
      registers,
    }),
  };
}

function leadershipInstruments(registers: Registers) {
  const instruments = {
    leader: new Gauge({
      name: 'edaguard_leader',
      help: '1 when this replica holds the lease and may write; 0 when it is a follower.',
      registers,
    }),
    targetsHeld: new Gauge({
      name: 'edaguard_targets_held',
      help: 'Targets whose lease this replica holds, by target (1 while held).',
      labelNames: ['account', 'region'] as const,
      registers,
    }),
    leaderTransitions: new Counter({
      name: 'edaguard_leader_transitions_total',
      help: 'Changes of leadership of this replica, by new role.',
      labelNames: ['to'] as const,
      registers,
    }),
  };
  instruments.leader.set(0);
  return instruments;
}

function policyInstruments(registers: Registers) {
  const instruments = {
    policyReloadErrors: new Counter({
      name: 'edaguard_policy_reload_errors_total',
      help: 'Policy reads that found invalid policies (the last valid set stayed in force).',
      registers,
    }),
    policiesValid: new Gauge({
      name: 'edaguard_policies_valid',
      help: '1 when the policy directory was valid when last read; 0 when the last valid set is in force instead.',
      registers,
    }),
    policiesLoaded: new Gauge({
      name: 'edaguard_policies_loaded',
      help: 'Policies in force (0 until a valid set has been read).',
      registers,
    }),
  };
  instruments.policiesValid.set(0);
  instruments.policiesLoaded.set(0);
  return instruments;
}

function registerBuildInfo(registers: Registers): void {
  new Gauge({
    name: 'edaguard_build_info',
    help: 'Always 1; the version label says which edaguard runs.',
    labelNames: ['version'],
    registers,
  }).set({ version: packageVersion() }, 1);
}

/**
 * The controller's Prometheus metrics, in a registry of its own (two controllers in one process,
 * as in the tests, never share counters). Names are documented in the README.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly cycleDuration: Histogram<'outcome'>;
  readonly cycles: Counter<'account' | 'region' | 'outcome'>;
  readonly lastSuccess: Gauge;
  readonly cycleInProgress: Gauge;
  readonly ticksSkipped: Counter<'reason'>;
  readonly findings: Gauge<'account' | 'region' | 'rule' | 'status'>;
  readonly writes: Counter<'account' | 'region' | 'action' | 'outcome'>;
  readonly awsCalls: Counter<'service' | 'operation' | 'outcome'>;
  readonly notificationErrors: Counter<'sink'>;
  readonly leader: Gauge;
  readonly targetsHeld: Gauge<'account' | 'region'>;
  readonly leaderTransitions: Counter<'to'>;
  readonly policyReloadErrors: Counter;
  readonly policiesValid: Gauge;
  readonly policiesLoaded: Gauge;
  readonly changeCapExceeded: Counter;
  /** The label sets each target's last report set in `edaguard_findings`, removed by its next. */
  private readonly findingLabels = new Map<string, FindingLabels[]>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    ({
      cycleDuration: this.cycleDuration,
      cycles: this.cycles,
      lastSuccess: this.lastSuccess,
      cycleInProgress: this.cycleInProgress,
      ticksSkipped: this.ticksSkipped,
      findings: this.findings,
      changeCapExceeded: this.changeCapExceeded,
    } = cycleInstruments(registers));
    ({
      writes: this.writes,
      awsCalls: this.awsCalls,
      notificationErrors: this.notificationErrors,
    } = callInstruments(registers));
    ({
      leader: this.leader,
      targetsHeld: this.targetsHeld,
      leaderTransitions: this.leaderTransitions,
    } = leadershipInstruments(registers));
    ({
      policyReloadErrors: this.policyReloadErrors,
      policiesValid: this.policiesValid,
      policiesLoaded: this.policiesLoaded,
    } = policyInstruments(registers));
    registerBuildInfo(registers);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Feeds every AWS call the counter sees into the calls metric and, for a cycle's clients, the
   * writes metric of their target (per-call counters carry no target: their cardinality).
   */
  observeCalls(counter: CallCounter, options: { writesOf?: () => TargetLabels }): void {
    counter.onCall(({ service, operation, outcome }) => {
      this.awsCalls.inc({ service, operation, outcome });
      if (options.writesOf && isWriteOperation(operation))
        this.writes.inc({ ...options.writesOf(), action: operation, outcome });
    });
  }

  /** A target's last completed cycle's results replace its previous cycle's in `edaguard_findings`. */
  recordReport(report: DriftReport): void {
    const target = { account: report.target.accountId, region: report.target.region };
    const counts = new Map<string, { rule: string; status: string; n: number }>();
    for (const r of report.results) {
      const key = `${r.rule}\u0000${r.status}`;
      const entry = counts.get(key) ?? { rule: r.rule, status: r.status, n: 0 };
      entry.n += 1;
      counts.set(key, entry);
    }
    const id = `${target.account}/${target.region}`;
    for (const labels of this.findingLabels.get(id) ?? []) this.findings.remove(labels);
    const next: FindingLabels[] = [];
    for (const { rule, status, n } of counts.values()) {
      const labels = { ...target, rule, status };
      this.findings.set(labels, n);
      next.push(labels);
    }
    this.findingLabels.set(id, next);
    if (report.notices?.some((n) => n.code === 'change-cap-exceeded')) this.changeCapExceeded.inc();
  }

  /** Which targets this replica holds now (`edaguard_targets_held`). */
  setTargetsHeld(held: readonly { accountId: string; region: string }[]): void {
    this.targetsHeld.reset();
    for (const t of held) this.targetsHeld.set({ account: t.accountId, region: t.region }, 1);
  }

  recordCycle(outcome: CycleOutcome, seconds: number, finishedAt: Date, target: TargetLabels): void {
    this.cycles.inc({ ...target, outcome });
    this.cycleDuration.observe({ outcome }, seconds);
    if (outcome === 'success') this.lastSuccess.set(finishedAt.getTime() / 1000);
  }

  setLeader(isLeader: boolean): void {
    this.leader.set(isLeader ? 1 : 0);
    this.leaderTransitions.inc({ to: isLeader ? 'leader' : 'follower' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function packageVersion(): string {
  try {
    // src/runtime/ and dist/runtime/ are both two levels below package.json.
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
