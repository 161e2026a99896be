import {
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  GetFunctionEventInvokeConfigCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { unqualifiedFunctionArn } from '../aws/arn.js';
import {
  ASYNC_DEFAULTS,
  type EventInvokeConfigFacts,
  type MappingFacts,
  type MappingSourceKind,
} from './inventory.js';

/** Every event source mapping in the target, 100 per page (never one call per function). */
export async function listEventSourceMappings(
  lambda: LambdaClient,
): Promise<EventSourceMappingConfiguration[]> {
  const all: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListEventSourceMappingsCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) }),
    );
    all.push(...(page.EventSourceMappings ?? []));
    marker = page.NextMarker || undefined;
  } while (marker);
  return all;
}

/** Every function's $LATEST configuration, 50 per page. */
export async function listFunctions(lambda: LambdaClient): Promise<FunctionConfiguration[]> {
  const all: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListFunctionsCommand({ MaxItems: 50, ...(marker ? { Marker: marker } : {}) }),
    );
    all.push(...(page.Functions ?? []));
    marker = page.NextMarker || undefined;
  } while (marker);
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

export function toMappingFacts(m: EventSourceMappingConfiguration): MappingFacts | undefined {
  if (!m.UUID || !m.FunctionArn || !m.EventSourceArn) return undefined;
  const onFailure = destination(m.DestinationConfig?.OnFailure);
  return {
    uuid: m.UUID,
    arn: m.EventSourceMappingArn ?? `${m.FunctionArn.split(':function:')[0]}:event-source-mapping:${m.UUID}`,
    functionArn: unqualifiedFunctionArn(m.FunctionArn),
    eventSourceArn: m.EventSourceArn,
    sourceKind: mappingSourceKind(m.EventSourceArn),
    state: m.State ?? 'Enabled',
    bisectBatchOnFunctionError: m.BisectBatchOnFunctionError === true,
    maximumRetryAttempts: m.MaximumRetryAttempts ?? -1,
    maximumRecordAgeInSeconds: m.MaximumRecordAgeInSeconds ?? -1,
    ...(onFailure ? { onFailureDestination: onFailure } : {}),
    functionResponseTypes: [...(m.FunctionResponseTypes ?? [])],
    maximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds ?? 0,
  };
}

/** One GetFunctionEventInvokeConfig; null when the function has none. */
export async function readEventInvokeConfig(
  lambda: LambdaClient,
  functionArn: string,
): Promise<EventInvokeConfigFacts | null> {
  try {
    const out = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: functionArn }));
    const onFailure = destination(out.DestinationConfig?.OnFailure);
    const onSuccess = destination(out.DestinationConfig?.OnSuccess);
    return {
      maximumRetryAttempts: out.MaximumRetryAttempts ?? ASYNC_DEFAULTS.maximumRetryAttempts,
      maximumEventAgeInSeconds: out.MaximumEventAgeInSeconds ?? ASYNC_DEFAULTS.maximumEventAgeInSeconds,
      ...(onFailure ? { onFailureDestination: onFailure } : {}),
      ...(onSuccess ? { onSuccessDestination: onSuccess } : {}),
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return null;
    throw error;
  }
}
