import type { DescribePipeCommandOutput, PipesClient } from '@aws-sdk/client-pipes';
import { sdk } from '../aws/sdk.js';
import type { PipeFacts, ReadError, TaggedResource } from './inventory.js';
import { mappingSourceKind } from './lambda.js';
import { toReadError } from './readErrors.js';
import type { ReadRunner } from './readRequeue.js';
import type { TaggedArn } from './tagging.js';

/** What DescribePipe answers, as discovery keeps it until selection is known. */
export type DescribedPipe = Omit<DescribePipeCommandOutput, '$metadata'>;

/** Every pipe with its tags, and each DescribePipe answer (the selected pipes' facts come from it). */
export interface PipeListing {
  readonly tagged: TaggedArn[];
  readonly described: ReadonlyMap<string, DescribedPipe>;
}

/** AWS's default for a stream source's MaximumRetryAttempts and MaximumRecordAgeInSeconds: infinite. */
const INFINITE = -1;

/**
 * Every pipe: ListPipes (paginated), then one DescribePipe per pipe, which answers its tags and
 * its source parameters in one call. The tagging API does not list pipes everywhere (moto's does
 * not), so pipes are selected from this list. A pipe whose DescribePipe fails is its read error.
 */
export async function listTaggedPipes(
  pipes: PipesClient,
  run: ReadRunner,
  readErrors: ReadError[],
): Promise<PipeListing> {
  const { paginateListPipes } = await sdk.pipes();
  const names = new Map<string, string>();
  for await (const page of paginateListPipes({ client: pipes, pageSize: 100 }, {}))
    for (const p of page.Pipes ?? []) if (p.Arn && p.Name) names.set(p.Arn, p.Name);
  const described = new Map<string, DescribedPipe>();
  await Promise.all(
    [...names].map(async ([arn, name]) => {
      const { DescribePipeCommand } = await sdk.pipes();
      try {
        const { $metadata: _, ...answer } = await run(() =>
          pipes.send(new DescribePipeCommand({ Name: name })),
        );
        described.set(arn, answer);
      } catch (error) {
        readErrors.push(toReadError(arn, 'DescribePipe', error));
      }
    }),
  );
  const tagged = [...described].map(([arn, answer]) => ({ arn, tags: { ...(answer.Tags ?? {}) } }));
  return { tagged: tagged.sort((a, b) => a.arn.localeCompare(b.arn)), described };
}

/** The stream source parameters of a DescribePipe answer, by source kind (undefined: not a stream). */
export function streamParametersOf(
  answer: Pick<DescribedPipe, 'SourceParameters'>,
  kind: PipeFacts['sourceKind'],
): Record<string, unknown> | undefined {
  if (kind === 'kinesis') return { ...(answer.SourceParameters?.KinesisStreamParameters ?? {}) };
  if (kind === 'dynamodb') return { ...(answer.SourceParameters?.DynamoDBStreamParameters ?? {}) };
  return undefined;
}

/** A pipe's facts from its DescribePipe answer, with AWS's defaults for absent fields (pure). */
export function toPipeFacts(arn: string, answer: DescribedPipe): PipeFacts {
  const sourceArn = answer.Source ?? '';
  const sourceKind = mappingSourceKind(sourceArn);
  const raw = streamParametersOf(answer, sourceKind);
  const num = (value: unknown) => (typeof value === 'number' ? value : INFINITE);
  const deadLetter = (raw?.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
  return {
    arn,
    name: answer.Name ?? arn.slice(arn.indexOf(':pipe/') + ':pipe/'.length),
    tags: { ...(answer.Tags ?? {}) },
    sourceArn,
    sourceKind,
    ...(answer.CurrentState ? { currentState: answer.CurrentState } : {}),
    ...(answer.RoleArn ? { roleArn: answer.RoleArn } : {}),
    ...(raw
      ? {
          streamSource: {
            maximumRetryAttempts: num(raw.MaximumRetryAttempts),
            maximumRecordAgeInSeconds: num(raw.MaximumRecordAgeInSeconds),
            ...(typeof raw.OnPartialBatchItemFailure === 'string'
              ? { onPartialBatchItemFailure: raw.OnPartialBatchItemFailure }
              : {}),
            ...(deadLetter ? { deadLetterArn: deadLetter } : {}),
            raw,
          },
        }
      : {}),
  };
}

/** The selected pipes' facts, keyed by ARN (a pipe whose DescribePipe failed is not among them). */
export function selectedPipes(
  selected: readonly TaggedResource[],
  described: ReadonlyMap<string, DescribedPipe>,
): Map<string, PipeFacts> {
  const pipes = new Map<string, PipeFacts>();
  for (const { arn } of [...selected].sort((a, b) => a.arn.localeCompare(b.arn))) {
    const answer = described.get(arn);
    if (answer) pipes.set(arn, toPipeFacts(arn, answer));
  }
  return pipes;
}
