/** Pure parts of replay: on-failure record shapes, sequence ranges, rebuilt events, handler answers. */
import { describe, expect, it } from 'vitest';
import { expiredByRetention } from '../../../src/replay/kinesisReader.js';
import { attributeJson, dynamodbEvent, kinesisEvent } from '../../../src/replay/lambdaEvents.js';
import { parseFailureRecord, type StreamBatchInfo } from '../../../src/replay/records.js';
import { batchItemFailures } from '../../../src/replay/redeliver.js';
import { checkRange, inRange } from '../../../src/replay/sequenceRange.js';

const fn = 'arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST';
const requestContext = {
  requestId: 'c9b8fa9f',
  functionArn: fn,
  condition: 'RetriesExhausted',
  approximateInvokeCount: 3,
};
const responseContext = { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' };

// The documented shapes (Lambda developer guide: async destinations; Kinesis/DynamoDB on-failure).
const asyncRecord = {
  version: '1.0',
  timestamp: '2019-11-14T18:16:05.568Z',
  requestContext,
  requestPayload: { ORDER_IDS: ['9e07af03', '637de236'] },
  responseContext,
  responsePayload: { errorMessage: 'RequestId: e4b46cbf Process exited before completing request' },
};
const kinesisBatch: StreamBatchInfo = {
  shardId: 'shardId-000000000001',
  startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
  endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
  approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
  approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
  batchSize: 500,
  streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
};
const kinesisRecord = {
  requestContext,
  responseContext,
  version: '1.0',
  timestamp: '2019-11-14T00:38:06.021Z',
  KinesisBatchInfo: kinesisBatch,
};
const ddbRecord = {
  requestContext,
  responseContext,
  version: '1.0',
  timestamp: '2019-11-14T00:13:49.717Z',
  DDBStreamBatchInfo: {
    shardId: 'shardId-00000001573689847184-864758bb',
    startSequenceNumber: '800000000003126276362',
    endSequenceNumber: '800000000003126276362',
    approximateArrivalOfFirstRecord: '2019-11-14T00:13:19Z',
    approximateArrivalOfLastRecord: '2019-11-14T00:13:19Z',
    batchSize: 1,
    streamArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-06-10T19:26:16.525',
  },
};

describe('parseFailureRecord', () => {
  it('an async invocation record: the function and the original payload', () => {
    expect(parseFailureRecord(JSON.stringify(asyncRecord))).toEqual({
      ok: true,
      record: {
        kind: 'async',
        functionArn: fn,
        payload: asyncRecord.requestPayload,
        requestId: 'c9b8fa9f',
        condition: 'RetriesExhausted',
      },
    });
  });

  it('a null payload is a payload; a missing one is reported', () => {
    const nullPayload = parseFailureRecord(JSON.stringify({ ...asyncRecord, requestPayload: null }));
    expect(nullPayload.ok && nullPayload.record.kind === 'async' && nullPayload.record.payload).toBeNull();
    const { requestPayload: _dropped, ...withoutPayload } = asyncRecord;
    expect(parseFailureRecord(JSON.stringify(withoutPayload))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no requestPayload/),
    });
  });

  it('Kinesis and DynamoDB stream records: the batch range', () => {
    expect(parseFailureRecord(JSON.stringify(kinesisRecord))).toMatchObject({
      ok: true,
      record: { kind: 'kinesis', batch: kinesisBatch },
    });
    expect(parseFailureRecord(JSON.stringify(ddbRecord))).toMatchObject({
      ok: true,
      record: { kind: 'dynamodb', batch: { shardId: 'shardId-00000001573689847184-864758bb', batchSize: 1 } },
    });
  });

  it('unwraps an SNS notification envelope (an SNS destination subscribed to a queue)', () => {
    const envelope = {
      Type: 'Notification',
      MessageId: 'm',
      TopicArn: 'arn:aws:sns:us-east-2:123456789012:t',
      Message: JSON.stringify(kinesisRecord),
    };
    expect(parseFailureRecord(JSON.stringify(envelope))).toMatchObject({
      ok: true,
      record: { kind: 'kinesis' },
    });
  });

  it.each([
    ['not json', /not JSON/],
    ['{"hello":"world"}', /not a Lambda on-failure record/],
    [
      JSON.stringify({ ...kinesisRecord, KinesisBatchInfo: { ...kinesisBatch, startSequenceNumber: 'abc' } }),
      /malformed KinesisBatchInfo record: KinesisBatchInfo.startSequenceNumber/,
    ],
    [
      JSON.stringify({ ...asyncRecord, requestContext: { functionArn: 'my-function' } }),
      /not a Lambda on-failure record/,
    ],
  ])('rejects %s', (body, reason) => {
    expect(parseFailureRecord(body)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });
});

describe('sequence ranges', () => {
  const range = {
    startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
    endSequenceNumber: '49601189658422359378836298521827638475320189012309704900',
    batchSize: 3,
  };
  const r = (s: string) => ({ s });
  const sequenceOf = (x: { s: string }) => x.s;
  const start = range.startSequenceNumber;
  const mid = '49601189658422359378836298521827638475320189012309704800';
  const end = range.endSequenceNumber;
  const after = '49601189658422359378836298521827638475320189012309705000';

  it('compares sequence numbers beyond 2^53 exactly (BigInt)', () => {
    expect(inRange([r(start), r(mid), r(end), r(after)], sequenceOf, range).map(sequenceOf)).toEqual([
      start,
      mid,
      end,
    ]);
    expect(inRange([r(start), r(mid), r(end)], sequenceOf, { ...range, batchSize: 2 })).toHaveLength(2);
  });

  it('the whole range is recoverable; a missing first record (trimmed) or last record is not', () => {
    expect(checkRange([r(start), r(mid), r(end)], sequenceOf, range).ok).toBe(true);
    expect(checkRange([r(mid), r(end)], sequenceOf, range)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/first record .* is gone/),
    });
    expect(checkRange([r(start), r(mid)], sequenceOf, range)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not the range's last/),
    });
    expect(checkRange([], sequenceOf, range)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired or trimmed/),
    });
  });

  it('expiredByRetention: older than the stream keeps records', () => {
    const now = new Date('2019-11-15T01:00:00Z');
    expect(expiredByRetention(kinesisBatch, 24, now)).toBe(true);
    expect(expiredByRetention(kinesisBatch, 48, now)).toBe(false);
    const { approximateArrivalOfFirstRecord: _a, ...noArrival } = kinesisBatch;
    expect(expiredByRetention(noArrival, 24, now)).toBe(false);
  });
});

describe('rebuilt events', () => {
  it('Kinesis: the mapping’s event shape, data base64, eventID shard:sequence', () => {
    const event = kinesisEvent(
      [
        {
          SequenceNumber: '42',
          PartitionKey: 'user-1',
          Data: new TextEncoder().encode('{"a":1}'),
          ApproximateArrivalTimestamp: new Date(1_573_692_000_500),
        },
      ],
      kinesisBatch,
    );
    expect(event.Records[0]).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'user-1',
        sequenceNumber: '42',
        data: 'eyJhIjoxfQ==',
        approximateArrivalTimestamp: 1_573_692_000.5,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: 'shardId-000000000001:42',
      eventName: 'aws:kinesis:record',
      awsRegion: 'us-east-2',
      eventSourceARN: kinesisBatch.streamArn,
    });
  });

  it('DynamoDB: images with binary attributes base64-encoded, creation time in seconds', () => {
    expect(attributeJson({ B: new Uint8Array([1, 2, 3]) })).toEqual({ B: 'AQID' });
    expect(attributeJson({ M: { tags: { L: [{ S: 'x' }, { BS: [new Uint8Array([255])] }] } } })).toEqual({
      M: { tags: { L: [{ S: 'x' }, { BS: ['/w=='] }] } },
    });
    const event = dynamodbEvent(
      [
        {
          eventID: 'e1',
          eventName: 'MODIFY',
          dynamodb: {
            Keys: { id: { S: 'k' } },
            SequenceNumber: '7',
            ApproximateCreationDateTime: new Date(1_573_690_399_000),
          },
        },
      ],
      ddbRecord.DDBStreamBatchInfo,
    );
    expect(event.Records[0]).toMatchObject({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-2',
      dynamodb: { Keys: { id: { S: 'k' } }, SequenceNumber: '7', ApproximateCreationDateTime: 1_573_690_399 },
    });
  });

  it('batchItemFailures: counted from the handler’s answer; anything else is none', () => {
    const enc = (v: string) => new TextEncoder().encode(v);
    expect(
      batchItemFailures(enc('{"batchItemFailures":[{"itemIdentifier":"1"},{"itemIdentifier":"2"}]}')),
    ).toBe(2);
    expect(batchItemFailures(enc('{"batchItemFailures":[]}'))).toBe(0);
    expect(batchItemFailures(enc('"ok"'))).toBe(0);
    expect(batchItemFailures(enc('not json'))).toBe(0);
    expect(batchItemFailures(undefined)).toBe(0);
  });
});
