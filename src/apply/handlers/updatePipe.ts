import { isDeepStrictEqual } from 'node:util';
import type { DescribePipeCommandOutput, UpdatePipeCommandInput } from '@aws-sdk/client-pipes';
import type { AwsClients } from '../../aws/clients.js';
import { sdk } from '../../aws/sdk.js';
import { streamParametersOf } from '../../discovery/pipes.js';
import type { Action, PipeSourceFailureChanges } from '../../reconcile/model.js';
import { changedSince, gone } from '../preconditions.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type UpdatePipe = Extract<Action, { kind: 'UpdatePipe' }>;

/** What the precondition and the read-back compare: the pipe's stream source and role now. */
export interface PipeNow {
  readonly source: Readonly<Record<string, unknown>> | undefined;
  readonly roleArn: string | undefined;
}

/** Fields of a stream source CreatePipe sets and UpdatePipe cannot change (not in its Update…Parameters). */
const NOT_UPDATABLE = new Set(['StartingPosition', 'StartingPositionTimestamp']);

/**
 * The UpdatePipe input (pure). UpdatePipe replaces a service-specific parameters object
 * (KinesisStreamParameters, DynamoDBStreamParameters) atomically as one: a field left out returns
 * to its default. So the whole object goes back as read, with only the failure-handling fields
 * changed; the fields UpdatePipe does not take (the starting position) are left out. Nothing else
 * of the pipe is sent but its name and its role (required).
 */
export function buildUpdatePipeInput(action: UpdatePipe): UpdatePipeCommandInput {
  const kept = Object.fromEntries(
    Object.entries(action.observedSource).filter(([field]) => !NOT_UPDATABLE.has(field)),
  );
  const parameters = { ...kept, ...action.changes };
  return {
    Name: action.pipeName,
    RoleArn: action.roleArn,
    SourceParameters:
      action.sourceKind === 'kinesis'
        ? { KinesisStreamParameters: parameters }
        : { DynamoDBStreamParameters: parameters },
  };
}

/** The failure-handling fields the action sets that the source does not show (empty: as desired). */
export function pipeMismatches(
  changes: Readonly<PipeSourceFailureChanges>,
  source: Readonly<Record<string, unknown>> | undefined,
): string[] {
  return (Object.keys(changes) as Array<keyof PipeSourceFailureChanges>).filter(
    (field) => !isDeepStrictEqual(source?.[field], changes[field]),
  );
}

/**
 * The precondition's decision (pure): `unchanged` when the source already is as desired; refused
 * (the fields that differ) when its parameters or role changed since planning; else `proceed`.
 */
export function pipePreconditionDecision(
  action: UpdatePipe,
  now: PipeNow,
): PreconditionVerdict | { changed: string[] } {
  if (now.source && pipeMismatches(action.changes, now.source).length === 0) return 'unchanged';
  const fields = new Set([...Object.keys(action.observedSource), ...Object.keys(now.source ?? {})]);
  const changed = [...fields].filter(
    (field) => !isDeepStrictEqual(action.observedSource[field], now.source?.[field]),
  );
  if (!now.source) changed.push('SourceParameters');
  if (now.roleArn !== action.roleArn) changed.push('RoleArn');
  return changed.length > 0 ? { changed: changed.sort() } : 'proceed';
}

const isPipeGone = (error: unknown) => (error as { name?: string })?.name === 'NotFoundException';

async function readPipe(aws: AwsClients, action: UpdatePipe): Promise<PipeNow> {
  const { DescribePipeCommand } = await sdk.pipes();
  const out: DescribePipeCommandOutput = await aws.pipes.send(
    new DescribePipeCommand({ Name: action.pipeName }),
  );
  return { source: streamParametersOf(out, action.sourceKind), roleArn: out.RoleArn };
}

/** Sets the failure handling of a pipe's stream source (UpdatePipe), sending the source back whole. */
export const updatePipe: ActionHandler<UpdatePipe, void> = {
  // UpdatePipe passes the pipe's role to the service: iam:PassRole (pipes.amazonaws.com only).
  iamActions: ['pipes:UpdatePipe', 'pipes:DescribePipe', 'iam:PassRole'],
  targets: (action) => [action.pipeArn, action.changes?.DeadLetterConfig?.Arn],
  describe: (action) => `UpdatePipe ${action.pipeName} ${JSON.stringify(action.changes)}`,
  async precondition(action, { aws }): Promise<PreconditionVerdict> {
    const what = `pipe ${action.pipeName}`;
    let now: PipeNow;
    try {
      now = await readPipe(aws, action);
    } catch (error) {
      if (isPipeGone(error)) throw gone(what);
      throw error;
    }
    const decision = pipePreconditionDecision(action, now);
    if (typeof decision === 'object') throw changedSince(what, decision.changed);
    return decision;
  },
  async write(action, ctx) {
    const { UpdatePipeCommand } = await sdk.pipes();
    await ctx.aws.pipes.send(new UpdatePipeCommand(buildUpdatePipeInput(action)));
    return { change: 'updated', receipt: undefined };
  },
  readBack: async (action, ctx) => pipeMismatches(action.changes, (await readPipe(ctx.aws, action)).source),
};
