/**
 * Optimistic concurrency for writes. SQS and Lambda have no conditional updates, so before a
 * finding's first write the fields it is about to overwrite are read again and compared with what
 * the plan saw. Someone else's edit since discovery (a person, a pipeline) is then never silently
 * overwritten, and a resource deleted since discovery is never recreated: the finding is deferred,
 * and the next cycle plans from fresh facts. The race window shrinks from the whole cycle to the
 * few milliseconds between this read and the write.
 */

import { isDeepStrictEqual } from 'node:util';
import { GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, type QueueAttributeName } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws/clients.js';
import type { Inventory, MappingFacts, QueueFacts } from '../discovery/inventory.js';
import { readEventInvokeConfig, toMappingFacts } from '../discovery/lambda.js';
import { isQueueMissing } from '../discovery/sqs.js';
import { EdaguardError } from '../errors.js';
import type { Action, EventSourceMappingChanges } from '../reconcile/model.js';
import { sameAttributeValue } from './queueAttributes.js';

/** Why a finding's writes did not start. `code`: RESOURCE_GONE or CHANGED_SINCE_DISCOVERY. */
export class PreconditionFailedError extends EdaguardError {
  constructor(
    code: 'RESOURCE_GONE' | 'CHANGED_SINCE_DISCOVERY',
    message: string,
    readonly fields: readonly string[] = [],
  ) {
    super(code, message);
  }
}

/** Resource missing at write time (deleted since discovery), per service. */
export function isResourceGone(error: unknown): boolean {
  return isQueueMissing(error) || (error as { name?: string })?.name === 'ResourceNotFoundException';
}

/** The queue attribute as discovery saw it, in the form SQS returns (undefined: absent). */
function observedQueueAttribute(facts: QueueFacts, name: string): string | undefined {
  switch (name) {
    case 'VisibilityTimeout':
      return String(facts.visibilityTimeout);
    case 'MessageRetentionPeriod':
      return String(facts.messageRetentionPeriod);
    case 'RedrivePolicy':
      return facts.redrivePolicy ? JSON.stringify(facts.redrivePolicy) : undefined;
    default:
      // Not an attribute the planner writes; nothing to compare with.
      return undefined;
  }
}

const MAPPING_FIELD: Record<keyof EventSourceMappingChanges, (m: MappingFacts) => unknown> = {
  BisectBatchOnFunctionError: (m) => m.bisectBatchOnFunctionError,
  MaximumRetryAttempts: (m) => m.maximumRetryAttempts,
  MaximumRecordAgeInSeconds: (m) => m.maximumRecordAgeInSeconds,
  DestinationConfig: (m) => m.onFailureDestination,
  FunctionResponseTypes: (m) => [...m.functionResponseTypes].sort(),
};

async function checkAction(action: Action, inventory: Inventory, aws: AwsClients): Promise<void> {
  switch (action.kind) {
    case 'SetQueueAttributes': {
      const planned = inventory.queues.get(action.queueArn);
      if (!planned) return; // created in this cycle: nobody else knew it
      const names = Object.keys(action.attributes);
      let current: Record<string, string>;
      try {
        const out = await aws.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: action.queueUrl,
            AttributeNames: names as QueueAttributeName[],
          }),
        );
        current = out.Attributes ?? {};
      } catch (error) {
        if (isQueueMissing(error)) throw gone(`queue ${planned.name}`);
        throw error;
      }
      const changed = names.filter(
        (n) => !sameAttributeValue(n, observedQueueAttribute(planned, n), current[n]),
      );
      if (changed.length > 0) throw changedSince(`queue ${planned.name}`, changed);
      return;
    }
    case 'UpdateEventSourceMapping': {
      const planned = inventory.mappings.find((m) => m.uuid === action.mappingUuid);
      if (!planned) return;
      let fresh: MappingFacts | undefined;
      try {
        fresh = toMappingFacts(
          await aws.lambda.send(new GetEventSourceMappingCommand({ UUID: action.mappingUuid })),
        );
      } catch (error) {
        if (isResourceGone(error)) throw gone(`event source mapping ${action.mappingUuid}`);
        throw error;
      }
      if (!fresh) throw gone(`event source mapping ${action.mappingUuid}`);
      const changed = (Object.keys(action.changes) as Array<keyof EventSourceMappingChanges>).filter(
        (field) => !isDeepStrictEqual(MAPPING_FIELD[field](planned), MAPPING_FIELD[field](fresh)),
      );
      if (changed.length > 0) throw changedSince(`event source mapping ${action.mappingUuid}`, changed);
      return;
    }
    case 'PutFunctionEventInvokeConfig': {
      const planned = inventory.functions.get(action.functionArn)?.eventInvokeConfig;
      if (planned === undefined) return;
      // A deleted function reads as "no config"; its Put then fails not-found (see isResourceGone).
      const fresh = await readEventInvokeConfig(aws.lambda, action.functionArn);
      if (!isDeepStrictEqual(planned, fresh))
        throw changedSince(`function ${action.functionArn.split(':').pop()}`, ['EventInvokeConfig']);
      return;
    }
    default:
      // Queues and alarms edaguard creates and owns; DynamoDB TTL and billing mode are one-way
      // switches whose write fails not-found on a deleted table.
      return;
  }
}

function gone(what: string): PreconditionFailedError {
  return new PreconditionFailedError(
    'RESOURCE_GONE',
    `${what} was deleted after discovery; edaguard does not recreate it`,
  );
}

function changedSince(what: string, fields: readonly string[]): PreconditionFailedError {
  return new PreconditionFailedError(
    'CHANGED_SINCE_DISCOVERY',
    `${what} changed after discovery (${fields.join(', ')}); not overwritten, the next cycle plans from what is there now`,
    fields,
  );
}

/**
 * Reads again, before any of a finding's writes, what each write would overwrite; throws
 * PreconditionFailedError when it is gone or no longer what the plan saw. All of a finding's
 * checks run before its first write, so a DLQ is not created for a source queue deleted meanwhile.
 */
export async function checkPreconditions(
  actions: readonly Action[],
  inventory: Inventory,
  aws: AwsClients,
): Promise<void> {
  for (const action of actions) await checkAction(action, inventory, aws);
}
