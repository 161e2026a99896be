import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import type { PolicySet } from '../policy/model.js';
import type { DlqSourceStrategy } from './dlqSourceStrategy.js';
import type { ListedRule } from './eventRules.js';
import type { PipeFacts, ReadError } from './inventory.js';
import type { QueueReadContext } from './queueReads.js';
import type { ReadPlan } from './readPlan.js';
import type { ReadRunner } from './readRequeue.js';
import { type Selection, selectedOfType } from './selection.js';

/** What every stage of one discovery shares. */
export interface Discovery {
  readonly policySet: PolicySet;
  readonly aws: AwsClients;
  readonly readPlan: ReadPlan;
  readonly selection: Selection;
  /** Account-wide reads' fan-out (their failures fail the cycle; the clients retry them harder). */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Per-resource reads: requeued while they fail with a retryable error. */
  readonly run: ReadRunner;
  readonly queueReads: QueueReadContext;
  readonly readErrors: ReadError[];
  /** Every EventBridge rule listed, with its tags (empty when no policy needs rules). */
  readonly listedRules: readonly ListedRule[];
  /** The selected pipes (DescribePipe answered them while listing); undefined when not needed. */
  readonly pipes: Map<string, PipeFacts> | undefined;
  readonly logger?: Logger;
  /** DiscoverOptions.dlqSourceStrategy: a forced DLQ-source strategy (benches and tests). */
  readonly dlqSourceStrategy?: DlqSourceStrategy;
}

export const selectedArns = (d: Discovery, type: 'sqs:queue' | 'lambda:function') =>
  new Set(selectedOfType(d.selection, type).map((r) => r.arn));
