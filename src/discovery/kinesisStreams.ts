import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { sdk } from '../aws/sdk.js';
import type { ReadError, StreamFacts, TaggedResource } from './inventory.js';
import { toMappingFacts } from './lambda.js';
import { toReadError } from './readErrors.js';
import type { ReadRunner } from './readRequeue.js';
import { readKinesisRetentionSeconds } from './streamRetention.js';
import type { TaggedArn } from './tagging.js';

/**
 * Every Kinesis stream with its tags: ListStreams (paginated) then one ListTagsForStream per
 * stream. The tagging API does not list Kinesis streams everywhere (moto's does not), so streams
 * are selected from this list. A stream whose tags cannot be read is that stream's read error.
 */
export async function listTaggedStreams(
  kinesis: KinesisClient,
  run: ReadRunner,
  readErrors: ReadError[],
): Promise<TaggedArn[]> {
  const { paginateListStreams } = await sdk.kinesis();
  const arns = new Set<string>();
  for await (const page of paginateListStreams({ client: kinesis, pageSize: 100 }, {}))
    for (const s of page.StreamSummaries ?? []) if (s.StreamARN) arns.add(s.StreamARN);
  const found: TaggedArn[] = [];
  await Promise.all(
    [...arns].map(async (arn) => {
      try {
        found.push({ arn, tags: await run(() => readStreamTags(kinesis, arn)) });
      } catch (error) {
        readErrors.push(toReadError(arn, 'ListTagsForStream', error));
      }
    }),
  );
  return found.sort((a, b) => a.arn.localeCompare(b.arn));
}

async function readStreamTags(kinesis: KinesisClient, arn: string): Promise<Record<string, string>> {
  const { ListTagsForStreamCommand } = await sdk.kinesis();
  const tags: Record<string, string> = {};
  let start: string | undefined;
  for (;;) {
    const out = await kinesis.send(
      new ListTagsForStreamCommand({ StreamARN: arn, Limit: 50, ExclusiveStartTagKey: start }),
    );
    for (const tag of out.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
    start = out.Tags?.at(-1)?.Key;
    if (!out.HasMoreTags || start === undefined) return tags;
  }
}

/** Every event source mapping reading the stream (ListEventSourceMappings by EventSourceArn). */
async function readStreamMappings(lambda: LambdaClient, streamArn: string) {
  const { paginateListEventSourceMappings } = await sdk.lambda();
  const ages: { uuid: string; maximumRecordAgeInSeconds: number }[] = [];
  const pages = paginateListEventSourceMappings(
    { client: lambda, pageSize: 100 },
    { EventSourceArn: streamArn },
  );
  for await (const page of pages) {
    for (const m of page.EventSourceMappings ?? []) {
      const facts = toMappingFacts(m);
      if (facts?.eventSourceArn === streamArn)
        ages.push({ uuid: facts.uuid, maximumRecordAgeInSeconds: facts.maximumRecordAgeInSeconds });
    }
  }
  return ages.sort((a, b) => a.uuid.localeCompare(b.uuid));
}

/**
 * The selected streams' facts: retention (taken from `knownRetentionSeconds` when the stream
 * rule of the mappings already read it, else one DescribeStreamSummary) and the record-age limit
 * of each mapping reading it. A stream with a failed read is left out, with its read error.
 */
export async function readStreams(input: {
  readonly kinesis: KinesisClient;
  readonly lambda: LambdaClient;
  readonly selected: readonly TaggedResource[];
  readonly knownRetentionSeconds: ReadonlyMap<string, number>;
  readonly run: ReadRunner;
  readonly readErrors: ReadError[];
}): Promise<Map<string, StreamFacts>> {
  const streams = new Map<string, StreamFacts>();
  await Promise.all(
    input.selected.map(async (s) => {
      let operation = 'DescribeStreamSummary';
      try {
        const known = input.knownRetentionSeconds.get(s.arn);
        const seconds = known ?? (await input.run(() => readKinesisRetentionSeconds(input.kinesis, s.arn)));
        operation = 'ListEventSourceMappings';
        const mappings = await input.run(() => readStreamMappings(input.lambda, s.arn));
        const name = s.arn.slice(s.arn.indexOf(':stream/') + ':stream/'.length);
        streams.set(s.arn, { arn: s.arn, name, tags: s.tags, retentionHours: seconds / 3600, mappings });
      } catch (error) {
        input.readErrors.push(toReadError(s.arn, operation, error));
      }
    }),
  );
  return new Map([...streams].sort(([a], [b]) => a.localeCompare(b)));
}
