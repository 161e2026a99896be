import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { sdk } from '../aws/sdk.js';
import { DYNAMODB_STREAM_RETENTION_SECONDS, type MappingFacts } from './inventory.js';
import { UnexpectedResponseError } from './shape.js';

/** One DescribeStreamSummary: how long the Kinesis stream keeps a record, in seconds. */
export async function readKinesisRetentionSeconds(
  kinesis: KinesisClient,
  streamArn: string,
): Promise<number> {
  const { DescribeStreamSummaryCommand } = await sdk.kinesis();
  const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: streamArn }));
  const hours = out.StreamDescriptionSummary?.RetentionPeriodHours;
  if (hours === undefined) {
    throw new UnexpectedResponseError(
      streamArn,
      'RetentionPeriodHours',
      'is missing from DescribeStreamSummary',
    );
  }
  if (!Number.isInteger(hours) || hours < 1) {
    throw new UnexpectedResponseError(
      streamArn,
      'RetentionPeriodHours',
      `is ${JSON.stringify(hours)}, not a positive integer`,
    );
  }
  return hours * 3600;
}

/**
 * The retention of the streams these mappings read, keyed by stream ARN. DynamoDB streams keep
 * 24 hours (no call); a Kinesis stream is read once, however many mappings read it. A failed read
 * is reported as the read error of every mapping on that stream, and its key is left out.
 * `limit` runs each read: discovery passes its requeueing runner (src/discovery/readRequeue.ts),
 * so the failure reported is the one still there after every round.
 */
export async function readStreamRetentions(
  kinesis: KinesisClient,
  mappings: readonly MappingFacts[],
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
  onError: (mapping: MappingFacts, error: unknown) => void,
): Promise<Map<string, number>> {
  const retention = new Map<string, number>();
  const kinesisStreams = new Map<string, MappingFacts[]>();
  for (const m of mappings) {
    if (m.sourceKind === 'dynamodb') retention.set(m.eventSourceArn, DYNAMODB_STREAM_RETENTION_SECONDS);
    if (m.sourceKind !== 'kinesis') continue;
    kinesisStreams.set(m.eventSourceArn, [...(kinesisStreams.get(m.eventSourceArn) ?? []), m]);
  }
  await Promise.all(
    [...kinesisStreams].map(async ([streamArn, readers]) => {
      try {
        // `limit` may run the read again (requeued): the error is the last one.
        retention.set(streamArn, await limit(() => readKinesisRetentionSeconds(kinesis, streamArn)));
      } catch (error) {
        for (const m of readers) onError(m, error);
      }
    }),
  );
  return retention;
}
