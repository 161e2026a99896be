/** Discovery's Lambda stage: the account-wide lists, then the per-function reads they call for. */
import { findAsyncInvokers } from './asyncTriggers.js';
import { type Discovery, selectedArns } from './discoveryContext.js';
import { functionFactsOf, relevantMappings } from './functionFacts.js';
import type { FunctionFacts, MappingFacts } from './inventory.js';
import { listEventSourceMappings, listFunctions, readEventInvokeConfigs } from './lambda.js';
import { toReadError } from './readErrors.js';
import { functionsNeedingInvokeConfig, mappingsNeedingStreamRetention } from './readPlan.js';
import { selectedOfType } from './selection.js';
import { readStreamRetentions } from './streamRetention.js';

export interface LambdaLists {
  readonly mappings: Awaited<ReturnType<typeof listEventSourceMappings>>;
  readonly functions: Awaited<ReturnType<typeof listFunctions>>;
  readonly asyncInvokers: ReadonlyMap<string, readonly string[]>;
}

/** The account-wide Lambda lists (and async callers), when some selected resource needs them. */
export async function readLambda(d: Discovery): Promise<LambdaLists | undefined> {
  const { readPlan, aws } = d;
  const selectedFunctions = selectedOfType(d.selection, 'lambda:function').length;
  const asyncInvokers =
    readPlan.needsAsyncInvokers && selectedFunctions > 0
      ? findAsyncInvokers(aws, d.limit)
      : Promise.resolve(new Map<string, string[]>());
  if (
    !readPlan.needsFunctions ||
    (selectedFunctions === 0 && selectedOfType(d.selection, 'sqs:queue').length === 0)
  ) {
    await asyncInvokers;
    return undefined;
  }
  const [mappings, functions, invokers] = await Promise.all([
    readPlan.needsMappings ? listEventSourceMappings(aws.lambda) : Promise.resolve([]),
    listFunctions(aws.lambda),
    asyncInvokers,
  ]);
  return { mappings, functions, asyncInvokers: invokers };
}

/**
 * Mappings and functions from the lists, then the per-function reads they call for: stream
 * retention (stream rule) and event-invoke configs (async rule), overlapping.
 */
export async function readFunctionDetails(d: Discovery, lambda: LambdaLists | undefined) {
  const { policies } = d.policySet;
  const selectedFunctions = selectedOfType(d.selection, 'lambda:function');
  const selectedFunctionArns = new Set(selectedFunctions.map((r) => r.arn));
  const listed = relevantMappings(lambda?.mappings ?? [], selectedFunctionArns, selectedArns(d, 'sqs:queue'));
  const { mappings } = listed;
  const facts = functionFactsOf(
    lambda?.functions ?? [],
    selectedFunctions,
    mappings,
    lambda?.asyncInvokers ?? new Map(),
  );
  d.readErrors.push(...listed.readErrors, ...facts.readErrors);
  const functions: Map<string, FunctionFacts> = facts.functions;
  const selectedTags = new Map(selectedFunctions.map((r) => [r.arn, r.tags]));
  const retentionsToRead = mappingsNeedingStreamRetention(policies, mappings, selectedTags);
  const configsToRead = functionsNeedingInvokeConfig(policies, functions, selectedFunctionArns);
  // A client is touched only when there is something to read with it (touching one loads its SDK package).
  const [streamRetentionSeconds, withConfigs] = await Promise.all([
    retentionsToRead.length === 0
      ? new Map<string, number>()
      : readStreamRetentions(d.aws.kinesis, retentionsToRead, d.run, (m: MappingFacts, error) =>
          d.readErrors.push(toReadError(m.arn, 'DescribeStreamSummary', error)),
        ),
    configsToRead.length === 0
      ? []
      : readEventInvokeConfigs(d.aws.lambda, configsToRead, d.run, d.readErrors),
  ]);
  for (const fn of withConfigs) functions.set(fn.arn, fn);
  return { functions, mappings, streamRetentionSeconds };
}
