/** The seeded account as data: what the seeding creates, and so what the controller must find. */

export type Kind =
  | 'compliant'
  | 'no DLQ'
  | 'maxReceiveCount out of range'
  | 'DLQ retention too short'
  | 'visibility too low for its Lambda consumer'
  | 'no DLQ + visibility too low'
  | 'maxReceiveCount out of range + DLQ retention too short';

export interface Consumer {
  fn: string;
  timeout: number;
  window: number;
  reportsBatchItemFailures: boolean;
}

export interface QueueSpec {
  name: string;
  kind: Kind;
  fifo: boolean;
  tags: Record<string, string>;
  visibility?: number;
  dlq?: string;
  maxReceiveCount?: number;
  consumers: Consumer[];
}

export interface DlqSpec {
  name: string;
  retention: number;
}

export type AsyncSource = 'SNS subscription' | 'EventBridge rule' | 'S3 notification';
export type AsyncConfig = 'none' | 'compliant' | 'retries and event age above the policy';

export interface FunctionSpec {
  name: string;
  timeout: number;
  tags: Record<string, string>;
  /** Carries the partial-batch opt-in tag: its mappings get ReportBatchItemFailures written. */
  optedIn: boolean;
  async?: { source: AsyncSource; config: AsyncConfig };
}

export type StreamKind = 'AWS defaults' | 'compliant' | 'retries and record age unbounded';

export interface StreamMappingSpec {
  fn: string;
  source: 'kinesis' | 'dynamodb';
  sourceName: string;
  kind: StreamKind;
  reportsBatchItemFailures: boolean;
}

export interface RuleSpec {
  name: string;
  bus: string;
  /** The function it invokes; undefined: it targets a queue. */
  fn?: string;
}

export interface BucketSpec {
  name: string;
  fn?: string;
}

export interface Account {
  functions: FunctionSpec[];
  dlqs: DlqSpec[];
  selected: QueueSpec[];
  others: QueueSpec[];
  streams: StreamMappingSpec[];
  rules: RuleSpec[];
  buckets: BucketSpec[];
  mixCounts: Map<Kind, number>;
}

export const pad = (n: number, width = 4) => String(n).padStart(width, '0');
