/**
 * AWS answers of unexpected shape: a missing attribute, a RedrivePolicy that is not JSON (or not
 * the JSON SQS writes), an enum value newer than this code. Each parser turns them into an
 * UnexpectedResponseError naming the resource and the field, which discovery records as that
 * resource's read error (an `error` finding, no write); never a default that a fix would act on.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventSourceMappingConfiguration, FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../../src/discovery/dynamodb.js';
import {
  functionTimeoutSeconds,
  mappingResourceArn,
  STARTING_POSITIONS,
  toMappingFacts,
} from '../../../src/discovery/lambda.js';
import { UnexpectedResponseError } from '../../../src/discovery/shape.js';
import { readQueue, readRedrivePolicy, toQueueFacts } from '../../../src/discovery/sqs.js';

const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders';
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:orders-fn';
const UUID = '6b1f7c2e-0000-4000-8000-000000000001';
const MAPPING = `arn:aws:lambda:us-east-1:123456789012:event-source-mapping:${UUID}`;
const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders-idempotency';

/** The error `fn` throws, checked to be the resource's UnexpectedResponseError. */
function unexpected(fn: () => unknown): UnexpectedResponseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    return error as UnexpectedResponseError;
  }
  throw new Error('expected an UnexpectedResponseError');
}

async function unexpectedAsync(promise: Promise<unknown>): Promise<UnexpectedResponseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnexpectedResponseError);
  return error as UnexpectedResponseError;
}

describe('readRedrivePolicy', () => {
  it.each<[string, string, string, RegExp]>([
    ['not JSON', '{"deadLetterTargetArn":', 'RedrivePolicy', /is not JSON/],
    ['JSON null', 'null', 'RedrivePolicy', /not an object/],
    ['a JSON list', `["${DLQ}", 5]`, 'RedrivePolicy', /not an object/],
    ['a JSON string', `"${DLQ}"`, 'RedrivePolicy', /not an object/],
    ['no target', '{"maxReceiveCount":5}', 'RedrivePolicy.deadLetterTargetArn', /missing or not an ARN/],
    [
      'a target that is a number',
      '{"deadLetterTargetArn":42,"maxReceiveCount":5}',
      'RedrivePolicy.deadLetterTargetArn',
      /not an ARN/,
    ],
    [
      'a target that is a name',
      '{"deadLetterTargetArn":"orders-dlq","maxReceiveCount":5}',
      'RedrivePolicy.deadLetterTargetArn',
      /not an ARN/,
    ],
    [
      'no count',
      `{"deadLetterTargetArn":"${DLQ}"}`,
      'RedrivePolicy.maxReceiveCount',
      /is missing, not a positive integer/,
    ],
    [
      'a count in words',
      `{"deadLetterTargetArn":"${DLQ}","maxReceiveCount":"ten"}`,
      'RedrivePolicy.maxReceiveCount',
      /"ten"/,
    ],
    [
      'a zero count',
      `{"deadLetterTargetArn":"${DLQ}","maxReceiveCount":0}`,
      'RedrivePolicy.maxReceiveCount',
      /is 0,/,
    ],
    [
      'a negative count',
      `{"deadLetterTargetArn":"${DLQ}","maxReceiveCount":-5}`,
      'RedrivePolicy.maxReceiveCount',
      /is -5,/,
    ],
    [
      'a fractional count',
      `{"deadLetterTargetArn":"${DLQ}","maxReceiveCount":2.5}`,
      'RedrivePolicy.maxReceiveCount',
      /is 2.5,/,
    ],
  ])('%s → an error naming %s', (_, raw, field, message) => {
    const error = unexpected(() => readRedrivePolicy(QUEUE, raw));
    expect(error.code).toBe('AWS_RESPONSE_UNEXPECTED');
    expect(error.resource).toBe(QUEUE);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^${field.replace('.', '\\.')} of ${QUEUE} `));
    expect(error.message).toMatch(message);
  });

  it.each<[string, string | undefined, ReturnType<typeof readRedrivePolicy>]>([
    ['absent', undefined, undefined],
    ['empty (SQS’s answer after the policy was removed)', '', undefined],
    [
      'a number count',
      `{"deadLetterTargetArn":"${DLQ}","maxReceiveCount":5}`,
      { deadLetterTargetArn: DLQ, maxReceiveCount: 5 },
    ],
    [
      'a string count',
      `{"deadLetterTargetArn":"${DLQ}","maxReceiveCount":"10"}`,
      { deadLetterTargetArn: DLQ, maxReceiveCount: 10 },
    ],
    [
      'extra keys',
      `{"deadLetterTargetArn":"${DLQ}","maxReceiveCount":3,"x":1}`,
      { deadLetterTargetArn: DLQ, maxReceiveCount: 3 },
    ],
  ])('%s → read', (_, raw, expected) => {
    expect(readRedrivePolicy(QUEUE, raw)).toStrictEqual(expected);
  });
});

describe('toQueueFacts: present but malformed attributes', () => {
  it.each<[string, Record<string, string>, string]>([
    ['a visibility timeout in words', { VisibilityTimeout: 'thirty' }, 'VisibilityTimeout'],
    ['an empty retention', { MessageRetentionPeriod: '' }, 'MessageRetentionPeriod'],
    [
      'a message count that is not a number',
      { ApproximateNumberOfMessages: 'many' },
      'ApproximateNumberOfMessages',
    ],
    ['FifoQueue that is not a boolean', { FifoQueue: 'yes' }, 'FifoQueue'],
    ['SqsManagedSseEnabled that is not a boolean', { SqsManagedSseEnabled: 'maybe' }, 'SqsManagedSseEnabled'],
    [
      'a KMS reuse period in words',
      { KmsMasterKeyId: 'alias/k', KmsDataKeyReusePeriodSeconds: 'long' },
      'KmsDataKeyReusePeriodSeconds',
    ],
    [
      'a RedrivePolicy that is not JSON',
      { RedrivePolicy: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq' },
      'RedrivePolicy',
    ],
  ])('%s', (_, attributes, field) => {
    const error = unexpected(() => toQueueFacts(QUEUE, URL, { VisibilityTimeout: '30', ...attributes }, {}));
    expect(error.field).toBe(field);
    expect(error.resource).toBe(QUEUE);
  });
});

/** A client whose `send` answers with `output`, whatever the command (a unit test of the parser). */
const answering = <C>(output: unknown) => ({ send: async () => output }) as unknown as C;

describe('readQueue: an answer missing what GetQueueAttributes(All) always has', () => {
  it.each(['VisibilityTimeout', 'MessageRetentionPeriod'])('no %s', async (missing) => {
    const attributes: Record<string, string> = { VisibilityTimeout: '30', MessageRetentionPeriod: '345600' };
    delete attributes[missing];
    const error = await unexpectedAsync(
      readQueue(answering<SQSClient>({ Attributes: attributes }), QUEUE, {}, undefined),
    );
    expect(error.message).toBe(
      `${missing} of ${QUEUE} is missing from GetQueueAttributes(All); not changing it`,
    );
  });

  it('no Attributes at all', async () => {
    const error = await unexpectedAsync(readQueue(answering<SQSClient>({}), QUEUE, {}, undefined));
    expect(error.field).toBe('VisibilityTimeout');
  });

  it('a complete answer is read', async () => {
    const facts = await readQueue(
      answering<SQSClient>({ Attributes: { VisibilityTimeout: '60', MessageRetentionPeriod: '1209600' } }),
      QUEUE,
      {},
      undefined,
    );
    expect(facts).toMatchObject({ arn: QUEUE, visibilityTimeout: 60, messageRetentionPeriod: 1_209_600 });
  });
});

const mappingAnswer = (
  overrides: Partial<EventSourceMappingConfiguration> = {},
): EventSourceMappingConfiguration => ({
  UUID,
  EventSourceMappingArn: MAPPING,
  FunctionArn: FN,
  EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
  State: 'Enabled',
  StartingPosition: 'LATEST',
  ...overrides,
});

describe('toMappingFacts: fields the rules rely on', () => {
  it.each<[string, Partial<EventSourceMappingConfiguration>, string, RegExp]>([
    [
      'an unknown State',
      { State: 'Paused' },
      'State',
      /is "Paused", which this version of edaguard does not know \(known: Creating, /,
    ],
    [
      'an unknown FunctionResponseTypes value',
      { FunctionResponseTypes: ['ReportBatchItemFailures', 'ReportEverything' as 'ReportBatchItemFailures'] },
      'FunctionResponseTypes',
      /is "ReportEverything"/,
    ],
    [
      'a new StartingPosition',
      { StartingPosition: 'EARLIEST' as 'LATEST' },
      'StartingPosition',
      /is "EARLIEST"/,
    ],
    ['no State', { State: undefined }, 'State', /is missing/],
    ['no UUID', { UUID: undefined }, 'UUID', /is missing/],
    ['no FunctionArn', { FunctionArn: undefined }, 'FunctionArn', /is missing/],
  ])('%s', (_, overrides, field, message) => {
    const error = unexpected(() => toMappingFacts(mappingAnswer(overrides)));
    expect(error.field).toBe(field);
    expect(error.resource).toBe(MAPPING);
    expect(error.message).toMatch(message);
  });

  it.each(['Creating', 'Enabling', 'Enabled', 'Disabling', 'Disabled', 'Updating', 'Deleting'])(
    'every documented State is read: %s',
    (State) => {
      expect(toMappingFacts(mappingAnswer({ State }))?.state).toBe(State);
    },
  );

  it.each(STARTING_POSITIONS)('every documented StartingPosition is accepted: %s', (StartingPosition) => {
    expect(toMappingFacts(mappingAnswer({ StartingPosition }))).toBeDefined();
  });

  it('an SQS mapping has no StartingPosition, and needs none', () => {
    const facts = toMappingFacts(
      mappingAnswer({
        StartingPosition: undefined,
        EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:orders',
      }),
    );
    expect(facts?.sourceKind).toBe('sqs');
  });

  it.each<[string, Partial<EventSourceMappingConfiguration>, string | undefined]>([
    ['its own ARN', {}, MAPPING],
    ['built from the function and the UUID', { EventSourceMappingArn: undefined }, MAPPING],
    ['the function, without a UUID', { EventSourceMappingArn: undefined, UUID: undefined }, FN],
    [
      'the source, with nothing else',
      { EventSourceMappingArn: undefined, UUID: undefined, FunctionArn: undefined },
      'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
    ],
    [
      'nothing at all',
      {
        EventSourceMappingArn: undefined,
        UUID: undefined,
        FunctionArn: undefined,
        EventSourceArn: undefined,
      },
      undefined,
    ],
  ])('a mapping is named by %s', (_, overrides, expected) => {
    expect(mappingResourceArn(mappingAnswer(overrides))).toBe(expected);
  });
});

describe('functionTimeoutSeconds', () => {
  it.each<[string, Partial<FunctionConfiguration>, RegExp]>([
    ['missing', {}, /^Timeout of .*orders-fn is missing from ListFunctions/],
    ['zero', { Timeout: 0 }, /is 0, not a positive integer/],
    ['fractional', { Timeout: 1.5 }, /is 1.5, not a positive integer/],
  ])('%s → an error', (_, config, message) => {
    expect(unexpected(() => functionTimeoutSeconds(FN, config)).message).toMatch(message);
  });

  it('a timeout is read', () => {
    expect(functionTimeoutSeconds(FN, { Timeout: 900 })).toBe(900);
  });
});

describe('readTable', () => {
  const tableAnswer = (describe: unknown, ttl: unknown) =>
    ({
      send: async (command: { constructor: { name: string } }) =>
        command.constructor.name === 'DescribeTableCommand' ? describe : ttl,
    }) as unknown as DynamoDBClient;

  it.each<[string, unknown, unknown, string, RegExp]>([
    [
      'no Table in DescribeTable',
      {},
      { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED' } },
      'Table',
      /is missing/,
    ],
    [
      'an unknown billing mode',
      { Table: { BillingModeSummary: { BillingMode: 'ON_DEMAND_V2' } } },
      { TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED' } },
      'BillingMode',
      /is "ON_DEMAND_V2"/,
    ],
    [
      'an unknown TTL status',
      { Table: {} },
      { TimeToLiveDescription: { TimeToLiveStatus: 'ARCHIVING' } },
      'TimeToLiveStatus',
      /is "ARCHIVING"/,
    ],
  ])('%s', async (_, describe, ttl, field, message) => {
    const error = await unexpectedAsync(readTable(tableAnswer(describe, ttl), TABLE, {}));
    expect(error.resource).toBe(TABLE);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('a table from before billing modes (no summary) is provisioned, as AWS documents', async () => {
    const facts = await readTable(
      tableAnswer({ Table: {} }, { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } }),
      TABLE,
      {},
    );
    expect(facts).toMatchObject({ billingMode: 'PROVISIONED', ttlStatus: 'DISABLED' });
  });
});
