/** The bench's assertions: what must hold for a run to pass. */
import type { Action } from '../../src/reconcile/model.js';
import type { DriftSummary } from '../../src/report/driftReport.js';
import { callsOf, type Totals, totals } from './callRows.js';
import type { Expected } from './expectations.js';
import { perSec, ratio, secs } from './format.js';
import { FIRST_RECONCILE_READ_BOUND, READ_BOUND } from './parameters.js';
import type { Check, PhaseOutcome } from './report.js';

export interface CheckInput {
  /** plan, reconcile #1, reconcile #2, in that order. */
  phases: PhaseOutcome[];
  expected: Expected;
  /** The writes the plan phase planned. */
  planned: readonly Action[];
  planReadErrors: number;
  /** Lambda requests per second the controller was allowed. */
  rps: number;
}

export function checksFor(input: CheckInput): Check[] {
  const { phases, expected, planned, planReadErrors, rps } = input;
  const firstO = phases[1] as PhaseOutcome;
  const first = firstO.summary as DriftSummary;
  const second = (phases[2] as PhaseOutcome).summary as DriftSummary;
  const [planT, firstT, secondT] = phases.map((p) => totals(p.rows)) as [Totals, Totals, Totals];
  const plannedOf = (kind: string) => planned.filter((a) => a.kind === kind).length;
  return [
    {
      name: 'reconcile #2 makes zero writes',
      ok: secondT.writes === 0,
      detail: `${secondT.writes} write calls`,
    },
    {
      name: `reconcile #2 reads ≤ ${READ_BOUND} × minimum (on moto)`,
      ok: secondT.reads <= READ_BOUND * secondT.minReads,
      detail: `${secondT.reads} reads, minimum ${secondT.minReads}, bound ${Math.floor(READ_BOUND * secondT.minReads)} (${ratio(secondT.reads, secondT.minReads)})`,
    },
    {
      name: `reconcile #2 reads ≤ ${READ_BOUND} × minimum (with AWS page sizes)`,
      ok: secondT.readsOnAws <= READ_BOUND * secondT.minReads,
      detail: `${secondT.readsOnAws} reads, minimum ${secondT.minReads} (${ratio(secondT.readsOnAws, secondT.minReads)})`,
    },
    {
      name: `reconcile #1 reads ≤ ${FIRST_RECONCILE_READ_BOUND} × minimum (on moto; issue #15)`,
      ok: firstT.reads <= FIRST_RECONCILE_READ_BOUND * firstT.minReads,
      detail: `${firstT.reads} reads, minimum ${firstT.minReads} (${ratio(firstT.reads, firstT.minReads)}); ${firstT.readsOnAws} with AWS page sizes (${ratio(firstT.readsOnAws, firstT.minReads)})`,
    },
    {
      name: 'reconcile #1 SQS writes = changes needed',
      ok:
        callsOf(firstO.rows, 'SQS.CreateQueue') === expected.createDlq + expected.failureQueues &&
        callsOf(firstO.rows, 'SQS.SetQueueAttributes') === expected.setQueueAttributes,
      detail:
        `CreateQueue ${callsOf(firstO.rows, 'SQS.CreateQueue')} (needed ${expected.createDlq} DLQs + ${expected.failureQueues} on-failure queues), ` +
        `SetQueueAttributes ${callsOf(firstO.rows, 'SQS.SetQueueAttributes')} (needed ${expected.setQueueAttributes})`,
    },
    {
      name: 'reconcile #1 Lambda writes = one per drifted finding (the design)',
      ok:
        callsOf(firstO.rows, 'Lambda.UpdateEventSourceMapping') === expected.mappingUpdates &&
        callsOf(firstO.rows, 'Lambda.PutFunctionEventInvokeConfig') === expected.putInvokeConfigs,
      detail:
        `UpdateEventSourceMapping ${callsOf(firstO.rows, 'Lambda.UpdateEventSourceMapping')} (design ${expected.mappingUpdates}, minimum ${expected.mappingsToUpdate} mappings), ` +
        `PutFunctionEventInvokeConfig ${callsOf(firstO.rows, 'Lambda.PutFunctionEventInvokeConfig')} (needed ${expected.putInvokeConfigs})`,
    },
    {
      name: 'reconcile #1 CloudWatch writes = alarms needed',
      ok: callsOf(firstO.rows, 'CloudWatch.PutMetricAlarm') === expected.iteratorAlarms,
      detail: `PutMetricAlarm ${callsOf(firstO.rows, 'CloudWatch.PutMetricAlarm')} (needed ${expected.iteratorAlarms})`,
    },
    {
      name: 'plan makes zero writes and plans exactly the needed changes',
      ok: planT.writes === 0 && planned.length === expected.writes && planReadErrors === 0,
      detail:
        `${planT.writes} write calls, ${planned.length} writes planned (needed ${expected.writes}: CreateQueue ${plannedOf('CreateQueue')}, ` +
        `SetQueueAttributes ${plannedOf('SetQueueAttributes')}, UpdateEventSourceMapping ${plannedOf('UpdateEventSourceMapping')}, ` +
        `PutFunctionEventInvokeConfig ${plannedOf('PutFunctionEventInvokeConfig')}, PutMetricAlarm ${plannedOf('PutMetricAlarm')}), ${planReadErrors} read errors`,
    },
    {
      name: 'reconcile #1 fixes everything (no failed, deferred or remaining drift)',
      ok: first.failed + first.deferred + first.drifted === 0,
      detail: `failed ${first.failed}, deferred ${first.deferred}, drifted ${first.drifted}, fixed ${first.fixed}, tickets ${first.tickets}`,
    },
    {
      name: 'reconcile #2 finds the account converged (only the expected tickets remain)',
      ok:
        second.failed + second.deferred + second.drifted === 0 &&
        second.fixed === 0 &&
        second.tickets === expected.ticketMappings,
      detail: `fixed ${second.fixed}, drifted ${second.drifted}, failed ${second.failed}, deferred ${second.deferred}, tickets ${second.tickets} (expected ${expected.ticketMappings})`,
    },
    ...phases.map(
      (p): Check => ({
        name: `${p.result.name}: Lambda requests started in any 1 s ≤ ${rps} (lambdaRequestsPerSecond)`,
        ok: p.rate.maxStarted.count <= rps,
        detail:
          `max ${p.rate.maxStarted.count} in the second from ${secs(p.rate.maxStarted.from)}; ${p.rate.requests} requests in ${secs(p.rate.spanMs)} ` +
          `(${perSec(p.rate.requests, p.rate.spanMs)} over the Lambda span, ${perSec(p.rate.calls, p.rate.wallMs)} over the phase)`,
      }),
    ),
  ];
}

/** Calls that differ from what the design makes are reported, not asserted: they are findings. */
export function notesFor(phases: readonly PhaseOutcome[]): string[] {
  return phases.flatMap((p) =>
    p.rows
      .filter((r) => r.calls !== r.expected)
      .map((r) => `${p.result.name}: ${r.operation} ${r.calls} calls, design expects ${r.expected}`),
  );
}
