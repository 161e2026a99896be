/**
 * Replay's origin check with the Lambda and SNS clients mocked at the client boundary: the SNS
 * destination path and the caching, which the integration tests (test/integration/replay.test.ts)
 * do not reach; the direct-queue path is covered there against the emulator.
 */
import { describe, expect, it } from 'vitest';
import { invokeMayHaveRun } from '../../../src/replay/invokeClient.js';
import { OriginCheck, streamRefusal } from '../../../src/replay/origin.js';
import type { FailureRecord } from '../../../src/replay/records.js';

const QUEUE = 'arn:aws:sqs:us-east-1:111111111111:clicks-failures';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:clicks-failures-topic';
const FN = 'arn:aws:lambda:us-east-1:111111111111:function:clicks';
const STREAM = 'arn:aws:kinesis:us-east-1:111111111111:stream/clicks';

function sender(handlers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const calls: string[] = [];
  return {
    calls,
    client: {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = command.constructor.name.replace(/Command$/, '');
        calls.push(name);
        const handler = handlers[name];
        if (!handler) throw new Error(`unexpected ${name}`);
        return handler(command.input);
      },
    } as never,
  };
}

const kinesisRecord = (streamArn = STREAM): FailureRecord => ({
  kind: 'kinesis',
  functionArn: FN,
  batch: { shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2', batchSize: 2, streamArn },
});

const mappingTo = (destination: string) => ({
  ListEventSourceMappings: () => ({
    EventSourceMappings: [
      {
        FunctionArn: FN,
        EventSourceArn: STREAM,
        DestinationConfig: { OnFailure: { Destination: destination } },
      },
    ],
  }),
});

describe('OriginCheck', () => {
  it('a mapping whose destination is an SNS topic the queue subscribes to: allowed, and checked once per run', async () => {
    const lambda = sender(mappingTo(TOPIC));
    const sns = sender({
      ListSubscriptionsByTopic: () => ({ Subscriptions: [{ Protocol: 'sqs', Endpoint: QUEUE }] }),
    });
    const check = new OriginCheck({ lambda: lambda.client, sns: sns.client }, QUEUE);
    expect(await check.refusal(kinesisRecord())).toBeUndefined();
    expect(await check.refusal(kinesisRecord())).toBeUndefined();
    expect(lambda.calls).toEqual(['ListEventSourceMappings']);
    expect(sns.calls).toEqual(['ListSubscriptionsByTopic']);
  });

  it('an SNS topic the queue does not subscribe to, or another queue: refused', async () => {
    const sns = sender({
      ListSubscriptionsByTopic: () => ({
        Subscriptions: [{ Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:111111111111:other' }],
      }),
    });
    const viaTopic = new OriginCheck({ lambda: sender(mappingTo(TOPIC)).client, sns: sns.client }, QUEUE);
    expect(await viaTopic.refusal(kinesisRecord())).toMatch(
      /no event source mapping of .* whose on-failure destination is/,
    );
    const other = new OriginCheck(
      { lambda: sender(mappingTo('arn:aws:sqs:us-east-1:111111111111:other')).client },
      QUEUE,
    );
    expect(await other.refusal(kinesisRecord())).toMatch(/whose on-failure destination is/);
  });

  it('a function in another account is refused without a call; a failed check refuses with its error', async () => {
    const lambda = sender({
      ListEventSourceMappings: () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      },
    });
    const check = new OriginCheck({ lambda: lambda.client }, QUEUE);
    const foreign = { ...kinesisRecord(), functionArn: FN.replace('111111111111', '222222222222') };
    expect(await check.refusal(foreign)).toMatch(/not a function in the queue's account and region/);
    expect(lambda.calls).toEqual([]);
    expect(await check.refusal(kinesisRecord())).toMatch(/could not check .*AccessDeniedException: denied/);
  });
});

describe('streamRefusal and invokeMayHaveRun', () => {
  it('streams: same account and region only, and of the record kind’s service', () => {
    expect(streamRefusal(kinesisRecord(), QUEUE)).toBeUndefined();
    expect(streamRefusal(kinesisRecord(STREAM.replace('us-east-1', 'eu-west-1')), QUEUE)).toMatch(
      /another account or region/,
    );
    expect(
      streamRefusal(kinesisRecord('arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/x'), QUEUE),
    ).toMatch(/not a kinesis stream/);
  });

  it('a timeout, a dropped connection or a 5xx may have run the function; a 4xx answer did not', () => {
    expect(invokeMayHaveRun(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(invokeMayHaveRun(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(invokeMayHaveRun({ name: 'ServiceException', $metadata: { httpStatusCode: 500 } })).toBe(true);
    expect(invokeMayHaveRun({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } })).toBe(
      false,
    );
    expect(invokeMayHaveRun({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } })).toBe(
      false,
    );
  });
});
