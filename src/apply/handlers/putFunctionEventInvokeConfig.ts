import { isDeepStrictEqual } from 'node:util';
import {
  GetFunctionEventInvokeConfigCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import type { EventInvokeConfigFacts } from '../../discovery/inventory.js';
import { readEventInvokeConfig } from '../../discovery/lambda.js';
import type { Action, EventInvokeConfig } from '../../reconcile/model.js';
import { eventInvokeConfigMismatches } from '../lambdaFields.js';
import { changedSince } from '../preconditions.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type PutFunctionEventInvokeConfig = Extract<Action, { kind: 'PutFunctionEventInvokeConfig' }>;

/** The config as discovery models it, to compare a fresh read with what the write would send. */
function asFacts(config: Readonly<EventInvokeConfig>): EventInvokeConfigFacts {
  const onFailure = config.DestinationConfig?.OnFailure?.Destination;
  const onSuccess = config.DestinationConfig?.OnSuccess?.Destination;
  return {
    maximumRetryAttempts: config.MaximumRetryAttempts,
    maximumEventAgeInSeconds: config.MaximumEventAgeInSeconds,
    ...(onFailure ? { onFailureDestination: onFailure } : {}),
    ...(onSuccess ? { onSuccessDestination: onSuccess } : {}),
  };
}

/** Put replaces the whole config, so the write sends every field, including those left as they were. */
export const putFunctionEventInvokeConfig: ActionHandler<PutFunctionEventInvokeConfig, void> = {
  iamActions: ['lambda:PutFunctionEventInvokeConfig', 'lambda:GetFunctionEventInvokeConfig'],
  targets: (action) => [
    action.functionArn,
    action.config?.DestinationConfig?.OnFailure?.Destination,
    action.config?.DestinationConfig?.OnSuccess?.Destination,
  ],
  describe: (action) =>
    `PutFunctionEventInvokeConfig ${action.functionArn.split(':').pop()} ${JSON.stringify(action.config)}`,
  async precondition(action, { aws, inventory }): Promise<PreconditionVerdict> {
    const planned = inventory.functions.get(action.functionArn)?.eventInvokeConfig;
    if (planned === undefined) return 'proceed';
    // A deleted function reads as "no config"; its Put then fails not-found (see isResourceGone).
    const fresh = await readEventInvokeConfig(aws.lambda, action.functionArn);
    if (fresh && isDeepStrictEqual(fresh, asFacts(action.config))) return 'unchanged';
    if (!isDeepStrictEqual(planned, fresh))
      throw changedSince(`function ${action.functionArn.split(':').pop()}`, ['EventInvokeConfig']);
    return 'proceed';
  },
  async write(action, ctx) {
    await ctx.aws.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: action.functionArn, ...action.config }),
    );
    return { change: 'updated', receipt: undefined };
  },
  readBack: async (action, ctx) =>
    eventInvokeConfigMismatches(
      action.config,
      await ctx.aws.lambda.send(
        new GetFunctionEventInvokeConfigCommand({ FunctionName: action.functionArn }),
      ),
    ),
};
