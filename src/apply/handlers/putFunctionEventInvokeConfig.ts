import { isDeepStrictEqual } from 'node:util';
import { sdk } from '../../aws/sdk.js';
import type { EventInvokeConfigFacts } from '../../discovery/inventory.js';
import { eventInvokeConfigFacts, readEventInvokeConfig } from '../../discovery/lambda.js';
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

const INVOKE_CONFIG = 'lambda:event-invoke-config';

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
  async precondition(action, { aws, inventory, reads }): Promise<PreconditionVerdict> {
    const planned = inventory.functions.get(action.functionArn)?.eventInvokeConfig;
    if (planned === undefined) return 'proceed';
    // A deleted function reads as "no config"; its Put then fails not-found (see isResourceGone).
    const recalled = reads?.recall<{ facts: EventInvokeConfigFacts | null }>(
      action.functionArn,
      INVOKE_CONFIG,
    );
    let fresh: EventInvokeConfigFacts | null;
    if (recalled) fresh = recalled.facts;
    else {
      const ticket = reads?.reading(action.functionArn, INVOKE_CONFIG);
      fresh = await readEventInvokeConfig(aws.lambda, action.functionArn);
      ticket?.done({ facts: fresh });
    }
    if (fresh && isDeepStrictEqual(fresh, asFacts(action.config))) return 'unchanged';
    if (!isDeepStrictEqual(planned, fresh))
      throw changedSince(`function ${action.functionArn.split(':').pop()}`, ['EventInvokeConfig']);
    return 'proceed';
  },
  async write(action, ctx) {
    const { PutFunctionEventInvokeConfigCommand } = await sdk.lambda();
    const answer = await ctx.aws.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: action.functionArn, ...action.config }),
    );
    // Put answers with the config as stored: the read-back, and what the next finding on this
    // function's config starts from.
    const notShownByAnswer = eventInvokeConfigMismatches(action.config, answer);
    if (notShownByAnswer.length === 0)
      ctx.reads?.reading(action.functionArn, INVOKE_CONFIG).done({ facts: eventInvokeConfigFacts(answer) });
    return { change: 'updated', receipt: undefined, notShownByAnswer };
  },
  async readBack(action, ctx) {
    const { GetFunctionEventInvokeConfigCommand } = await sdk.lambda();
    return eventInvokeConfigMismatches(
      action.config,
      await ctx.aws.lambda.send(
        new GetFunctionEventInvokeConfigCommand({ FunctionName: action.functionArn }),
      ),
    );
  },
};
