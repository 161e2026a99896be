/**
 * The account the crash scenario kills the controller in: drifted queues, DLQs and a stream
 * mapping whose fixes create queues (DLQs, an on-failure destination), set attributes, update a
 * mapping and put alarms; plus untagged queues that must never be written. Seeded through the
 * real SDK, deterministically from the number of drifted resources, so every kill point starts
 * from the same account.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { TAGS } from '../../../src/policy/schema.js';
import { redrive, type Seeder } from '../seed.js';

export const CRASH_TEAM = 'crash';
/** Queues no policy selects (untagged, drifted): a write naming one is outside the selection. */
export const UNSELECTED_PREFIX = 'crash-other-';

/** The drifted situations, in seeding order; resource i is of kind i mod 6. */
export const DRIFT_KINDS = [
  'no DLQ',
  'FIFO without DLQ',
  'maxReceiveCount 50',
  'DLQ keeps 4 days',
  'visibility shorter than the consumer',
  'stream mapping with AWS defaults',
] as const;

const POLICIES = {
  'crash-sqs.yaml': `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata:
  name: crash-sqs
spec:
  enforcement: enforce
  match:
    resourceTypes: [sqs:queue]
    tags: { team: ${CRASH_TEAM} }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
    sqs-dlq-retention:
      minSeconds: 1209600
    sqs-visibility-timeout:
      lambdaTimeoutMultiple: 6
    sqs-dlq-alarm:
      threshold: 0
      periodSeconds: 60
      evaluationPeriods: 1
      alarmActions: [arn:aws:sns:us-east-1:123456789012:crash-oncall]
`,
  'crash-lambda.yaml': `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata:
  name: crash-lambda
spec:
  enforcement: enforce
  match:
    resourceTypes: [lambda:function]
    tags: { team: ${CRASH_TEAM} }
  rules:
    esm-stream-failure-handling:
      maxRetryAttempts: 3
      maxRecordAgeSeconds: 3600
      onFailure: { create: { nameSuffix: -failures } }
`,
};

/** Writes the scenario's policies into a fresh temporary directory. */
export async function crashPolicyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-crash-'));
  for (const [file, text] of Object.entries(POLICIES)) await writeFile(path.join(dir, file), text);
  return dir;
}

export const sourceQueueName = (i: number) => (i % 6 === 1 ? `crash-${i}.fifo` : `crash-${i}`);

/** Seeds `resources` drifted resources (kinds in DRIFT_KINDS order) and two unselected queues. */
export async function seedCrashAccount(seed: Seeder, resources: number): Promise<void> {
  const team = { team: CRASH_TEAM };
  const compliantDlq = (name: string) =>
    seed.queue(name, { attributes: { MessageRetentionPeriod: '1209600' } });
  const one = async (i: number) => {
    const name = sourceQueueName(i);
    switch (DRIFT_KINDS[i % DRIFT_KINDS.length]) {
      case 'no DLQ':
      case 'FIFO without DLQ':
        await seed.queue(name, { tags: team });
        return;
      case 'maxReceiveCount 50': {
        const dlq = await compliantDlq(`${name}-dlq`);
        await seed.queue(name, { attributes: { RedrivePolicy: redrive(dlq.arn, 50) }, tags: team });
        return;
      }
      case 'DLQ keeps 4 days': {
        const dlq = await seed.queue(`${name}-dlq`, { attributes: { MessageRetentionPeriod: '345600' } });
        await seed.queue(name, { attributes: { RedrivePolicy: redrive(dlq.arn, 3) }, tags: team });
        return;
      }
      case 'visibility shorter than the consumer': {
        const dlq = await compliantDlq(`${name}-dlq`);
        const queue = await seed.queue(name, {
          attributes: { RedrivePolicy: redrive(dlq.arn, 3), VisibilityTimeout: '30' },
          tags: team,
        });
        await seed.fn(`${name}-consumer`, 60);
        await seed.mapQueue(queue.arn, `${name}-consumer`);
        return;
      }
      case 'stream mapping with AWS defaults': {
        const stream = await seed.kinesisStream(`${name}-stream`);
        await seed.fn(`${name}-fn`, 30, team);
        await seed.mapStream(stream, `${name}-fn`);
        return;
      }
    }
  };
  for (let i = 0; i < resources; i++) await one(i);
  for (const j of [0, 1])
    await seed.queue(`${UNSELECTED_PREFIX}${j}`, { attributes: { VisibilityTimeout: '5' } });
}

export interface QueueState {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AccountState {
  readonly queues: ReadonlyMap<string, QueueState>;
  readonly mappings: ReadonlyArray<{
    uuid: string;
    functionArn: string;
    eventSourceArn: string;
    fields: Record<string, unknown>;
  }>;
  readonly alarms: ReadonlyArray<{
    name: string;
    threshold: number | undefined;
    metric: string;
    dimensions: Record<string, string>;
  }>;
}

/** Everything the scenario's checks look at, read straight from the emulator. */
export async function readAccount(seed: Seeder): Promise<AccountState> {
  const urls = (await seed.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'crash-', MaxResults: 1000 })))
    .QueueUrls;
  const queues = new Map<string, QueueState>();
  for (const url of urls ?? []) {
    const attributes = await seed.attributes(url);
    const tags = (await seed.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
    const name = url.split('/').pop() as string;
    queues.set(name, { name, url, arn: attributes.QueueArn as string, attributes, tags });
  }
  const mappings = (
    (await seed.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []
  ).map((m) => ({
    uuid: m.UUID as string,
    functionArn: m.FunctionArn as string,
    eventSourceArn: m.EventSourceArn as string,
    fields: m as Record<string, unknown>,
  }));
  const alarms = (
    (await seed.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'edaguard-' }))).MetricAlarms ??
    []
  ).map((a) => ({
    name: a.AlarmName as string,
    threshold: a.Threshold,
    metric: `${a.Namespace}/${a.MetricName}`,
    dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name as string, d.Value as string])),
  }));
  return { queues, mappings, alarms };
}

export const redriveTarget = (q: QueueState | undefined): string | undefined => {
  if (!q?.attributes.RedrivePolicy) return undefined;
  try {
    return (JSON.parse(q.attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
  } catch {
    return undefined;
  }
};

export const onFailureDestination = (fields: Record<string, unknown>): string | undefined =>
  (fields.DestinationConfig as { OnFailure?: { Destination?: string } } | undefined)?.OnFailure?.Destination;

export interface Leftovers {
  /** A second DLQ or destination for the same source, a second alarm on the same metric. */
  readonly duplicates: string[];
  /** A queue edaguard created that nothing uses, an alarm on a queue that does not exist. */
  readonly orphans: string[];
}

function groupCount<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/**
 * Duplicates and orphans among what edaguard creates. Only queues edaguard tagged as its own
 * count as orphans: a DLQ a team shares between queues is theirs, and this account has none
 * that no queue uses.
 */
export function findLeftovers(state: AccountState): Leftovers {
  const queues = [...state.queues.values()];
  const duplicates: string[] = [];
  const orphans: string[] = [];
  for (const tag of [TAGS.dlqFor, TAGS.failureDestinationFor]) {
    for (const [owner, n] of groupCount(queues, (q) => q.tags[tag]))
      if (n > 1) duplicates.push(`${n} queues tagged ${tag}=${owner}`);
  }
  for (const [metric, n] of groupCount(state.alarms, (a) => `${a.metric} ${JSON.stringify(a.dimensions)}`))
    if (n > 1) duplicates.push(`${n} alarms on ${metric}`);

  const redriveTargets = new Set(queues.map(redriveTarget).filter((t) => t !== undefined));
  const destinations = new Set(state.mappings.map((m) => onFailureDestination(m.fields)));
  for (const q of queues) {
    if (q.tags[TAGS.dlqFor] && !redriveTargets.has(q.arn))
      orphans.push(`${q.name}: a DLQ edaguard created that no queue redrives to`);
    if (q.tags[TAGS.failureDestinationFor] && !destinations.has(q.arn))
      orphans.push(`${q.name}: an on-failure queue edaguard created that no mapping uses`);
  }
  for (const alarm of state.alarms) {
    const queue = alarm.dimensions.QueueName;
    if (queue !== undefined && !state.queues.has(queue))
      orphans.push(`${alarm.name}: an alarm on ${queue}, which does not exist`);
  }
  return { duplicates, orphans };
}
