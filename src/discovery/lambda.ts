import type {
  EventSourceMappingConfiguration,
  FunctionConfiguration,
  GetFunctionEventInvokeConfigCommandOutput,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { unqualifiedFunctionArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import {
  ASYNC_DEFAULTS,
  type EventInvokeConfigFacts,
  type FunctionFacts,
  type MappingFacts,
  type MappingSourceKind,
  type ReadError,
} from './inventory.js';
import { toReadError } from './readErrors.js';
import type { ReadRunner } from './readRequeue.js';
import { knownValue, UnexpectedResponseError } from './shape.js';

/** Every state an event source mapping can be in (rules defer the busy ones). */
export const MAPPING_STATES = [
  'Creating',
  'Enabling',
  'Enabled',
  'Disabling',
  'Disabled',
  'Updating',
  'Deleting',
] as const;
/** An unknown response type might mean something a write of ours would drop. */
export const FUNCTION_RESPONSE_TYPES = ['ReportBatchItemFailures'] as const;
export const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;

/** The ARN that names a mapping in findings, from whatever the answer has; undefined if nothing does. */
export function mappingResourceArn(m: EventSourceMappingConfiguration): string | undefined {
  if (m.EventSourceMappingArn) return m.EventSourceMappingArn;
  if (m.FunctionArn && m.UUID)
    return `${m.FunctionArn.split(':function:')[0]}:event-source-mapping:${m.UUID}`;
  return m.FunctionArn ?? m.EventSourceArn;
}

/** Every event source mapping in the target, 100 per page (never one call per function). */
export async function listEventSourceMappings(
  lambda: LambdaClient,
): Promise<EventSourceMappingConfiguration[]> {
  const { paginateListEventSourceMappings } = await sdk.lambda();
  const all: EventSourceMappingConfiguration[] = [];
  for await (const page of paginateListEventSourceMappings({ client: lambda, pageSize: 100 }, {}))
    all.push(...(page.EventSourceMappings ?? []));
  return all;
}

/** Every function's $LATEST configuration, 50 per page. */
export async function listFunctions(lambda: LambdaClient): Promise<FunctionConfiguration[]> {
  const { paginateListFunctions } = await sdk.lambda();
  const all: FunctionConfiguration[] = [];
  for await (const page of paginateListFunctions({ client: lambda, pageSize: 50 }, {}))
    all.push(...(page.Functions ?? []));
  return all;
}

/** Which service a mapping reads from, by its event source ARN. */
export function mappingSourceKind(eventSourceArn: string): MappingSourceKind {
  const service = eventSourceArn.split(':')[2];
  if (service === 'sqs') return 'sqs';
  if (service === 'kinesis') return 'kinesis';
  if (service === 'dynamodb' && eventSourceArn.includes('/stream/')) return 'dynamodb';
  return 'other';
}

/** AWS answers `OnFailure: {}` (or no DestinationConfig) for "no destination": both mean none. */
function destination(target: { Destination?: string } | undefined): string | undefined {
  return target?.Destination ? target.Destination : undefined;
}

/**
 * A mapping, normalised. undefined for one without an event source ARN (self-managed Kafka: not
 * something the rules look at); an UnexpectedResponseError when a field the rules rely on is
 * missing, or holds a value this code does not know.
 */
export function toMappingFacts(m: EventSourceMappingConfiguration): MappingFacts | undefined {
  const resource = mappingResourceArn(m) ?? 'an event source mapping';
  if (!m.UUID) throw new UnexpectedResponseError(resource, 'UUID', 'is missing');
  if (!m.FunctionArn) throw new UnexpectedResponseError(resource, 'FunctionArn', 'is missing');
  if (!m.EventSourceArn) return undefined;
  if (m.State === undefined) throw new UnexpectedResponseError(resource, 'State', 'is missing');
  const state = knownValue(resource, 'State', m.State, MAPPING_STATES);
  const responseTypes = (m.FunctionResponseTypes ?? []).map((t) =>
    knownValue(resource, 'FunctionResponseTypes', t, FUNCTION_RESPONSE_TYPES),
  );
  if (m.StartingPosition !== undefined)
    knownValue(resource, 'StartingPosition', m.StartingPosition, STARTING_POSITIONS);
  const onFailure = destination(m.DestinationConfig?.OnFailure);
  return {
    uuid: m.UUID,
    arn: m.EventSourceMappingArn ?? `${m.FunctionArn.split(':function:')[0]}:event-source-mapping:${m.UUID}`,
    functionArn: unqualifiedFunctionArn(m.FunctionArn),
    eventSourceArn: m.EventSourceArn,
    sourceKind: mappingSourceKind(m.EventSourceArn),
    state,
    bisectBatchOnFunctionError: m.BisectBatchOnFunctionError === true,
    maximumRetryAttempts: m.MaximumRetryAttempts ?? -1,
    maximumRecordAgeInSeconds: m.MaximumRecordAgeInSeconds ?? -1,
    ...(onFailure ? { onFailureDestination: onFailure } : {}),
    functionResponseTypes: responseTypes,
    maximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds ?? 0,
  };
}

/** A function's timeout, or its UnexpectedResponseError: the visibility rule is computed from it. */
export function functionTimeoutSeconds(arn: string, config: FunctionConfiguration): number {
  const timeout = config.Timeout;
  if (timeout === undefined)
    throw new UnexpectedResponseError(arn, 'Timeout', 'is missing from ListFunctions');
  if (!Number.isInteger(timeout) || timeout < 1) {
    throw new UnexpectedResponseError(
      arn,
      'Timeout',
      `is ${JSON.stringify(timeout)}, not a positive integer`,
    );
  }
  return timeout;
}

/** One GetFunctionEventInvokeConfig; null when the function has none. */
/** An event-invoke config as Get (or Put, which answers with it) returns it, as facts. */
export function eventInvokeConfigFacts(
  out: Pick<
    GetFunctionEventInvokeConfigCommandOutput,
    'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | 'DestinationConfig'
  >,
): EventInvokeConfigFacts {
  const onFailure = destination(out.DestinationConfig?.OnFailure);
  const onSuccess = destination(out.DestinationConfig?.OnSuccess);
  return {
    maximumRetryAttempts: out.MaximumRetryAttempts ?? ASYNC_DEFAULTS.maximumRetryAttempts,
    maximumEventAgeInSeconds: out.MaximumEventAgeInSeconds ?? ASYNC_DEFAULTS.maximumEventAgeInSeconds,
    ...(onFailure ? { onFailureDestination: onFailure } : {}),
    ...(onSuccess ? { onSuccessDestination: onSuccess } : {}),
  };
}

export async function readEventInvokeConfig(
  lambda: LambdaClient,
  functionArn: string,
): Promise<EventInvokeConfigFacts | null> {
  const { GetFunctionEventInvokeConfigCommand } = await sdk.lambda();
  try {
    const out = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: functionArn }));
    return eventInvokeConfigFacts(out);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
    throw error;
  }
}

/**
 * The event-invoke config of each of these functions (one call each, requeued while it fails
 * with a retryable error), as the functions' new facts; a final failure is the function's read
 * error and leaves its facts as they were.
 */
export async function readEventInvokeConfigs(
  lambda: LambdaClient,
  functions: readonly FunctionFacts[],
  run: ReadRunner,
  readErrors: ReadError[],
): Promise<FunctionFacts[]> {
  const read = await Promise.all(
    functions.map(async (fn): Promise<FunctionFacts | undefined> => {
      try {
        return { ...fn, eventInvokeConfig: await run(() => readEventInvokeConfig(lambda, fn.arn)) };
      } catch (error) {
        readErrors.push(toReadError(fn.arn, 'GetFunctionEventInvokeConfig', error));
        return undefined;
      }
    }),
  );
  return read.filter((fn) => fn !== undefined);
}
