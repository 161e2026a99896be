import { isDeepStrictEqual } from 'node:util';
import type { PutTargetsRequest, Target } from '@aws-sdk/client-eventbridge';
import type { AwsClients } from '../../aws/clients.js';
import { sdk } from '../../aws/sdk.js';
import { listTargets } from '../../discovery/eventRules.js';
import { EdaguardError } from '../../errors.js';
import type { Action } from '../../reconcile/model.js';
import { changedSince, gone } from '../preconditions.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type PutTargets = Extract<Action, { kind: 'PutTargets' }>;

/** A target as plain data (what JSON keeps): a plan read back from a file compares equal. */
const plain = (target: unknown): unknown =>
  target === undefined ? undefined : JSON.parse(JSON.stringify(target));

const idOf = (target: Readonly<Record<string, unknown>> | undefined) => target?.Id as string | undefined;

/** The PutTargets input: each target sent whole, exactly as planned (every field it had kept). */
export function putTargetsInput(action: PutTargets): PutTargetsRequest {
  return {
    Rule: action.ruleName,
    EventBusName: action.eventBusName,
    Targets: action.targets.map((t) => plain(t) as Target),
  };
}

/** The rule's targets now, by Id. */
async function currentTargets(aws: AwsClients, action: PutTargets): Promise<Map<string, unknown>> {
  const targets = await listTargets(aws.eventbridge, {
    name: action.ruleName,
    eventBusName: action.eventBusName,
  });
  return new Map(targets.map((t) => [t.Id ?? '', plain(t)]));
}

/**
 * Sends back whole the targets of one rule that lack a DLQ or exceed the retry limits, with
 * DeadLetterConfig and RetryPolicy set; every other field (Input, InputPath, InputTransformer,
 * RoleArn, the parameters of every kind) as read. A rule's targets have no version, so the
 * precondition refuses when any of them differs from what the plan saw.
 */
export const putTargets: ActionHandler<PutTargets, void> = {
  iamActions: ['events:PutTargets', 'events:ListTargetsByRule', 'iam:PassRole'],
  targets: (action) => [
    action.ruleArn,
    ...(action.targets ?? []).map((t) => (t?.DeadLetterConfig as { Arn?: string } | undefined)?.Arn),
  ],
  describe: (action) =>
    `PutTargets ${action.eventBusName}/${action.ruleName} ${(action.targets ?? [])
      .map(
        (t) =>
          `${idOf(t)}: DeadLetterConfig=${JSON.stringify(t.DeadLetterConfig ?? null)} RetryPolicy=${JSON.stringify(t.RetryPolicy ?? null)}`,
      )
      .join(', ')}`,
  async precondition(action, { aws }): Promise<PreconditionVerdict> {
    let current: Map<string, unknown>;
    try {
      current = await currentTargets(aws, action);
    } catch (error) {
      if ((error as { name?: string })?.name === 'ResourceNotFoundException')
        throw gone(`rule ${action.ruleArn}`);
      throw error;
    }
    const what = `rule ${action.eventBusName}/${action.ruleName}`;
    let asDesired = true;
    action.targets.forEach((desired, i) => {
      const id = idOf(desired) ?? '';
      const now = current.get(id);
      if (isDeepStrictEqual(now, plain(desired))) return;
      asDesired = false;
      if (!isDeepStrictEqual(now, plain(action.planned[i]))) throw changedSince(what, [`target ${id}`]);
    });
    return asDesired ? 'unchanged' : 'proceed';
  },
  async write(action, ctx) {
    const { PutTargetsCommand } = await sdk.eventbridge();
    const out = await ctx.aws.eventbridge.send(new PutTargetsCommand(putTargetsInput(action)));
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entries = (out.FailedEntries ?? []).map((e) => `${e.TargetId}: ${e.ErrorCode} ${e.ErrorMessage}`);
      throw new EdaguardError(
        'PUT_TARGETS_FAILED',
        `PutTargets on ${action.eventBusName}/${action.ruleName} failed for ${out.FailedEntryCount} target(s): ${entries.join('; ')}`,
      );
    }
    return { change: 'updated', receipt: undefined };
  },
  async readBack(action, ctx) {
    const current = await currentTargets(ctx.aws, action);
    const missing: string[] = [];
    for (const desired of action.targets) {
      const id = idOf(desired) ?? '';
      const now = current.get(id) as Record<string, unknown> | undefined;
      for (const field of ['DeadLetterConfig', 'RetryPolicy'])
        if (desired[field] !== undefined && !isDeepStrictEqual(plain(now?.[field]), plain(desired[field])))
          missing.push(`${id}.${field}`);
    }
    return missing;
  },
};
