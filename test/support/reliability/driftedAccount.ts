/**
 * The account the fault scenarios reconcile: N drifted resources of the kinds edaguard fixes, plus
 * drifted resources no policy selects. Described as data first, so what may be written (and what
 * must not) is known independently of the controller; then seeded straight into the emulator.
 */
import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import pLimit from 'p-limit';
import { parsePolicySources } from '../../../src/policy/loader.js';
import type { PolicySet } from '../../../src/policy/model.js';
import { dlqAlarmName } from '../../../src/reconcile/rules/alarms.js';
import { redrive, type Seeder } from '../seed.js';

/** What one drifted resource needs. */
export type DriftKind =
  | 'no DLQ'
  | 'no DLQ, alarmed'
  | 'maxReceiveCount out of range'
  | 'DLQ retention too short'
  | 'visibility below its consumer'
  | 'stream mapping at AWS defaults'
  | 'async function without invoke config';

const MIX: ReadonlyArray<[DriftKind, number]> = [
  ['no DLQ', 0.2],
  ['no DLQ, alarmed', 0.1],
  ['maxReceiveCount out of range', 0.2],
  ['DLQ retention too short', 0.2],
  ['visibility below its consumer', 0.1],
  ['stream mapping at AWS defaults', 0.1],
  ['async function without invoke config', 0.1],
];

const DLQ_SUFFIX = '-dlq';
const FAILURE_SUFFIX = '-failures';
const FOURTEEN_DAYS = 1_209_600;
const ALARM_ACTION = 'arn:aws:sns:us-east-1:123456789012:reliability-oncall';
/** Functions that consume the "visibility" queues; not selected by the Lambda policy themselves. */
const CONSUMERS = 3;
const CONSUMER_TIMEOUT = 30;

export const RELIABILITY_POLICIES = `
apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: reliability-queues }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: ${DLQ_SUFFIX} }
    sqs-dlq-retention: { minSeconds: ${FOURTEEN_DAYS} }
    sqs-visibility-timeout: { lambdaTimeoutMultiple: 6 }
---
apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: reliability-alarms }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders, alarm: dlq-depth } }
  rules:
    sqs-dlq-alarm: { threshold: 0, periodSeconds: 60, evaluationPeriods: 1, alarmActions: [${ALARM_ACTION}] }
---
apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: reliability-functions }
spec:
  enforcement: enforce
  match: { resourceTypes: [lambda:function], tags: { team: orders } }
  rules:
    esm-stream-failure-handling:
      maxRetryAttempts: 3
      maxRecordAgeSeconds: 3600
      onFailure: { create: { nameSuffix: ${FAILURE_SUFFIX} } }
    lambda-async-invoke-config:
      maxRetryAttempts: 1
      maxEventAgeSeconds: 3600
      onFailure: { create: { nameSuffix: ${FAILURE_SUFFIX} } }
`;

export function reliabilityPolicies(): PolicySet {
  return parsePolicySources([{ file: 'reliability.yaml', text: RELIABILITY_POLICIES }]);
}

export interface DriftedResource {
  readonly kind: DriftKind;
  /** The queue, or the function for the Lambda kinds. */
  readonly name: string;
  /** Its seeded DLQ, for the kinds that have one. */
  readonly dlq?: string;
}

export interface DriftedAccount {
  readonly drifted: readonly DriftedResource[];
  /** Drifted queues no policy selects (another team, or opted out with the ignore tag). */
  readonly outsideQueues: readonly string[];
  /** A function no policy selects, whose stream mapping is at AWS's defaults. */
  readonly outsideFunction: string;
}

const pad = (n: number) => String(n).padStart(4, '0');

/** N drifted resources in a fixed mix (rounded; the rest are queues without a DLQ). */
export function describeDriftedAccount(n: number, prefix = 'rel'): DriftedAccount {
  const kinds: DriftKind[] = [];
  for (const [kind, share] of MIX.slice(1)) {
    for (let i = 0; i < Math.max(1, Math.round(n * share)); i++) kinds.push(kind);
  }
  while (kinds.length < n) kinds.unshift('no DLQ');
  // Interleave, so every part of the account is seeded and reconciled side by side.
  const ordered = [...kinds].sort((a, b) => a.localeCompare(b));
  const drifted = ordered.slice(0, n).map((kind, i): DriftedResource => {
    const name = `${prefix}-${pad(i)}`;
    switch (kind) {
      case 'maxReceiveCount out of range':
      case 'DLQ retention too short':
      case 'visibility below its consumer':
        return { kind, name, dlq: `${name}-own-dlq` };
      case 'stream mapping at AWS defaults':
      case 'async function without invoke config':
        return { kind, name: `${name}-fn` };
      default:
        return { kind, name };
    }
  });
  const outside = Math.max(3, Math.round(n / 10));
  return {
    drifted,
    outsideQueues: Array.from({ length: outside }, (_, i) => `${prefix}-outside-${pad(i)}`),
    outsideFunction: `${prefix}-outside-fn`,
  };
}

/** Writes the policies may make: resource names as the fault proxy records them. */
export interface SelectionNames {
  /** Queue names (selected queues, their DLQs, DLQs and failure queues edaguard creates). */
  readonly queues: ReadonlySet<string>;
  /** Mapping UUIDs of selected functions. */
  readonly mappings: ReadonlySet<string>;
  /** Function names whose event-invoke config may be written. */
  readonly functions: ReadonlySet<string>;
  readonly alarms: ReadonlySet<string>;
}

export interface SeededAccount {
  readonly account: DriftedAccount;
  readonly selection: SelectionNames;
  /** Source queue name → the DLQ name it should end up with. */
  readonly expectedDlq: ReadonlyMap<string, string>;
  /** Function names that need an on-failure queue. */
  readonly functionsNeedingDestination: readonly string[];
}

/** Seeds the account through the emulator directly (never through the fault proxy). */
export async function seedDriftedAccount(
  seed: Seeder,
  account: DriftedAccount,
  options: { concurrency?: number } = {},
): Promise<SeededAccount> {
  const limit = pLimit(options.concurrency ?? 8);
  const team = { team: 'orders' };
  const queues = new Set<string>();
  const mappings = new Set<string>();
  const functions = new Set<string>();
  const alarms = new Set<string>();
  const expectedDlq = new Map<string, string>();
  const functionsNeedingDestination: string[] = [];

  const consumerNames = Array.from(
    { length: CONSUMERS },
    (_, i) => `${account.outsideFunction}-consumer-${i}`,
  );
  // Consumers are not tagged team=orders: their mappings are read only for the visibility rule.
  await Promise.all(
    consumerNames.map((name) => limit(() => seed.fn(name, CONSUMER_TIMEOUT, { team: 'consumers' }))),
  );

  let consumerIndex = 0;
  const seedOne = async (r: DriftedResource) => {
    switch (r.kind) {
      case 'no DLQ':
      case 'no DLQ, alarmed': {
        const alarmed = r.kind === 'no DLQ, alarmed';
        await seed.queue(r.name, { tags: alarmed ? { ...team, alarm: 'dlq-depth' } : team });
        const dlq = `${r.name}${DLQ_SUFFIX}`;
        queues.add(r.name).add(dlq);
        expectedDlq.set(r.name, dlq);
        if (alarmed) alarms.add(dlqAlarmName(dlq));
        return;
      }
      case 'maxReceiveCount out of range':
      case 'DLQ retention too short':
      case 'visibility below its consumer': {
        const dlqName = r.dlq as string;
        const shortRetention = r.kind === 'DLQ retention too short';
        const dlq = await seed.queue(dlqName, {
          attributes: { MessageRetentionPeriod: String(shortRetention ? 345_600 : FOURTEEN_DAYS) },
        });
        const maxReceive = r.kind === 'maxReceiveCount out of range' ? 50 : 3;
        const visibility = r.kind === 'visibility below its consumer' ? CONSUMER_TIMEOUT : 30;
        const queue = await seed.queue(r.name, {
          attributes: { RedrivePolicy: redrive(dlq.arn, maxReceive), VisibilityTimeout: String(visibility) },
          tags: team,
        });
        if (r.kind === 'visibility below its consumer') {
          await seed.mapQueue(queue.arn, consumerNames[consumerIndex++ % CONSUMERS] as string);
        }
        queues.add(r.name).add(dlqName);
        expectedDlq.set(r.name, dlqName);
        return;
      }
      case 'stream mapping at AWS defaults': {
        await seed.fn(r.name, 10, team);
        const stream = await seed.kinesisStream(`${r.name}-stream`);
        mappings.add(await seed.mapStream(stream, r.name));
        queues.add(`${r.name}${FAILURE_SUFFIX}`);
        functionsNeedingDestination.push(r.name);
        return;
      }
      case 'async function without invoke config': {
        const arn = await seed.fn(r.name, 10, team);
        await seed.snsToLambda(`${r.name}-topic`, arn);
        functions.add(r.name);
        queues.add(`${r.name}${FAILURE_SUFFIX}`);
        functionsNeedingDestination.push(r.name);
        return;
      }
    }
  };
  await Promise.all(account.drifted.map((r) => limit(() => seedOne(r))));

  // Outside the selection: drifted the same ways, and never to be written.
  await Promise.all(
    account.outsideQueues.map((name, i) =>
      limit(() =>
        seed.queue(name, {
          tags: i % 3 === 0 ? { ...team, 'edaguard.dev/ignore': 'true' } : { team: 'payments' },
        }),
      ),
    ),
  );
  await seed.fn(account.outsideFunction, 10, { team: 'payments' });
  const outsideStream = await seed.kinesisStream(`${account.outsideFunction}-stream`);
  await seed.lambda.send(
    new CreateEventSourceMappingCommand({
      EventSourceArn: outsideStream,
      FunctionName: account.outsideFunction,
      StartingPosition: 'LATEST',
    }),
  );
  return {
    account,
    selection: { queues, mappings, functions, alarms },
    expectedDlq,
    functionsNeedingDestination,
  };
}
