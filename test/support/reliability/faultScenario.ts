/**
 * One fault-injection scenario: seed a drifted account, reconcile it in-process through the fault
 * proxy until a cycle finds nothing to do (or a cycle cap), then, with faults off, check what was
 * left behind: converged, no duplicate DLQ/alarm/destination, nothing written outside the
 * selection, every write that reached the emulator in the audit log, no acknowledged write lost.
 */
import { performance } from 'node:perf_hooks';
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  GetEventSourceMappingCommand,
  GetFunctionEventInvokeConfigCommand,
  type GetFunctionEventInvokeConfigCommandOutput,
} from '@aws-sdk/client-lambda';
import { GetResourcesCommand, type ResourceTagMapping } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type AwsClients, builtServices, createAwsClients, SERVICE_NAMES } from '../../../src/aws/clients.js';
import type { RetryTiming } from '../../../src/aws/retry.js';
import { type RuntimeSettings, resolveRuntimeSettings } from '../../../src/config/runtime.js';
import { discoverAndPlan, runCycle } from '../../../src/cycle.js';
import { TAGS } from '../../../src/policy/schema.js';
import type { Plan } from '../../../src/reconcile/model.js';
import { type DriftResult, type DriftSummary, reportExitCode } from '../../../src/report/driftReport.js';
import { type FaultKind, type ForwardedWrite, startFaultProxy } from '../faultProxy.js';
import { ACCOUNT, createSeeder } from '../seed.js';
import { auditRecorder } from './auditRecorder.js';
import {
  describeDriftedAccount,
  reliabilityPolicies,
  type SeededAccount,
  seedDriftedAccount,
} from './driftedAccount.js';
import type { ReliabilityRow } from './row.js';

export interface FaultScenarioOptions {
  /** The emulator, reached directly for seeding and the final checks. */
  readonly endpoint: string;
  /** Name in the report, e.g. `throttling`, `mixed`. */
  readonly fault: string;
  readonly kinds: readonly FaultKind[];
  /** Fault rate for every operation, in [0, 1]. */
  readonly rate: number;
  readonly resources: number;
  readonly seed: number;
  /** Cycles after which the scenario gives up (not converged). */
  readonly maxCycles: number;
  /** The controller's request timeout; `slow` answers are held twice as long. */
  readonly requestTimeoutMs?: number;
  readonly maxAttempts?: number;
  readonly retryTiming?: RetryTiming;
  /** Resource name prefix (distinct per scenario when the emulator is not reset in between). */
  readonly prefix?: string;
  readonly log?: (line: string) => void;
  /**
   * Go on after the cycle that converged until one exits 0 (no drift, nothing failed, no read
   * error, no ticket), within maxCycles. Default: stop at the converged cycle.
   */
  readonly untilCleanExit?: boolean;
}

/** What the scenario measured, beyond the row: for tests and the script's details. */
export interface FaultScenarioResult {
  readonly row: ReliabilityRow;
  readonly cycles: readonly CycleOutcome[];
  /** Faults injected per kind. */
  readonly faults: Readonly<Record<string, number>>;
  /** Writes that reached the emulator but are in no audit line of their cycle. */
  readonly unaudited: readonly string[];
  readonly outside: readonly string[];
  readonly duplicateDetails: readonly string[];
  readonly lost: readonly string[];
  /** Findings still drifted (or unreadable) in the final plan, with faults off. */
  readonly finalDrift: readonly string[];
  /** The first cycle (1-based) that converged; undefined when none did. */
  readonly convergedAtCycle?: number;
  /** The first cycle (1-based) whose report's exit code was 0; undefined when none was. */
  readonly firstCleanExitCycle?: number;
}

export interface CycleOutcome {
  readonly summary?: DriftSummary;
  /** Resources the cycle could not read (each a `failed` result of rule `read-error`). */
  readonly readErrors?: number;
  /**
   * The cycle planned no drift (nothing fixed, deferred, drifted or failed but read errors) and
   * the account, read with faults off, had none either.
   */
  readonly converged?: boolean;
  /** The cycle failed as a whole (e.g. the tag query failed after every retry). */
  readonly error?: string;
  /** What `edaguard run --once` would exit with after this cycle (reportExitCode). */
  readonly exitCode?: 0 | 1 | 3;
  readonly writesReachingEmulator: number;
  /**
   * The SDK retry quota left after the cycle, per service client that has one below its initial
   * 500 tokens (the standard retry mode stops retrying when it is spent: 5 tokens per retry after a
   * throttle or 5xx, 10 after a timeout or dropped connection, 1 back per first-try success).
   */
  readonly retryQuota: Readonly<Record<string, number>>;
}

/**
 * A cycle planned no drift: nothing fixed, deferred or drifted, and nothing failed except reads.
 * Read errors are excluded because with hundreds of per-resource reads a few may fail after every
 * retry and requeued round in a cycle (p^k each): they say nothing about drift, and the faults-off plan
 * that must follow decides whether the account really is converged.
 */
function plannedNoDrift(results: readonly DriftResult[]): boolean {
  return results.every(
    (r) =>
      r.status === 'pass' ||
      r.status === 'ticket' ||
      r.status === 'skipped' ||
      (r.status === 'failed' && r.rule === 'read-error'),
  );
}

const driftOf = (plan: Plan) =>
  plan.findings
    .filter((f) => f.status === 'drift' || f.status === 'error' || f.status === 'busy')
    .map((f) => `${f.rule} ${f.resource}: ${f.message}`);

export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultScenarioResult> {
  const log = options.log ?? (() => {});
  const requestTimeoutMs = options.requestTimeoutMs ?? 1_000;
  const seeder = createSeeder(options.endpoint);
  const proxy = await startFaultProxy(options.endpoint, {
    seed: options.seed,
    rules: [],
    slowDelayMs: requestTimeoutMs * 2,
  });
  const settings: RuntimeSettings = {
    ...resolveRuntimeSettings({}, { ...process.env, AWS_REGION: 'us-east-1' }),
    endpoint: proxy.url,
    maxAttempts: options.maxAttempts ?? 3,
    requestTimeoutMs,
    // Every write of the account fits one cycle: the budget must not be what spreads the work.
    maxChanges: 100_000,
    lambdaRequestsPerSecond: 15,
    verifyDelayMs: 20,
  };
  const aws = createAwsClients({
    ...settings,
    ...(options.retryTiming ? { retryTiming: options.retryTiming } : {}),
  });
  const direct = createAwsClients({ ...settings, endpoint: options.endpoint, requestTimeoutMs: 30_000 });
  const directSettings = { ...settings, endpoint: options.endpoint };
  const quiet = auditRecorder('error').logger;
  const policySet = reliabilityPolicies();
  try {
    const account = describeDriftedAccount(options.resources, options.prefix ?? 'rel');
    const seeded = await seedDriftedAccount(seeder, account);
    log(
      `  seeded ${options.resources} drifted resources (+${account.outsideQueues.length + 1} outside the selection)`,
    );

    // moto loads a service on its first call (seconds for the tagging API): not a fault to measure.
    await direct.tagging.send(new GetResourcesCommand({}));
    proxy.setRules([{ rate: options.rate, kinds: options.kinds }]);
    const started = performance.now();
    const cycles: CycleOutcome[] = [];
    const unaudited: string[] = [];
    while (cycles.length < options.maxCycles) {
      const recorder = auditRecorder('info');
      const before = proxy.writes.length;
      let outcome: CycleOutcome;
      try {
        const report = await runCycle(policySet, aws, { settings, dryRun: false, logger: recorder.logger });
        // Faults off for the check, straight to the emulator: is the account really converged?
        const converged =
          plannedNoDrift(report.results) &&
          driftOf(
            (await discoverAndPlan(policySet, direct, { settings: directSettings, logger: quiet })).plan,
          ).length === 0;
        outcome = {
          summary: report.summary,
          readErrors: report.results.filter((r) => r.rule === 'read-error').length,
          converged,
          exitCode: reportExitCode(report),
          writesReachingEmulator: proxy.writes.length - before,
          retryQuota: await retryQuotas(aws),
        };
      } catch (error) {
        const e = error as { name?: string; message?: string };
        outcome = {
          error: `${e.name}: ${e.message}`,
          writesReachingEmulator: proxy.writes.length - before,
          retryQuota: await retryQuotas(aws),
        };
      }
      cycles.push(outcome);
      unaudited.push(...unauditedWrites(proxy.writes.slice(before), recorder.lines()));
      const s = outcome.summary;
      log(
        `  cycle ${cycles.length}: ${s ? `fixed ${s.fixed}, failed ${s.failed} (${outcome.readErrors} unreadable), deferred ${s.deferred}, drifted ${s.drifted}, exit ${outcome.exitCode}` : outcome.error}; ` +
          `${outcome.writesReachingEmulator} writes reached the emulator` +
          (Object.keys(outcome.retryQuota).length > 0
            ? `; retry quota ${JSON.stringify(outcome.retryQuota)}`
            : ''),
      );
      const done = options.untilCleanExit
        ? cycles.some((c) => c.converged) && outcome.exitCode === 0
        : outcome.converged;
      if (done) break;
    }
    const wallSeconds = (performance.now() - started) / 1000;
    proxy.setRules([]);

    // With faults off, through the emulator directly: what is the account like now?
    const finalDrift = driftOf(
      (await discoverAndPlan(policySet, direct, { settings: directSettings, logger: quiet })).plan,
    );
    const outside = outsideSelection(proxy.writes, seeded);
    const duplicateDetails = await findDuplicates(direct, seeded, options.endpoint);
    const lost = await lostUpdates(direct, proxy.writes, options.endpoint);
    const firstClean = cycles.findIndex((c) => c.converged);
    const firstCleanExit = cycles.findIndex((c) => c.exitCode === 0);
    const converged = firstClean >= 0 && finalDrift.length === 0;
    const faults: Record<string, number> = {};
    for (const f of proxy.faults) faults[f.kind] = (faults[f.kind] ?? 0) + 1;
    const row: ReliabilityRow = {
      fault: options.fault,
      rate: `${Math.round(options.rate * 100)} %`,
      resources: options.resources,
      // Cycles that had work to do before the first cycle that found none.
      cyclesToConverge: firstClean >= 0 ? firstClean : cycles.length,
      writes: proxy.writes.length,
      duplicates: duplicateDetails.length,
      lostUpdates: lost.length + unaudited.length,
      outsideSelection: outside.length,
      converged,
      ...(firstClean >= 0 ? { convergedAtCycle: firstClean + 1 } : {}),
      ...(firstCleanExit >= 0 ? { firstCleanExitCycle: firstCleanExit + 1 } : {}),
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      notes:
        `${proxy.faults.length} faults injected (${Object.entries(faults)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}); ${cycles.filter((c) => c.error).length} cycles failed as a whole` +
        (unaudited.length > 0 ? `; ${unaudited.length} writes missing from the audit log` : ''),
    };
    return {
      row,
      cycles,
      faults,
      unaudited,
      outside,
      duplicateDetails,
      lost,
      finalDrift,
      ...(row.convergedAtCycle !== undefined ? { convergedAtCycle: row.convergedAtCycle } : {}),
      ...(row.firstCleanExitCycle !== undefined ? { firstCleanExitCycle: row.firstCleanExitCycle } : {}),
    };
  } finally {
    aws.destroy();
    direct.destroy();
    seeder.destroy();
    await proxy.close();
  }
}

/** What is left of each client's SDK retry quota (only those below the initial 500). */
async function retryQuotas(aws: AwsClients): Promise<Record<string, number>> {
  const quotas: Record<string, number> = {};
  // Only the clients the run built (the others were never loaded).
  for (const key of builtServices(aws) ?? []) {
    const service = SERVICE_NAMES[key];
    const client = aws[key];
    const strategy = (await client.config.retryStrategy()) as { getCapacity?: () => number };
    const capacity = strategy.getCapacity?.();
    if (capacity !== undefined && capacity < 500) quotas[service] = capacity;
  }
  return quotas;
}

/** The name a write's audit line uses for its resource (describeAction's second word). */
function auditName(w: ForwardedWrite): string {
  // Lambda paths carry the function ARN; the audit line names the function.
  return w.resource.includes(':') ? (w.resource.split(':').pop() ?? w.resource) : w.resource;
}

/**
 * Every write that reached the emulator must have an audit line of its cycle naming the same
 * operation and resource, with `decision: write` (acknowledged, or failed/deferred when the
 * controller saw an error: a slow or dropped answer shows up here as an attempted write).
 */
export function unauditedWrites(
  writes: readonly ForwardedWrite[],
  lines: readonly Record<string, unknown>[],
): string[] {
  const audited = new Set(
    lines
      .filter((l) => l.decision === 'write' && typeof l.write === 'string')
      .map((l) => (l.write as string).split(' ').slice(0, 2).join(' ')),
  );
  const missing = new Set<string>();
  for (const w of writes) {
    const key = `${w.operation} ${auditName(w)}`;
    if (!audited.has(key)) missing.add(key);
  }
  return [...missing];
}

function outsideSelection(writes: readonly ForwardedWrite[], seeded: SeededAccount): string[] {
  const { queues, mappings, functions, alarms } = seeded.selection;
  return writes
    .filter((w) => {
      switch (w.operation) {
        case 'CreateQueue':
        case 'SetQueueAttributes':
          return !queues.has(w.resource);
        case 'UpdateEventSourceMapping':
          return !mappings.has(w.resource);
        case 'PutFunctionEventInvokeConfig':
          return !functions.has(auditName(w));
        case 'PutMetricAlarm':
          return !alarms.has(w.resource);
        default:
          return true;
      }
    })
    .map((w) => `${w.service}.${w.operation} ${w.resource}`);
}

async function managedResources(aws: ReturnType<typeof createAwsClients>): Promise<ResourceTagMapping[]> {
  const all: ResourceTagMapping[] = [];
  let token: string | undefined;
  do {
    const page = await aws.tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: TAGS.managedBy, Values: ['edaguard'] }],
        ...(token ? { PaginationToken: token } : {}),
      }),
    );
    all.push(...(page.ResourceTagMappingList ?? []));
    token = page.PaginationToken || undefined;
  } while (token);
  return all;
}

async function allAlarms(aws: ReturnType<typeof createAwsClients>): Promise<MetricAlarm[]> {
  const all: MetricAlarm[] = [];
  let token: string | undefined;
  do {
    const page = await aws.cloudwatch.send(new DescribeAlarmsCommand(token ? { NextToken: token } : {}));
    all.push(...(page.MetricAlarms ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}

/** More than one DLQ per source, failure queue per function, or alarm per DLQ: each extra one. */
export async function findDuplicates(
  aws: ReturnType<typeof createAwsClients>,
  seeded: SeededAccount,
  endpoint: string,
): Promise<string[]> {
  const found: string[] = [];
  const count = (groups: Map<string, string[]>, what: string) => {
    for (const [key, members] of groups) {
      if (members.length > 1) found.push(`${members.length} ${what} for ${key}: ${members.join(', ')}`);
    }
  };
  const byTag = (resources: ResourceTagMapping[], key: string) => {
    const groups = new Map<string, string[]>();
    for (const r of resources) {
      const value = r.Tags?.find((t) => t.Key === key)?.Value;
      if (value) groups.set(value, [...(groups.get(value) ?? []), r.ResourceARN ?? '?']);
    }
    return groups;
  };
  const managed = await managedResources(aws);
  count(byTag(managed, TAGS.dlqFor), 'DLQs');
  count(byTag(managed, TAGS.failureDestinationFor), 'on-failure queues');
  const alarmGroups = new Map<string, string[]>();
  for (const alarm of await allAlarms(aws)) {
    const dims = (alarm.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',');
    const key = `${alarm.Namespace}/${alarm.MetricName} ${dims}`;
    alarmGroups.set(key, [...(alarmGroups.get(key) ?? []), alarm.AlarmName ?? '?']);
  }
  count(alarmGroups, 'alarms');
  // Each source queue has exactly the DLQ it should have (a second one would also show above).
  for (const [source, dlq] of seeded.expectedDlq) {
    const attrs = await aws.sqs
      .send(
        new GetQueueAttributesCommand({
          QueueUrl: `${endpoint}/${ACCOUNT}/${source}`,
          AttributeNames: ['RedrivePolicy'],
        }),
      )
      .then((o) => o.Attributes ?? {});
    const target = attrs.RedrivePolicy
      ? (JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn
      : undefined;
    if (target && !target.endsWith(`:${dlq}`)) found.push(`${source} redrives to ${target}, expected ${dlq}`);
  }
  return found;
}

/**
 * Writes the emulator acknowledged to the controller (2xx, answer delivered) whose values are not
 * in the account at the end: an update something (the controller itself, a retry) lost.
 */
async function lostUpdates(
  aws: ReturnType<typeof createAwsClients>,
  writes: readonly ForwardedWrite[],
  endpoint: string,
): Promise<string[]> {
  const lost: string[] = [];
  const acknowledged = writes.filter((w) => !w.answerLost && w.status >= 200 && w.status < 300);
  for (const w of acknowledged) {
    const body = JSON.parse(w.body || '{}') as Record<string, unknown>;
    const what = `${w.operation} ${w.resource}`;
    try {
      switch (w.operation) {
        case 'CreateQueue':
        case 'SetQueueAttributes': {
          const wanted = (body.Attributes ?? {}) as Record<string, string>;
          const out = await aws.sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: `${endpoint}/${ACCOUNT}/${w.resource}`,
              AttributeNames: Object.keys(wanted) as never,
            }),
          );
          const have: Record<string, string> = out.Attributes ?? {};
          const differs = Object.keys(wanted).filter((k) => !sameAttribute(k, wanted[k], have[k]));
          if (differs.length > 0) lost.push(`${what}: ${differs.join(', ')} not as written`);
          break;
        }
        case 'UpdateEventSourceMapping': {
          const m = await aws.lambda.send(new GetEventSourceMappingCommand({ UUID: w.resource }));
          const differs = Object.entries(body).filter(
            ([k, v]) => JSON.stringify((m as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v),
          );
          if (differs.length > 0) lost.push(`${what}: ${differs.map(([k]) => k).join(', ')} not as written`);
          break;
        }
        case 'PutFunctionEventInvokeConfig': {
          const c: GetFunctionEventInvokeConfigCommandOutput = await aws.lambda.send(
            new GetFunctionEventInvokeConfigCommand({ FunctionName: w.resource }),
          );
          const differs = Object.entries(body).filter(
            ([k, v]) => JSON.stringify((c as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v),
          );
          if (differs.length > 0) lost.push(`${what}: ${differs.map(([k]) => k).join(', ')} not as written`);
          break;
        }
        case 'PutMetricAlarm': {
          const out = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [w.resource] }));
          const alarm = out.MetricAlarms?.[0];
          if (!alarm || alarm.Threshold !== body.Threshold) lost.push(`${what}: missing or changed`);
          break;
        }
      }
    } catch (error) {
      lost.push(`${what}: ${(error as Error).name}`);
    }
  }
  return lost;
}

function sameAttribute(name: string, wanted: string | undefined, have: string | undefined): boolean {
  if (wanted === have) return true;
  if (name === 'RedrivePolicy' && wanted && have) {
    const a = JSON.parse(wanted) as Record<string, unknown>;
    const b = JSON.parse(have) as Record<string, unknown>;
    return (
      String(a.deadLetterTargetArn) === String(b.deadLetterTargetArn) &&
      String(a.maxReceiveCount) === String(b.maxReceiveCount)
    );
  }
  return false;
}
