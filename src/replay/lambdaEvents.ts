/**
 * Records read back from a stream, shaped as the event a Kinesis or DynamoDB event source mapping
 * gives the function, so that the handler sees what it would have seen.
 */
import type { AttributeValue, _Record as DynamodbStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { parseArn } from '../aws/arn.js';
import type { StreamBatchInfo } from './records.js';

const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);
const base64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

export function kinesisEvent(records: KinesisRecord[], batch: StreamBatchInfo) {
  const region = parseArn(batch.streamArn).region;
  return {
    Records: records.map((r) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: r.PartitionKey,
        sequenceNumber: r.SequenceNumber,
        data: base64(r.Data),
        approximateArrivalTimestamp: seconds(r.ApproximateArrivalTimestamp),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${batch.shardId}:${r.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      awsRegion: region,
      eventSourceARN: batch.streamArn,
    })),
  };
}

/** The SDK decodes binary attributes to bytes; the event carries them base64-encoded, as Lambda does. */
export function attributeJson(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => base64(b)) };
  if (value.M !== undefined) return { M: imageJson(value.M) };
  if (value.L !== undefined) return { L: value.L.map(attributeJson) };
  const { $unknown: _unknown, ...rest } = value as AttributeValue & { $unknown?: unknown };
  return rest;
}

function imageJson(image: Record<string, AttributeValue> | undefined) {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, attributeJson(v)]));
}

export function dynamodbEvent(records: DynamodbStreamRecord[], batch: StreamBatchInfo) {
  const region = parseArn(batch.streamArn).region;
  return {
    Records: records.map((r) => ({
      eventID: r.eventID,
      eventName: r.eventName,
      eventVersion: r.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: r.awsRegion ?? region,
      dynamodb: {
        ApproximateCreationDateTime: seconds(r.dynamodb?.ApproximateCreationDateTime),
        Keys: imageJson(r.dynamodb?.Keys),
        NewImage: imageJson(r.dynamodb?.NewImage),
        OldImage: imageJson(r.dynamodb?.OldImage),
        SequenceNumber: r.dynamodb?.SequenceNumber,
        SizeBytes: r.dynamodb?.SizeBytes,
        StreamViewType: r.dynamodb?.StreamViewType,
      },
      eventSourceARN: batch.streamArn,
    })),
  };
}
