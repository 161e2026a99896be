/**
 * Builders for the Lambda and DynamoDB side of an inventory (functions, event source mappings,
 * tables, on-failure queue candidates), on top of the SQS builders in fixtures.ts.
 */
import type {
  FunctionFacts,
  Inventory,
  MappingFacts,
  MappingSourceKind,
  QueueNameCandidate,
  TableFacts,
} from '../../src/discovery/inventory.js';
import { arnOf, type InventorySpec, inventory, TARGET } from './fixtures.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const prefix = (service: string) => `arn:${TARGET.partition}:${service}:${TARGET.region}:${TARGET.accountId}`;

export const functionArn = (name: string) => `${prefix('lambda')}:function:${name}`;
export const mappingArn = (uuid: string) => `${prefix('lambda')}:event-source-mapping:${uuid}`;
export const kinesisStreamArn = (name: string) => `${prefix('kinesis')}:stream/${name}`;
export const tableArn = (name: string) => `${prefix('dynamodb')}:table/${name}`;
export const tableStreamArn = (table: string) => `${tableArn(table)}/stream/2025-01-01T00:00:00.000`;
export const snsTopicArn = (name: string) => `${prefix('sns')}:${name}`;
export const kafkaClusterArn = (name: string) => `${prefix('kafka')}:cluster/${name}/abcd-1234`;

/** The default on-failure queue suffix of the lambda fixtures. */
export const FAILURE_SUFFIX = '-failures';

/** A function as discovery reports it: no async callers, no event-invoke config read. */
export function lambdaFunction(name: string, overrides: Partial<Mutable<FunctionFacts>> = {}): FunctionFacts {
  return {
    arn: functionArn(name),
    name,
    timeoutSeconds: 30,
    tags: {},
    asyncInvokers: [],
    ...overrides,
  };
}

const SOURCE_ARN: Record<MappingSourceKind, (name: string) => string> = {
  kinesis: kinesisStreamArn,
  dynamodb: tableStreamArn,
  sqs: arnOf,
  other: kafkaClusterArn,
};

export interface MappingSpec extends Partial<Mutable<MappingFacts>> {
  /** Name of the function it invokes (default `orders-fn`); `functionArn` wins. */
  fn?: string;
}

/**
 * A mapping as toMappingFacts normalises it, with AWS's defaults for a new stream mapping: no
 * bisect, infinite retries and record age (-1), no destination, no response types.
 */
export function mapping(uuid: string, spec: MappingSpec = {}): MappingFacts {
  const { fn = 'orders-fn', ...overrides } = spec;
  const sourceKind = overrides.sourceKind ?? 'kinesis';
  return {
    uuid,
    arn: mappingArn(uuid),
    functionArn: functionArn(fn),
    eventSourceArn: SOURCE_ARN[sourceKind](`src-${uuid}`),
    sourceKind,
    state: 'Enabled',
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: -1,
    functionResponseTypes: [],
    maximumBatchingWindowInSeconds: 0,
    ...overrides,
  };
}

/** A table that is a compliant idempotency store on `expiresAt` unless told otherwise. */
export function table(name: string, overrides: Partial<Mutable<TableFacts>> = {}): TableFacts {
  return {
    arn: tableArn(name),
    name,
    tags: {},
    billingMode: 'PAY_PER_REQUEST',
    ttlStatus: 'ENABLED',
    ttlAttribute: 'expiresAt',
    ...overrides,
  };
}

/** What discovery found under a would-be on-failure queue name. */
export function failureQueueCandidate(
  name: string,
  state: 'absent' | 'managed' | 'unmanaged',
): QueueNameCandidate {
  return {
    name,
    arn: arnOf(name),
    exists: state !== 'absent',
    managedByEdaguard: state === 'managed',
  };
}

export interface LambdaInventorySpec extends InventorySpec {
  /** Functions found by the tag queries (candidates for selection) and read. */
  functions?: readonly FunctionFacts[];
  /** Functions read but not found by the tag queries (consumers of selected queues). */
  otherFunctions?: readonly FunctionFacts[];
  mappings?: readonly MappingFacts[];
  /** Tables found by the tag queries and read. */
  tables?: readonly TableFacts[];
  /**
   * On-failure queue name suffixes: for every function, `<name><suffix>` is a candidate that does
   * not exist (as discovery reports a name it checked). Default: [FAILURE_SUFFIX]. Entries in
   * `candidates` win.
   */
  failureSuffixes?: readonly string[];
}

/** An inventory with the SQS side of `inventory(spec)` plus functions, mappings and tables. */
export function lambdaInventory(spec: LambdaInventorySpec = {}): Inventory {
  const { candidates, ...sqsSpec } = spec;
  const base = inventory({ consumers: null, ...sqsSpec });
  const tagged = spec.functions ?? [];
  const tables = spec.tables ?? [];
  const functions = [...tagged, ...(spec.otherFunctions ?? [])];

  const queueNameCandidates = new Map(base.queueNameCandidates);
  for (const f of functions) {
    for (const suffix of spec.failureSuffixes ?? [FAILURE_SUFFIX]) {
      const name = `${f.name}${suffix}`;
      queueNameCandidates.set(name, failureQueueCandidate(name, 'absent'));
    }
  }
  for (const c of candidates ?? []) queueNameCandidates.set(c.name, c);

  return {
    ...base,
    tagged: [
      ...base.tagged,
      ...tagged.map((f) => ({ arn: f.arn, type: 'lambda:function' as const, tags: f.tags })),
      ...tables.map((t) => ({ arn: t.arn, type: 'dynamodb:table' as const, tags: t.tags })),
    ],
    queueNameCandidates,
    functions: new Map(functions.map((f) => [f.arn, f])),
    mappings: [...(spec.mappings ?? [])],
    tables: new Map(tables.map((t) => [t.arn, t])),
  };
}
