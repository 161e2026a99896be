import type { EventSourceMappingConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import { parseArn, unqualifiedFunctionArn } from '../aws/arn.js';
import type {
  FunctionFacts,
  MappingFacts,
  QueueConsumer,
  QueueFacts,
  ReadError,
  TaggedResource,
} from './inventory.js';
import { functionTimeoutSeconds, mappingResourceArn, toMappingFacts } from './lambda.js';
import { toReadError } from './readErrors.js';
import { UnexpectedResponseError } from './shape.js';

/**
 * Pure: the mappings of selected functions and of selected queues, from ListEventSourceMappings.
 * One of unexpected shape is a read error when it may be ours; any other error is a bug, thrown.
 */
export function relevantMappings(
  listed: readonly EventSourceMappingConfiguration[],
  selectedFunctionArns: ReadonlySet<string>,
  selectedQueueArns: ReadonlySet<string>,
): { mappings: MappingFacts[]; readErrors: ReadError[] } {
  const mappings: MappingFacts[] = [];
  const readErrors: ReadError[] = [];
  const relevant = (functionArn: string | undefined, eventSourceArn: string | undefined) =>
    (functionArn !== undefined && selectedFunctionArns.has(unqualifiedFunctionArn(functionArn))) ||
    (eventSourceArn !== undefined && selectedQueueArns.has(eventSourceArn));
  for (const m of listed) {
    try {
      const facts = toMappingFacts(m);
      if (facts && relevant(facts.functionArn, facts.eventSourceArn)) mappings.push(facts);
    } catch (error) {
      if (!(error instanceof UnexpectedResponseError)) throw error;
      // Without a FunctionArn nobody can tell whose it is: reported, in case it is ours.
      const resource = mappingResourceArn(m);
      if (resource && (!m.FunctionArn || relevant(m.FunctionArn, m.EventSourceArn)))
        readErrors.push(toReadError(resource, 'ListEventSourceMappings', error));
    }
  }
  return { mappings, readErrors };
}

/**
 * Pure: the functions to know, the selected ones and every function consuming a selected queue,
 * from ListFunctions. One missing there was deleted since tagged, or is in another account.
 */
export function functionFactsOf(
  listed: readonly FunctionConfiguration[],
  selectedFunctions: readonly TaggedResource[],
  mappings: readonly MappingFacts[],
  asyncInvokers: ReadonlyMap<string, readonly string[]>,
): { functions: Map<string, FunctionFacts>; readErrors: ReadError[] } {
  const configs = new Map<string, FunctionConfiguration>(listed.map((f) => [f.FunctionArn ?? '', f]));
  const functionTags = new Map(selectedFunctions.map((r) => [r.arn, r.tags]));
  const functions = new Map<string, FunctionFacts>();
  const readErrors: ReadError[] = [];
  for (const arn of new Set([...functionTags.keys(), ...mappings.map((m) => m.functionArn)])) {
    const config = configs.get(arn);
    if (!config) continue;
    let timeoutSeconds: number;
    try {
      timeoutSeconds = functionTimeoutSeconds(arn, config);
    } catch (error) {
      readErrors.push(toReadError(arn, 'ListFunctions', error));
      continue;
    }
    functions.set(arn, {
      arn,
      name: config.FunctionName ?? parseArn(arn).resource.replace(/^function:/, ''),
      timeoutSeconds,
      tags: { ...(functionTags.get(arn) ?? {}) },
      asyncInvokers: [...(asyncInvokers.get(arn) ?? [])],
    });
  }
  return { functions, readErrors };
}

/** Pure: the Lambda consumers of each queue read, with their function's timeout when known. */
export function consumersOf(
  mappings: readonly MappingFacts[],
  queues: ReadonlyMap<string, QueueFacts>,
  functions: ReadonlyMap<string, FunctionFacts>,
): Map<string, QueueConsumer[]> {
  const consumers = new Map<string, QueueConsumer[]>();
  for (const m of mappings) {
    if (m.sourceKind !== 'sqs' || !queues.has(m.eventSourceArn)) continue;
    const timeout = functions.get(m.functionArn)?.timeoutSeconds;
    const list = consumers.get(m.eventSourceArn) ?? [];
    list.push({
      mappingUuid: m.uuid,
      functionArn: m.functionArn,
      ...(timeout !== undefined ? { functionTimeoutSeconds: timeout } : {}),
      maximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds,
      state: m.state,
    });
    consumers.set(m.eventSourceArn, list);
  }
  return consumers;
}
