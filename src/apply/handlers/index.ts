import { parseArn } from '../../aws/arn.js';
import type { Action } from '../../reconcile/model.js';
import { untilVisible } from '../readBack.js';
import { addQueuePolicyStatements } from './addQueuePolicyStatements.js';
import { createQueue } from './createQueue.js';
import { increaseStreamRetentionPeriod } from './increaseStreamRetentionPeriod.js';
import { putFunctionEventInvokeConfig } from './putFunctionEventInvokeConfig.js';
import { putMetricAlarm } from './putMetricAlarm.js';
import { putTargets } from './putTargets.js';
import { setQueueAttributes } from './setQueueAttributes.js';
import { setSubscriptionAttributes } from './setSubscriptionAttributes.js';
import type {
  ActionHandler,
  PreconditionContext,
  PreconditionVerdict,
  Verification,
  WriteChange,
  WriteContext,
} from './types.js';
import { updateEventSourceMapping } from './updateEventSourceMapping.js';
import { updatePipe } from './updatePipe.js';
import { updateTableBillingMode } from './updateTableBillingMode.js';
import { updateTimeToLive } from './updateTimeToLive.js';

export type {
  ActionHandler,
  PreconditionContext,
  PreconditionVerdict,
  WriteChange,
  WriteContext,
} from './types.js';

type HandlerTable = { readonly [K in Action['kind']]: ActionHandler<Extract<Action, { kind: K }>> };

/** One handler per kind of write: a new Action kind does not compile until it has one. */
export const ACTION_HANDLERS = {
  CreateQueue: createQueue,
  SetQueueAttributes: setQueueAttributes,
  UpdateEventSourceMapping: updateEventSourceMapping,
  PutFunctionEventInvokeConfig: putFunctionEventInvokeConfig,
  UpdateTimeToLive: updateTimeToLive,
  UpdateTableBillingMode: updateTableBillingMode,
  PutMetricAlarm: putMetricAlarm,
  IncreaseStreamRetentionPeriod: increaseStreamRetentionPeriod,
  SetSubscriptionAttributes: setSubscriptionAttributes,
  PutTargets: putTargets,
  UpdatePipe: updatePipe,
  AddQueuePolicyStatements: addQueuePolicyStatements,
} as const satisfies HandlerTable;

/** The handler of an action's kind, typed for any action (the table is exhaustive). */
export function handlerFor<A extends Action>(action: A): ActionHandler<A> {
  return ACTION_HANDLERS[action.kind] as unknown as ActionHandler<A>;
}

/** One line a person can read: what the action does. */
export function describeAction(action: Action): string {
  return handlerFor(action).describe(action);
}

export interface ActionTarget {
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
}

const isActionKind = (kind: unknown): kind is Action['kind'] =>
  typeof kind === 'string' && Object.hasOwn(ACTION_HANDLERS, kind);

/**
 * The account and region of every ARN an action declares it writes or names (its handler's
 * `targets`); undefined when `write` is not an action (an SDK command's input, for instance).
 */
export function declaredTargets(write: unknown): ActionTarget[] | undefined {
  const kind = (write as { kind?: unknown } | null)?.kind;
  if (!isActionKind(kind)) return undefined;
  const targets: ActionTarget[] = [];
  for (const arn of handlerFor(write as Action).targets(write as Action)) {
    if (typeof arn !== 'string') continue;
    try {
      const parsed = parseArn(arn);
      targets.push({ arn, accountId: parsed.accountId, region: parsed.region });
    } catch {
      // not an ARN after all: names no target
    }
  }
  return targets;
}

/** Re-reads what the action would overwrite; see ActionHandler.precondition. */
export function checkPrecondition(action: Action, ctx: PreconditionContext): Promise<PreconditionVerdict> {
  return handlerFor(action).precondition(action, ctx);
}

/**
 * Sends the write, then reads it back until what it set is visible (VerifyError if never), unless
 * its answer shows the result or it is an eventually visible write left to the next cycle.
 */
export async function executeAction(
  action: Action,
  ctx: WriteContext,
): Promise<{ change: Exclude<WriteChange, 'unchanged'>; verifiedBy: Verification }> {
  const handler = handlerFor(action);
  // Whatever was read of the resource before this write is stale from here on.
  ctx.reads?.writing(resourceOf(action));
  const { change, receipt, notShownByAnswer } = await handler.write(action, ctx);
  // The write's answer shows everything it set: it is the read-back.
  if (notShownByAnswer?.length === 0) return { change, verifiedBy: 'answer' };
  if (handler.eventuallyVisible && ctx.eventualWrites === 'next-cycle')
    return { change, verifiedBy: 'next-cycle' };
  await untilVisible(ctx, () => handler.readBack(action, ctx, receipt));
  return { change, verifiedBy: 'read-back' };
}

/**
 * The resource an action writes, as CycleReads keys it (its handler's `resource`, else the first
 * ARN it targets, else its description).
 */
export function resourceOf(action: Action): string {
  const handler = handlerFor(action);
  if (handler.resource) return handler.resource(action);
  const [first] = handler.targets(action);
  return typeof first === 'string' ? first : handler.describe(action);
}
