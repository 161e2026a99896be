import { isDeepStrictEqual } from 'node:util';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import type { AwsClients } from '../../aws/clients.js';
import { sdk } from '../../aws/sdk.js';
import type { MappingFacts } from '../../discovery/inventory.js';
import { toMappingFacts } from '../../discovery/lambda.js';
import type { Action, EventSourceMappingChanges } from '../../reconcile/model.js';
import type { CycleReads } from '../cycleReads.js';
import { mappingMismatches } from '../lambdaFields.js';
import { changedSince, gone, isResourceGone } from '../preconditions.js';
import { retryWhileConflicting } from '../readBack.js';
import type { ActionHandler, PreconditionVerdict } from './types.js';

type UpdateEventSourceMapping = Extract<Action, { kind: 'UpdateEventSourceMapping' }>;

const MAPPING_FIELD: Record<keyof EventSourceMappingChanges, (m: MappingFacts) => unknown> = {
  BisectBatchOnFunctionError: (m) => m.bisectBatchOnFunctionError,
  MaximumRetryAttempts: (m) => m.maximumRetryAttempts,
  MaximumRecordAgeInSeconds: (m) => m.maximumRecordAgeInSeconds,
  DestinationConfig: (m) => m.onFailureDestination,
  FunctionResponseTypes: (m) => [...m.functionResponseTypes].sort(),
};

/** Sends only the mapping fields that change; never an empty OnFailure. */
export const updateEventSourceMapping: ActionHandler<UpdateEventSourceMapping, void> = {
  iamActions: ['lambda:UpdateEventSourceMapping', 'lambda:GetEventSourceMapping'],
  targets: (action) => [action.mappingArn, action.changes?.DestinationConfig?.OnFailure?.Destination],
  describe: (action) => `UpdateEventSourceMapping ${action.mappingUuid} ${JSON.stringify(action.changes)}`,
  async precondition(action, { aws, inventory, reads }): Promise<PreconditionVerdict> {
    const planned = inventory.mappings.find((m) => m.uuid === action.mappingUuid);
    if (!planned) return 'proceed';
    const what = `event source mapping ${action.mappingUuid}`;
    let raw: EventSourceMappingConfiguration;
    try {
      raw =
        reads?.recall<EventSourceMappingConfiguration>(action.mappingArn, MAPPING_CONFIG) ??
        (await readMapping({ aws, ...(reads ? { reads } : {}) }, action));
    } catch (error) {
      if (isResourceGone(error)) throw gone(what);
      throw error;
    }
    const fresh = toMappingFacts(raw);
    if (!fresh) throw gone(what);
    if (mappingMismatches(action.changes, raw).length === 0) return 'unchanged';
    const changed = (Object.keys(action.changes) as Array<keyof EventSourceMappingChanges>).filter(
      (field) => !isDeepStrictEqual(MAPPING_FIELD[field](planned), MAPPING_FIELD[field](fresh)),
    );
    if (changed.length > 0) throw changedSince(what, changed);
    return 'proceed';
  },
  async write(action, ctx) {
    // A mapping accepts one update at a time: wait out a previous one still in progress.
    const { UpdateEventSourceMappingCommand } = await sdk.lambda();
    const answer = await retryWhileConflicting(ctx, () =>
      ctx.aws.lambda.send(
        new UpdateEventSourceMappingCommand({ UUID: action.mappingUuid, ...action.changes }),
      ),
    );
    // The answer is the mapping as updated: the read-back, and what the next finding on this
    // mapping starts from.
    const notShownByAnswer = mappingMismatches(action.changes, answer);
    if (notShownByAnswer.length === 0) ctx.reads?.reading(action.mappingArn, MAPPING_CONFIG).done(answer);
    return { change: 'updated', receipt: undefined, notShownByAnswer };
  },
  readBack: async (action, ctx) => mappingMismatches(action.changes, await readMapping(ctx, action)),
};

const MAPPING_CONFIG = 'lambda:event-source-mapping';

/** GetEventSourceMapping, remembered for the next finding on the mapping. */
async function readMapping(
  ctx: { readonly aws: AwsClients; readonly reads?: CycleReads },
  action: UpdateEventSourceMapping,
): Promise<EventSourceMappingConfiguration> {
  const { GetEventSourceMappingCommand } = await sdk.lambda();
  const ticket = ctx.reads?.reading(action.mappingArn, MAPPING_CONFIG);
  const raw = await ctx.aws.lambda.send(new GetEventSourceMappingCommand({ UUID: action.mappingUuid }));
  ticket?.done(raw);
  return raw;
}
