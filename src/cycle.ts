import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type ApplyOptions, applyPlan } from './apply/apply.js';
import type { AwsClients } from './aws/clients.js';
import type { RuntimeSettings } from './config/runtime.js';
import { discover } from './discovery/discover.js';
import type { Inventory } from './discovery/inventory.js';
import type { PolicySet } from './policy/model.js';
import { checkChangeCap } from './reconcile/changeCap.js';
import { findingsToFix, guardFlapping } from './reconcile/flapping.js';
import { findingKey, type Plan } from './reconcile/model.js';
import { plan } from './reconcile/plan.js';
import { buildDriftReport, type DriftReport, type ReportNotice } from './report/driftReport.js';
import type { FixHistoryStore } from './state/fixHistory.js';

export interface CycleOptions {
  settings: RuntimeSettings;
  dryRun: boolean;
  logger: Logger;
  now?: () => Date;
  /** Stops the cycle between writes (shutdown, cycle timeout); see ApplyOptions.signal. */
  signal?: AbortSignal;
  /** The leader lease's fencing check, before every write; see ApplyOptions.beforeWrite. */
  beforeWrite?: ApplyOptions['beforeWrite'];
  /** Past fixes, to stop fixing what something else keeps reverting (flapping). */
  fixHistory?: FixHistoryStore;
}

/** Read, then plan: what `edaguard plan` shows. No write. */
export async function discoverAndPlan(
  policySet: PolicySet,
  aws: AwsClients,
  options: Pick<CycleOptions, 'settings' | 'logger' | 'now' | 'signal'>,
): Promise<{ inventory: Inventory; plan: Plan }> {
  const inventory = await discover(policySet, aws, {
    region: options.settings.region,
    readConcurrency: options.settings.readConcurrency,
    ...(options.settings.endpoint ? { endpoint: options.settings.endpoint } : {}),
    ...(options.now ? { now: options.now } : {}),
    // The cycle's deadline also bounds the requeued reads.
    ...(options.signal ? { signal: options.signal } : {}),
    logger: options.logger,
  });
  // Waivers are judged on the cycle's day.
  const day = (options.now ?? (() => new Date()))();
  return { inventory, plan: plan(policySet, inventory, { now: day }) };
}

/** One reconcile cycle: discover → plan → apply → report. */
export async function runCycle(
  policySet: PolicySet,
  aws: AwsClients,
  options: CycleOptions,
): Promise<DriftReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const logger = options.logger.child({ cycleId: randomUUID() });
  const before = new Map(
    aws.counter.snapshot().map((c) => [`${c.service}.${c.operation}.${c.outcome}`, c.count]),
  );
  const planned = await discoverAndPlan(policySet, aws, { ...options, logger });
  const { inventory } = planned;
  const flapping = {
    maxFixes: options.settings.flapMaxFixes,
    windowSeconds: options.settings.flapWindowSeconds,
  };
  const history = options.fixHistory;
  const toFix = history ? findingsToFix(planned.plan).map(findingKey) : [];
  const past =
    history && toFix.length > 0 ? await history.load(inventory.target, toFix) : new Map<string, number[]>();
  const cyclePlan = history ? guardFlapping(planned.plan, past, now().getTime(), flapping) : planned.plan;
  logger.info(
    {
      queuesRead: inventory.queues.size,
      findings: cyclePlan.findings.length,
      readErrors: inventory.readErrors.length,
    },
    'planned',
  );
  // The change cap is checked on the whole plan before any write: all or nothing for the cycle.
  // The schedule holds every write back; the report says why.
  const notices: ReportNotice[] = [];
  const cap = checkChangeCap(cyclePlan, options.settings.maxChangePercent);
  if (cap.exceeded) {
    const { message, ...counts } = cap;
    logger.error({ decision: 'held-back', changeCap: counts }, message);
    notices.push({ code: 'change-cap-exceeded', message, details: counts });
  }
  const results = await applyPlan(cyclePlan, aws, {
    dryRun: options.dryRun,
    maxChanges: options.settings.maxChanges,
    maxChangePercent: options.settings.maxChangePercent,
    concurrency: options.settings.applyConcurrency,
    verifyAttempts: options.settings.verifyAttempts,
    verifyDelayMs: options.settings.verifyDelayMs,
    eventualWrites: options.settings.sqsVerification,
    ...(options.settings.endpoint ? { endpoint: options.settings.endpoint } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.beforeWrite ? { beforeWrite: options.beforeWrite } : {}),
    inventory,
    logger,
  });
  const fixed = results.filter((r) => r.status === 'fixed').map((r) => findingKey(r.finding));
  if (history && fixed.length > 0) {
    try {
      await history.record(inventory.target, fixed, now().getTime(), flapping.windowSeconds, past);
    } catch (error) {
      // Losing one cycle's history delays flapping detection; it must not fail the cycle.
      logger.error({ err: (error as Error).message }, 'could not record fix history');
    }
  }
  const awsCalls = aws.counter
    .snapshot()
    .map((c) => ({ ...c, count: c.count - (before.get(`${c.service}.${c.operation}.${c.outcome}`) ?? 0) }))
    .filter((c) => c.count > 0);
  const report = buildDriftReport({
    target: inventory.target,
    startedAt,
    finishedAt: now(),
    dryRun: options.dryRun,
    results,
    awsCalls,
    notices,
    ...(inventory.dlqSources ? { discovery: { dlqSources: inventory.dlqSources } } : {}),
  });
  logger.info({ summary: report.summary }, 'cycle finished');
  return report;
}
