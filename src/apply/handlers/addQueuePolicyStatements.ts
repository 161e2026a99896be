import { sqsQueueUrlFromArn } from '../../aws/arn.js';
import type { AwsClients } from '../../aws/clients.js';
import { sdk } from '../../aws/sdk.js';
import { isQueueMissing } from '../../discovery/sqs.js';
import type { Action } from '../../reconcile/model.js';
import { statementGrants } from '../../reconcile/queuePolicyGrant.js';
import type { CycleReads } from '../cycleReads.js';
import { changedSince, gone } from '../preconditions.js';
import { queueAttributesNow } from './createQueue.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type AddQueuePolicyStatements = Extract<Action, { kind: 'AddQueuePolicyStatements' }>;

const queueName = (action: AddQueuePolicyStatements) => action.queueArn.split(':').pop() ?? action.queueArn;

/** The queue's Policy now (recall: a precondition may start from what this cycle read last). */
async function readPolicy(
  action: AddQueuePolicyStatements,
  ctx: { aws: AwsClients; endpoint?: string; reads?: CycleReads },
  recall: boolean,
) {
  const queue = { arn: action.queueArn, url: sqsQueueUrlFromArn(action.queueArn, ctx.endpoint) };
  const attributes = await queueAttributesNow(ctx, queue, ['Policy'], { recall, all: !recall });
  return attributes.Policy || undefined;
}

/** The Sids of the action's statements that the policy text does not grant yet. */
export function statementsNotGranted(
  action: AddQueuePolicyStatements,
  policyText: string | undefined,
): string[] {
  let statements: unknown[] = [];
  try {
    const parsed = policyText ? (JSON.parse(policyText) as { Statement?: unknown }) : {};
    statements = [parsed.Statement ?? []].flat();
  } catch {
    // not JSON: nothing is granted
  }
  return action.statements
    .filter((wanted) => {
      const req = {
        servicePrincipal: wanted.Principal.Service,
        sourceArn: wanted.Condition.ArnEquals['aws:SourceArn'],
        queueArn: wanted.Resource,
      };
      return !statements.some((s) => statementGrants(s, req));
    })
    .map((s) => s.Sid);
}

/**
 * dlq-delivery-permission's write: the whole Policy, made at plan time by inserting edaguard's
 * statements into the text the plan saw. The precondition refuses when that text changed since
 * (someone edited the policy), so no statement anyone else wrote is ever lost or altered.
 */
export const addQueuePolicyStatements: ActionHandler<AddQueuePolicyStatements, void> = {
  eventuallyVisible: true,
  iamActions: ['sqs:GetQueueAttributes', 'sqs:SetQueueAttributes'],
  targets: (action) => [
    action.queueArn,
    ...(action.statements ?? []).map((s) => s?.Condition?.ArnEquals?.['aws:SourceArn']),
  ],
  describe: (action) =>
    `AddQueuePolicyStatements ${queueName(action)} (SetQueueAttributes Policy): ${action.statements.map((s) => `${s.Sid} (${s.Principal.Service} from ${s.Condition.ArnEquals['aws:SourceArn']})`).join(', ')}`,
  async precondition(action, ctx): Promise<PreconditionVerdict> {
    let current: string | undefined;
    try {
      current = await readPolicy(action, ctx, true);
    } catch (error) {
      if (isQueueMissing(error)) throw gone(`queue ${queueName(action)}`);
      throw error;
    }
    if (statementsNotGranted(action, current).length === 0) return 'unchanged';
    if ((current ?? '') !== (action.observedPolicy ?? ''))
      throw changedSince(`queue ${queueName(action)}`, ['Policy']);
    return 'proceed';
  },
  async write(action, ctx) {
    const { SetQueueAttributesCommand } = await sdk.sqs();
    await ctx.aws.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: sqsQueueUrlFromArn(action.queueArn, ctx.endpoint),
        Attributes: { Policy: action.policy },
      }),
    );
    return { change: 'updated', receipt: undefined };
  },
  readBack: async (action, ctx) => statementsNotGranted(action, await readPolicy(action, ctx, false)),
};
