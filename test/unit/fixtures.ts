/**
 * Builders for the pure modules' inputs, with sensible defaults so that each table row states
 * only what matters to it.
 */
import { sqsQueueArn } from '../../src/aws/arn.js';
import type {
  Inventory,
  QueueConsumer,
  QueueFacts,
  QueueNameCandidate,
  ReadError,
  TaggedResource,
  Target,
} from '../../src/discovery/inventory.js';
import { dlqNameFor } from '../../src/policy/dlqName.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import type { Policy, PolicySet } from '../../src/policy/model.js';
import { MANAGED_BY_VALUE, TAGS } from '../../src/policy/schema.js';

export const TARGET: Target = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' };

/** ARN of a queue of the test target; an ARN is returned unchanged. */
export function arnOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : sqsQueueArn(TARGET, nameOrArn);
}

export function urlOf(name: string): string {
  return `https://sqs.${TARGET.region}.amazonaws.com/${TARGET.accountId}/${name}`;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A queue as discovery reports it; a standard queue with SQS's defaults unless told otherwise. */
export function queue(name: string, overrides: Partial<Mutable<QueueFacts>> = {}): QueueFacts {
  return {
    arn: arnOf(name),
    url: urlOf(name),
    name,
    fifo: name.endsWith('.fifo'),
    tags: {},
    visibilityTimeout: 30,
    messageRetentionPeriod: 345_600,
    sqsManagedSseEnabled: false,
    approximateNumberOfMessages: 0,
    ...overrides,
  };
}

/** A queue whose redrive policy points at `dlq` (a name or an ARN). */
export function redriving(
  name: string,
  dlq: string,
  maxReceiveCount = 5,
  overrides: Partial<Mutable<QueueFacts>> = {},
): QueueFacts {
  return queue(name, { redrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount }, ...overrides });
}

/** A DLQ that edaguard created (tagged managed-by and dlq-for). */
export function managedDlq(name: string, sourceName: string, overrides: Partial<Mutable<QueueFacts>> = {}) {
  return queue(name, {
    tags: { [TAGS.managedBy]: MANAGED_BY_VALUE, [TAGS.dlqFor]: arnOf(sourceName) },
    ...overrides,
  });
}

export function consumer(
  functionTimeoutSeconds: number | undefined,
  maximumBatchingWindowInSeconds = 0,
  functionName = `fn-${functionTimeoutSeconds ?? 'unknown'}-${maximumBatchingWindowInSeconds}`,
): QueueConsumer {
  return {
    mappingUuid: `uuid-${functionName}`,
    functionArn: `arn:aws:lambda:${TARGET.region}:${TARGET.accountId}:function:${functionName}`,
    ...(functionTimeoutSeconds === undefined ? {} : { functionTimeoutSeconds }),
    maximumBatchingWindowInSeconds,
  };
}

export interface InventorySpec {
  /** Queues found by the tag queries (candidates for selection) and read. */
  tagged?: readonly QueueFacts[];
  /** Queues read but not found by the tag queries (DLQs, adoptable candidates). */
  others?: readonly QueueFacts[];
  /** Tagged ARNs whose read failed (they are in `tagged` but not in `queues`). */
  taggedUnread?: readonly TaggedResource[];
  /** Names or ARNs of referenced DLQs that do not exist. */
  missing?: readonly string[];
  /** Extra DLQ → sources entries; those implied by the redrive policies are always added. */
  deadLetterSources?: Readonly<Record<string, readonly string[]>>;
  /** Consumers per queue name or ARN; `null`: consumers were not read. Default: read, none found. */
  consumers?: Readonly<Record<string, readonly QueueConsumer[]>> | null;
  /**
   * DLQ name candidates. By default one per tagged queue per suffix in `dlqSuffixes`, existing when
   * a queue of that name was read, managed when it carries the managed-by tag. Entries here win.
   */
  candidates?: readonly QueueNameCandidate[];
  dlqSuffixes?: readonly string[];
  readErrors?: readonly ReadError[];
}

/** An existing queue edaguard did not create, under a would-be DLQ name (not read by discovery). */
export function unmanagedCandidate(name: string): QueueNameCandidate {
  return { name, arn: arnOf(name), exists: true, managedByEdaguard: false };
}

export function inventory(spec: InventorySpec = {}): Inventory {
  const tagged = spec.tagged ?? [];
  const all = [...tagged, ...(spec.others ?? [])];
  const queues = new Map(all.map((q) => [q.arn, q]));
  const deadLetterSources = new Map<string, string[]>();
  const addSource = (dlq: string, source: string) => {
    const list = deadLetterSources.get(dlq) ?? [];
    if (!list.includes(source)) list.push(source);
    deadLetterSources.set(dlq, list);
  };
  // As discovery does: edaguard's own DLQs name their source in a tag, redrive policies theirs.
  for (const q of all) {
    const source = q.tags[TAGS.managedBy] === MANAGED_BY_VALUE ? q.tags[TAGS.dlqFor] : undefined;
    if (source) addSource(q.arn, source);
  }
  for (const q of all) if (q.redrivePolicy) addSource(q.redrivePolicy.deadLetterTargetArn, q.arn);
  for (const [dlq, sources] of Object.entries(spec.deadLetterSources ?? {}))
    for (const s of sources) addSource(arnOf(dlq), arnOf(s));

  const queueNameCandidates = new Map<string, QueueNameCandidate>();
  for (const q of tagged) {
    for (const suffix of spec.dlqSuffixes ?? ['-dlq']) {
      const name = dlqNameFor(q.name, q.fifo, suffix);
      const existing = queues.get(arnOf(name));
      queueNameCandidates.set(name, {
        name,
        arn: arnOf(name),
        exists: existing !== undefined,
        managedByEdaguard: existing?.tags[TAGS.managedBy] === MANAGED_BY_VALUE,
      });
    }
  }
  for (const c of spec.candidates ?? []) queueNameCandidates.set(c.name, c);

  const consumers =
    spec.consumers === null
      ? undefined
      : new Map(Object.entries(spec.consumers ?? {}).map(([k, v]) => [arnOf(k), v]));

  return {
    target: TARGET,
    readAt: '2025-01-01T00:00:00.000Z',
    tagged: [
      ...tagged.map((q) => ({ arn: q.arn, type: 'sqs:queue' as const, tags: q.tags })),
      ...(spec.taggedUnread ?? []),
    ],
    queues,
    missingQueues: new Set((spec.missing ?? []).map(arnOf)),
    deadLetterSources,
    ...(consumers ? { consumers } : {}),
    queueNameCandidates,
    functions: new Map(),
    mappings: [],
    tables: new Map(),
    readErrors: spec.readErrors ?? [],
  };
}

export interface PolicySpec {
  name: string;
  enforcement?: 'enforce' | 'audit';
  match?: Record<string, string>;
  exclude?: Record<string, string>;
  rules: Record<string, unknown>;
}

/** The policy document of a spec, as a user would write it. */
export function policyDocument(spec: PolicySpec): Record<string, unknown> {
  return {
    apiVersion: 'edaguard.dev/v1alpha1',
    kind: 'ReliabilityPolicy',
    metadata: { name: spec.name },
    spec: {
      ...(spec.enforcement ? { enforcement: spec.enforcement } : {}),
      match: { tags: spec.match ?? {} },
      ...(spec.exclude ? { exclude: { tags: spec.exclude } } : {}),
      rules: spec.rules,
    },
  };
}

/** A Policy with defaults filled by the real loader (JSON is YAML). */
export function policy(spec: PolicySpec): Policy {
  const set = parsePolicySources([
    { file: `${spec.name}.yaml`, text: JSON.stringify(policyDocument(spec), null, 2) },
  ]);
  const [only] = set.policies;
  if (!only || set.policies.length !== 1) throw new Error('expected exactly one policy');
  return only;
}

/** A set of policies built one by one (so no load-time conflict check between them). */
export function policySet(...policies: Policy[]): PolicySet {
  return { policies, files: policies.map((p) => p.source.file) };
}
