import { isDeepStrictEqual } from 'node:util';
import {
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { MappingFacts } from '../../discovery/inventory.js';
import { toMappingFacts } from '../../discovery/lambda.js';
import type { Action, EventSourceMappingChanges } from '../../reconcile/model.js';
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
  async precondition(action, { aws, inventory }): Promise<PreconditionVerdict> {
    const planned = inventory.mappings.find((m) => m.uuid === action.mappingUuid);
    if (!planned) return 'proceed';
    const what = `event source mapping ${action.mappingUuid}`;
    let raw: EventSourceMappingConfiguration;
    try {
      raw = await aws.lambda.send(new GetEventSourceMappingCommand({ UUID: action.mappingUuid }));
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
    await retryWhileConflicting(ctx, () =>
      ctx.aws.lambda.send(
        new UpdateEventSourceMappingCommand({ UUID: action.mappingUuid, ...action.changes }),
      ),
    );
    return { change: 'updated', receipt: undefined };
  },
  readBack: async (action, ctx) =>
    mappingMismatches(
      action.changes,
      await ctx.aws.lambda.send(new GetEventSourceMappingCommand({ UUID: action.mappingUuid })),
    ),
};
