/** Reads a failed DynamoDB Streams batch back from its shard (DynamoDB keeps stream records 24 h). */
import type { DynamoDBStreamsClient, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { sdk } from '../aws/sdk.js';
import { expiredByRetention } from './kinesisReader.js';
import type { StreamBatchInfo } from './records.js';
import { checkRange, inRange, type ReadOutcome, seq, unrecoverableReason } from './sequenceRange.js';

/** DynamoDB Streams' fixed retention. */
export const DYNAMODB_STREAM_RETENTION_HOURS = 24;
const MAX_EMPTY_PAGES = 5;

const sequenceOf = (r: StreamRecord) => r.dynamodb?.SequenceNumber ?? '0';

export async function readDynamodbBatch(
  streams: Pick<DynamoDBStreamsClient, 'send'>,
  batch: StreamBatchInfo,
  now: Date,
): Promise<ReadOutcome<StreamRecord>> {
  const { GetRecordsCommand, GetShardIteratorCommand } = await sdk.dynamodbStreams();
  if (expiredByRetention(batch, DYNAMODB_STREAM_RETENTION_HOURS, now))
    return {
      ok: false,
      records: [],
      reason: `expired: first record arrived ${batch.approximateArrivalOfFirstRecord}, DynamoDB Streams keep 24 h`,
    };
  try {
    let iterator = (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: batch.streamArn,
          ShardId: batch.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          SequenceNumber: batch.startSequenceNumber,
        }),
      )
    ).ShardIterator;
    const read: StreamRecord[] = [];
    const end = seq(batch.endSequenceNumber);
    let empty = 0;
    while (iterator && read.length < batch.batchSize && empty < MAX_EMPTY_PAGES) {
      const page = await streams.send(
        new GetRecordsCommand({
          ShardIterator: iterator,
          Limit: Math.min(1000, batch.batchSize - read.length),
        }),
      );
      const records = page.Records ?? [];
      read.push(...records);
      empty = records.length === 0 ? empty + 1 : 0;
      const last = records[records.length - 1];
      if (last && seq(sequenceOf(last)) >= end) break;
      iterator = page.NextShardIterator;
    }
    return checkRange(inRange(read, sequenceOf, batch), sequenceOf, batch);
  } catch (error) {
    const reason = unrecoverableReason(error);
    if (reason) return { ok: false, records: [], reason };
    throw error;
  }
}
