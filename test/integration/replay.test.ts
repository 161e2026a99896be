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
 * stream and DynamoDB stream, and configure each function's on-failure destination (event-invoke
 * config, event source mapping) to name the queue, as replay checks before invoking.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand as GetStreamRecordsCommand,
  GetShardIteratorCommand as GetStreamShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
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

/**
 * A loopback proxy in front of moto that keeps every Lambda Invoke it forwards (and the stream ARN
 * of every Kinesis call). `holdInvokeMs`: each Invoke is executed, and its answer held that long,
 * as a function that runs that long would.
 */
async function invokeRecorder(upstream: string) {
  const invocations: Invocation[] = [];
  const kinesisStreams: string[] = [];
  const held = new Set<NodeJS.Timeout>();
  const state = { holdInvokeMs: 0 };
  const proxy = await startLoopbackProxy(upstream, (call) => {
    if (call.target.startsWith('Kinesis_'))
      kinesisStreams.push(
        String((JSON.parse(call.body.toString('utf8')) as { StreamARN?: string }).StreamARN),
      );
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(call.req.url ?? '');
    if (!invoke) return call.forward();
    invocations.push({
      functionName: decodeURIComponent(invoke[1] as string),
      invocationType: String(call.req.headers['x-amz-invocation-type'] ?? 'RequestResponse'),
      payload: JSON.parse(call.body.toString('utf8') || 'null'),
    });
    if (state.holdInvokeMs === 0) return call.forward();
    call.forward((answer, res) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const timer = setTimeout(() => {
          held.delete(timer);
          if (res.destroyed) return; // the client gave up on it
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        }, state.holdInvokeMs);
        held.add(timer);
      });
    });
  });
  return {
    url: proxy.url,
    invocations,
    kinesisStreams,
    holdInvokes: (ms: number) => {
      state.holdInvokeMs = ms;
    },
    close: async () => {
      for (const timer of held) clearTimeout(timer);
      await proxy.close();
    },
  };
}

/** The function's async invocations send their failures to this destination. */
async function invokeFailuresTo(functionName: string, destination: string) {
  await seed.lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: functionName,
      DestinationConfig: { OnFailure: { Destination: destination } },
    }),
  );
}

/** A stream mapping of the function whose failures go to this destination. */
async function mappingFailuresTo(streamArn: string, functionName: string, destination: string) {
  await seed.lambda.send(
    new CreateEventSourceMappingCommand({
      EventSourceArn: streamArn,
      FunctionName: functionName,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: destination } },
    }),
  );
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
    await invokeFailuresTo('orders-handler', queue.arn);
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
    await mappingFailuresTo(streamArn, 'clicks-handler', queue.arn);
    // A stream deleted since the failure (its mapping, with the destination, is still there).
    const oldStreamArn = await seed.kinesisStream('clicks-old');
    await mappingFailuresTo(oldStreamArn, 'clicks-handler', queue.arn);
    const admin = new KinesisClient(clientOptions());
    try {
      await admin.send(new DeleteStreamCommand({ StreamARN: oldStreamArn }));
    } finally {
      admin.destroy();
    }
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
    const gone = failure(fnArn, { KinesisBatchInfo: batch(0, 0, { streamArn: oldStreamArn }) });
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
    await mappingFailuresTo(streamArn as string, 'ledger-handler', queue.arn);
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

  it('refuses (exit 2, REPLAY_REFUSED) a record whose function does not send its failures to this queue; --function overrides', async () => {
    seed = testSeeder();
    const ordersArn = await seed.fn('orders-handler', 10);
    const billingArn = await seed.fn('billing-admin', 10);
    const queue = await seed.queue('orders-handler-failures');
    const elsewhere = await seed.queue('billing-failures');
    await invokeFailuresTo('orders-handler', queue.arn);
    await invokeFailuresTo('billing-admin', elsewhere.arn);
    // Anyone who can send to the queue can write a record naming another function.
    const forged = failure(billingArn, { requestPayload: { refund: 'all' } });
    const genuine = failure(ordersArn, { requestPayload: { orderId: 'o-9' } });
    for (const body of [forged, genuine])
      await seed.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));

    const run = await replay([queue.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/REPLAY_REFUSED/);
    expect(recorder.invocations.map((i) => i.functionName)).toEqual([ordersArn]);
    const result = jsonLines(run.stdout).find((l) => l.result === 'replay');
    expect(result).toMatchObject({ replayed: 1, refused: 1 });
    expect(JSON.stringify(result?.entries)).toMatch(
      /billing-admin has no event-invoke config whose on-failure destination is/,
    );
    expect(await bodiesLeft(queue.url)).toEqual([forged]);

    // The operator names the function: the record goes there, and only there.
    const named = await replay([queue.url, '--function', 'orders-handler']);
    expect(named.code).toBe(0);
    expect(recorder.invocations.map((i) => i.functionName)).toEqual([ordersArn, 'orders-handler']);
    expect(await bodiesLeft(queue.url)).toEqual([]);
  });

  it('never reads a stream in another account or region than the queue, even with --function (exit 2)', async () => {
    seed = testSeeder();
    const fnArn = await seed.fn('clicks-handler', 10);
    const queue = await seed.queue('clicks-handler-failures');
    const range = {
      shardId: 'shardId-000000000000',
      startSequenceNumber: '1',
      endSequenceNumber: '2',
      batchSize: 2,
    };
    const otherRegion = 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks';
    const otherAccount = 'arn:aws:kinesis:us-east-1:999999999999:stream/clicks';
    for (const streamArn of [otherRegion, otherAccount])
      await seed.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: failure(fnArn, { KinesisBatchInfo: { ...range, streamArn } }),
        }),
      );

    const run = await replay([queue.url, '--function', 'clicks-handler']);
    expect(run.code).toBe(2);
    expect(recorder.kinesisStreams).toEqual([]);
    expect(recorder.invocations).toEqual([]);
    const reasons = JSON.stringify(jsonLines(run.stdout).find((l) => l.result === 'replay')?.entries);
    expect(reasons).toMatch(/eu-west-1[^"]*in another account or region than the queue/);
    expect(reasons).toMatch(/999999999999[^"]*in another account or region than the queue/);
    expect(await bodiesLeft(queue.url)).toHaveLength(2);
  });

  describe("a synchronous Invoke is sent once, waiting the function's Timeout plus a margin", () => {
    /** A Kinesis failure record for a 1 s function mapped to the queue; the CLI's request timeout is 2 s. */
    async function slowStreamFailure() {
      seed = testSeeder();
      const fn = await seed.fn('slow-handler', 1);
      const streamArn = await seed.kinesisStream('slow');
      const kinesis = new KinesisClient(clientOptions());
      let sequence: string;
      try {
        const out = await kinesis.send(
          new PutRecordCommand({
            StreamARN: streamArn,
            PartitionKey: 'k',
            Data: new TextEncoder().encode('{}'),
          }),
        );
        sequence = out.SequenceNumber as string;
      } finally {
        kinesis.destroy();
      }
      const queue = await seed.queue('slow-handler-failures');
      await mappingFailuresTo(streamArn, 'slow-handler', queue.arn);
      const body = failure(fn, {
        KinesisBatchInfo: {
          shardId: 'shardId-000000000000',
          startSequenceNumber: sequence,
          endSequenceNumber: sequence,
          approximateArrivalOfFirstRecord: new Date().toISOString(),
          batchSize: 1,
          streamArn,
        },
      });
      await seed.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
      return { queue, body };
    }
    const slowEnv = { EDAGUARD_REQUEST_TIMEOUT_MS: '2000', EDAGUARD_MAX_ATTEMPTS: '3' };

    it('a function that runs longer than the request timeout but within its own Timeout is accepted, invoked once', async () => {
      const { queue } = await slowStreamFailure();
      recorder.holdInvokes(2500); // longer than the 2 s request timeout, within 1 s + 2 s margin
      const run = await cli(['replay', queue.url], { AWS_ENDPOINT_URL: recorder.url, ...slowEnv });
      expect(recorder.invocations).toHaveLength(1);
      expect(run.code).toBe(0);
      expect(await bodiesLeft(queue.url)).toEqual([]);
    });

    it('an Invoke that gets no answer in time is reported "may have run", not sent again, and the record stays', async () => {
      const { queue, body } = await slowStreamFailure();
      recorder.holdInvokes(4500); // longer than the function's 1 s + the 2 s margin
      const run = await cli(['replay', queue.url], { AWS_ENDPOINT_URL: recorder.url, ...slowEnv });
      expect(recorder.invocations).toHaveLength(1);
      expect(run.code).toBe(1);
      const entries = (jsonLines(run.stdout).find((l) => l.result === 'replay')?.entries ?? []) as Array<
        Record<string, unknown>
      >;
      const entry = entries[0];
      expect(entry).toMatchObject({ outcome: 'left', mayHaveRun: true });
      expect(String(entry?.reason)).toMatch(/^may have run/);
      expect(await bodiesLeft(queue.url)).toEqual([body]);
    });
  });
});
