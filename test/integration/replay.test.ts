/**
 * `edaguard replay` against the emulator through the real SDK.
 *
 * moto and Lambda: moto runs functions in Docker, and there is none here. With
 * `POST /moto-api/config {"lambda": {"use_docker": false}}` moto switches to its "simple" Lambda
 * backend (moto/awslambda_simple): Invoke never runs code, answers 202 for InvocationType=Event
 * and echoes the payload (or the next result queued at /moto-api/static/lambda-simple/response)
 * for RequestResponse, and records nothing. So the re-deliveries are observed on the wire: every
 * client call goes through a loopback proxy in front of moto that keeps each Invoke request
 * (function, invocation type, payload) and forwards it unchanged.
 *
 * moto never writes on-failure records either (it runs no function, so nothing fails): the tests
 * write them in the documented shape, pointing at records really put into the emulator's Kinesis
 * stream and DynamoDB stream.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, emulatorEndpoint, testSeeder, useCleanEmulator } from '../support/harness.js';
import { startLoopbackProxy } from '../support/loopbackProxy.js';
import type { Seeder } from '../support/seed.js';

interface Invocation {
  functionName: string;
  invocationType: string;
  payload: unknown;
}

/** A loopback proxy in front of moto that keeps every Lambda Invoke it forwards. */
async function invokeRecorder(upstream: string) {
  const invocations: Invocation[] = [];
  const proxy = await startLoopbackProxy(upstream, (call) => {
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(call.req.url ?? '');
    if (invoke)
      invocations.push({
        functionName: decodeURIComponent(invoke[1] as string),
        invocationType: String(call.req.headers['x-amz-invocation-type'] ?? 'RequestResponse'),
        payload: JSON.parse(call.body.toString('utf8') || 'null'),
      });
    call.forward();
  });
  return { url: proxy.url, invocations, close: proxy.close };
}

async function motoLambdaDocker(useDocker: boolean) {
  const res = await fetch(`${emulatorEndpoint()}/moto-api/config`, {
    method: 'POST',
    body: JSON.stringify({ lambda: { use_docker: useDocker } }),
  });
  expect(res.status).toBe(201);
}

/** The next RequestResponse invoke returns this payload (moto's simple backend result queue). */
async function nextLambdaResult(result: unknown) {
  const res = await fetch(`${emulatorEndpoint()}/moto-api/static/lambda-simple/response`, {
    method: 'POST',
    body: JSON.stringify({ results: [JSON.stringify(result)], region: 'us-east-1' }),
  });
  expect(res.status).toBe(201);
}

const clientOptions = () => ({
  endpoint: emulatorEndpoint(),
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
});

const failure = (fn: string, extra: object) =>
  JSON.stringify({
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: 'r-1',
      functionArn: fn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 4,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    ...extra,
  });

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

useCleanEmulator();
let seed: Seeder;
let recorder: Awaited<ReturnType<typeof invokeRecorder>>;

beforeAll(async () => motoLambdaDocker(false));
// The setting outlives resets: put it back for the other test files sharing this moto.
afterAll(async () => motoLambdaDocker(true));
beforeEach(async () => {
  recorder = await invokeRecorder(emulatorEndpoint());
});
afterEach(async () => {
  seed?.destroy();
  await recorder.close();
});

const replay = (args: string[]) => cli(['replay', ...args], { AWS_ENDPOINT_URL: recorder.url });

async function bodiesLeft(url: string): Promise<string[]> {
  const out = await seed.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
  );
  return (out.Messages ?? []).map((m) => m.Body as string);
}

describe('edaguard replay (against the emulator; Invoke observed on the wire)', () => {
  it('async records: requestPayload invoked again with InvocationType Event; unreadable records stay, exit 1', async () => {
    seed = testSeeder();
    const fnArn = await seed.fn('orders-handler', 10);
    const queue = await seed.queue('orders-handler-failures');
    // Objects only: moto's simple backend answers an Invoke whose payload is a bare JSON string
    // with an HTML 500 (AWS accepts any JSON value).
    const payloads = [
      { orderId: 'o-1', total: 12.5 },
      { orderId: 'o-2', items: [1, 2] },
      { nested: { deep: true } },
    ];
    for (const p of payloads)
      await seed.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: failure(`${fnArn}:$LATEST`, { requestPayload: p }),
        }),
      );
    // Lambda drops requestPayload when the record is too big for an SNS destination.
    const noPayload = failure(fnArn, {});
    await seed.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: noPayload }));
    await seed.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'not a record' }));

    const run = await replay([queue.name]);
    expect(run.code).toBe(1);
    const result = jsonLines(run.stdout).find((l) => l.result === 'replay');
    expect(result).toMatchObject({ replayed: 3, left: 2, stoppedBy: 'empty' });

    expect(recorder.invocations.map((i) => i.invocationType)).toEqual(['Event', 'Event', 'Event']);
    // Re-delivered to the function, unqualified (its current code, where the fix is).
    expect(new Set(recorder.invocations.map((i) => i.functionName))).toEqual(new Set([fnArn]));
    expect(recorder.invocations.map((i) => i.payload)).toEqual(expect.arrayContaining(payloads));
    expect(recorder.invocations).toHaveLength(3);

    const left = await bodiesLeft(queue.url);
    expect(left.sort()).toEqual([noPayload, 'not a record'].sort());
    const reasons = ((result?.entries ?? []) as Array<{ outcome: string; reason?: string }>).filter(
      (e) => e.outcome === 'left',
    );
    expect(reasons.map((e) => e.reason).join('\n')).toMatch(
      /no requestPayload[\s\S]*not JSON|not JSON[\s\S]*no requestPayload/,
    );
  });

  it('Kinesis records: read back by sequence range and delivered as the mapping would; expired, missing and refused ones stay', async () => {
    seed = testSeeder();
    const fnArn = await seed.fn('clicks-handler', 10);
    const streamArn = await seed.kinesisStream('clicks');
    const kinesis = new KinesisClient(clientOptions());
    const put: Array<{ seq: string; data: string }> = [];
    try {
      for (let i = 0; i < 6; i += 1) {
        const data = JSON.stringify({ click: i });
        const out = await kinesis.send(
          new PutRecordCommand({
            StreamARN: streamArn,
            PartitionKey: `user-${i}`,
            Data: new TextEncoder().encode(data),
          }),
        );
        put.push({ seq: out.SequenceNumber as string, data });
      }
    } finally {
      kinesis.destroy();
    }
    const queue = await seed.queue('clicks-handler-failures');
    const batch = (from: number, to: number, extra: object = {}) => ({
      shardId: 'shardId-000000000000',
      startSequenceNumber: put[from]?.seq,
      endSequenceNumber: put[to]?.seq,
      approximateArrivalOfFirstRecord: new Date(Date.now() - 60_000).toISOString(),
      approximateArrivalOfLastRecord: new Date().toISOString(),
      batchSize: to - from + 1,
      streamArn,
      ...extra,
    });
    const good = failure(fnArn, { KinesisBatchInfo: batch(1, 3) });
    const expired = failure(fnArn, {
      KinesisBatchInfo: batch(4, 4, {
        approximateArrivalOfFirstRecord: new Date(Date.now() - 30 * 3600_000).toISOString(),
      }),
    });
    const gone = failure(fnArn, { KinesisBatchInfo: batch(0, 0, { streamArn: `${streamArn}-deleted` }) });
    for (const body of [good, expired, gone])
      await seed.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));

    const dry = await replay([queue.url, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(jsonLines(dry.stdout).find((l) => l.result === 'replay')).toMatchObject({ replayed: 0, left: 2 });
    expect(recorder.invocations).toEqual([]);

    const run = await replay([queue.url]);
    expect(run.code).toBe(1);
    expect(jsonLines(run.stdout).find((l) => l.result === 'replay')).toMatchObject({ replayed: 1, left: 2 });
    expect(recorder.invocations).toHaveLength(1);
    const [invocation] = recorder.invocations;
    expect(invocation?.invocationType).toBe('RequestResponse');
    const records = (
      (invocation?.payload ?? {}) as {
        Records: Array<{
          kinesis: { sequenceNumber: string; data: string; partitionKey: string };
          eventSource: string;
          eventSourceARN: string;
        }>;
      }
    ).Records;
    expect(records.map((r) => r.kinesis.sequenceNumber)).toEqual([put[1]?.seq, put[2]?.seq, put[3]?.seq]);
    expect(records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())).toEqual([
      put[1]?.data,
      put[2]?.data,
      put[3]?.data,
    ]);
    expect(records.map((r) => r.kinesis.partitionKey)).toEqual(['user-1', 'user-2', 'user-3']);
    expect(records.every((r) => r.eventSource === 'aws:kinesis' && r.eventSourceARN === streamArn)).toBe(
      true,
    );

    const left = await bodiesLeft(queue.url);
    expect(left.sort()).toEqual([expired, gone].sort());
    const entries = jsonLines(run.stdout).find((l) => l.result === 'replay')?.entries as Array<{
      reason?: string;
    }>;
    expect(entries.map((e) => e.reason ?? '').join('\n')).toMatch(/expired: first record arrived/);
    expect(entries.map((e) => e.reason ?? '').join('\n')).toMatch(/ResourceNotFound/);

    // The function reports a failed record: not accepted, so the record stays.
    await seed.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: good }));
    await nextLambdaResult({ batchItemFailures: [{ itemIdentifier: put[2]?.seq }] });
    const refused = await replay([queue.url]);
    expect(refused.code).toBe(1);
    expect(JSON.stringify(jsonLines(refused.stdout).find((l) => l.result === 'replay'))).toMatch(
      /reported 1 failed record/,
    );
    expect((await bodiesLeft(queue.url)).filter((b) => b === good)).toHaveLength(1);
  });

  it('DynamoDB stream records: read back with DynamoDB Streams and delivered as INSERT events, then deleted', async () => {
    seed = testSeeder();
    const fnArn = await seed.fn('ledger-handler', 10);
    const { streamArn } = await seed.dynamoTable('ledger', { stream: true });
    for (const id of ['a', 'b', 'c'])
      await seed.dynamodb.send(
        new PutItemCommand({
          TableName: 'ledger',
          Item: { id: { S: id }, amount: { N: String(id.charCodeAt(0)) } },
        }),
      );
    const streams = new DynamoDBStreamsClient(clientOptions());
    let shardId: string;
    let sequences: string[];
    try {
      const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      shardId = description.StreamDescription?.Shards?.[0]?.ShardId as string;
      const iterator = await streams.send(
        new GetStreamShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const page = await streams.send(new GetStreamRecordsCommand({ ShardIterator: iterator.ShardIterator }));
      sequences = (page.Records ?? []).map((r) => r.dynamodb?.SequenceNumber as string);
    } finally {
      streams.destroy();
    }
    expect(sequences).toHaveLength(3);
    const queue = await seed.queue('ledger-handler-failures');
    await seed.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: failure(fnArn, {
          DDBStreamBatchInfo: {
            shardId,
            startSequenceNumber: sequences[1],
            endSequenceNumber: sequences[2],
            approximateArrivalOfFirstRecord: new Date().toISOString(),
            approximateArrivalOfLastRecord: new Date().toISOString(),
            batchSize: 2,
            streamArn,
          },
        }),
      }),
    );

    const run = await replay([queue.name]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(recorder.invocations).toHaveLength(1);
    const records = (
      (recorder.invocations[0]?.payload ?? {}) as {
        Records: Array<{
          eventName: string;
          eventSource: string;
          dynamodb: { Keys: unknown; NewImage: unknown; SequenceNumber: string };
        }>;
      }
    ).Records;
    expect(records.map((r) => r.dynamodb.SequenceNumber)).toEqual([sequences[1], sequences[2]]);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'INSERT']);
    expect(records.map((r) => r.dynamodb.Keys)).toEqual([{ id: { S: 'b' } }, { id: { S: 'c' } }]);
    expect(records[0]?.dynamodb.NewImage).toEqual({ id: { S: 'b' }, amount: { N: '98' } });
    expect(await bodiesLeft(queue.url)).toEqual([]);
  });
});
