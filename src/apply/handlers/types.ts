import type { AwsClients } from '../../aws/clients.js';
import type { Inventory } from '../../discovery/inventory.js';
import type { Action } from '../../reconcile/model.js';
import type { CycleReads } from '../cycleReads.js';
import type { ReadBackTiming } from '../readBack.js';

/** What a write did (controller-runtime's CreateOrUpdate): `unchanged` made no call. */
export type WriteChange = 'created' | 'updated' | 'unchanged';

/** What the re-read before writing found: go ahead, or nothing to write (already as desired). */
export type PreconditionVerdict = 'proceed' | 'unchanged';

export interface PreconditionContext {
  readonly aws: AwsClients;
  /** The facts the plan was made from. */
  readonly inventory: Inventory;
  /** The SQS endpoint override, to address a queue created in this cycle by its ARN. */
  readonly endpoint?: string;
  /** What this cycle read of each resource since its last write (see cycleReads.ts). */
  readonly reads?: CycleReads;
}

/** What a write and its read-back run with (the timing also paces a mapping's busy retries). */
export interface WriteContext extends ReadBackTiming {
  readonly aws: AwsClients;
  readonly endpoint?: string;
  /** What this cycle read of each resource since its last write (see cycleReads.ts). */
  readonly reads?: CycleReads;
  /**
   * `next-cycle`: a write whose handler is `eventuallyVisible` is not read back; the next cycle's
   * discovery reads it and plans it again if it did not take (sqsVerification). Default: read back.
   */
  readonly eventualWrites?: EventualWriteCheck;
}

/** How a write the service shows only eventually is checked (the setting sqsVerification). */
export type EventualWriteCheck = 'read-back' | 'next-cycle';

/** How a write's result was checked: read back, shown by its answer, or left to the next cycle. */
export type Verification = 'read-back' | 'answer' | 'next-cycle';

/** A write that went out: what it did, and what its read-back needs (a created queue's URL). */
export interface Written<R> {
  readonly change: Exclude<WriteChange, 'unchanged'>;
  readonly receipt: R;
  /**
   * Where the write's answer shows the result (UpdateEventSourceMapping and
   * PutFunctionEventInvokeConfig return the config, CreateQueue fails unless the queue has exactly
   * the attributes sent): the fields it does not show as written. Empty: the answer is the
   * read-back, and no read follows. Absent: the answer shows nothing; the read-back reads.
   */
  readonly notShownByAnswer?: readonly string[];
}

/**
 * Everything edaguard knows about one kind of write, in one place: a new Action kind does not
 * compile until ACTION_HANDLERS has all of it (see index.ts).
 */
export interface ActionHandler<A extends Action, R = unknown> {
  /**
   * The resource the write changes, as CycleReads keys it: a write to it forgets what was read of
   * it, and findings on the same resource run one after the other. Default: the first target.
   */
  resource?(action: A): string;
  /**
   * The service documents that what this write sets can take a while to be visible (SQS
   * attributes: up to 60 s, MessageRetentionPeriod up to 15 minutes), so a read right after it
   * proves little; see WriteContext.eventualWrites.
   */
  readonly eventuallyVisible?: boolean;
  /** IAM actions its calls need: the write, the precondition read and the read-back. */
  readonly iamActions: readonly string[];
  /**
   * Every ARN the write names: the resource it writes and each one it points at (a DLQ, an alarm
   * action, a destination). The lease refuses a write that names another account or region.
   * The lease passes what it is given, so a handler reads optional parts defensively.
   */
  targets(action: A): Array<string | undefined>;
  /** One line a person can read: what the write does (the plan and the audit log). */
  describe(action: A): string;
  /**
   * Reads again what the write would overwrite and compares it with what the plan saw: throws
   * PreconditionFailedError when it changed or vanished; `unchanged` when it is already as desired.
   */
  precondition(action: A, ctx: PreconditionContext): Promise<PreconditionVerdict>;
  /** Sends the write: only what the action owns. */
  write(action: A, ctx: WriteContext): Promise<Written<R>>;
  /** The fields the write set that a read does not show yet (empty: all visible). */
  readBack(action: A, ctx: WriteContext, receipt: R): Promise<string[]>;
}

/** The precondition of a write that overwrites nothing someone else could have edited. */
export const NO_PRECONDITION_READ = async (): Promise<PreconditionVerdict> => 'proceed';
