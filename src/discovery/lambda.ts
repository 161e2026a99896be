import {
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';

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
