/** Reads a failed Kinesis batch back from its shard, while the stream still retains it. */
import type { KinesisClient, _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { sdk } from '../aws/sdk.js';
import type { StreamBatchInfo } from './records.js';
import { checkRange, inRange, type ReadOutcome, seq, unrecoverableReason } from './sequenceRange.js';

/** Empty pages in a row before giving up: GetRecords may return none while it walks the shard. */
const MAX_EMPTY_PAGES = 5;

/** Older than the stream's retention: trimmed, whatever GetRecords would say. */
export function expiredByRetention(batch: StreamBatchInfo, retentionHours: number, now: Date): boolean {
  if (!batch.approximateArrivalOfFirstRecord) return false;
  const arrived = Date.parse(batch.approximateArrivalOfFirstRecord);
  return Number.isFinite(arrived) && now.getTime() - arrived > retentionHours * 3_600_000;
}

export async function readKinesisBatch(
  kinesis: Pick<KinesisClient, 'send'>,
  batch: StreamBatchInfo,
  now: Date,
): Promise<ReadOutcome<KinesisRecord>> {
  const { DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand } = await sdk.kinesis();
  try {
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: batch.streamArn }));
    const retentionHours = summary.StreamDescriptionSummary?.RetentionPeriodHours ?? 24;
    if (expiredByRetention(batch, retentionHours, now))
      return {
        ok: false,
        records: [],
        reason: `expired: first record arrived ${batch.approximateArrivalOfFirstRecord}, the stream keeps ${retentionHours} h`,
      };
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamARN: batch.streamArn,
          ShardId: batch.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: batch.startSequenceNumber,
        }),
      )
    ).ShardIterator;
    const read: KinesisRecord[] = [];
    const end = seq(batch.endSequenceNumber);
    let empty = 0;
    while (iterator && read.length < batch.batchSize && empty < MAX_EMPTY_PAGES) {
      const page = await kinesis.send(
        new GetRecordsCommand({
          StreamARN: batch.streamArn,
          ShardIterator: iterator,
          Limit: Math.min(10_000, batch.batchSize - read.length),
        }),
      );
      const records = page.Records ?? [];
      read.push(...records);
      empty = records.length === 0 ? empty + 1 : 0;
      const last = records[records.length - 1];
      if (last?.SequenceNumber && seq(last.SequenceNumber) >= end) break;
      if (records.length === 0 && page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
    return checkRange(
      inRange(read, (r) => r.SequenceNumber ?? '0', batch),
      (r) => r.SequenceNumber ?? '0',
      batch,
    );
  } catch (error) {
    const reason = unrecoverableReason(error);
    if (reason) return { ok: false, records: [], reason };
    throw error;
  }
}
