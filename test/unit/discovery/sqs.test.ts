import { describe, expect, it } from 'vitest';
import { isQueueMissing, parseRedrivePolicy, toQueueFacts } from '../../../src/discovery/sqs.js';

const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const ARN = 'arn:aws:sqs:us-east-1:123456789012:orders';
const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders';

describe('parseRedrivePolicy', () => {
  it.each<[string, string | undefined, ReturnType<typeof parseRedrivePolicy>]>([
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    [
      'a number',
      JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: 5 }),
      { deadLetterTargetArn: DLQ, maxReceiveCount: 5 },
    ],
    [
      'a string count',
      JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: '10' }),
      { deadLetterTargetArn: DLQ, maxReceiveCount: 10 },
    ],
    [
      'a count that is not a number',
      JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: 'ten' }),
      { deadLetterTargetArn: DLQ, maxReceiveCount: 0 },
    ],
    [
      'no count',
      JSON.stringify({ deadLetterTargetArn: DLQ }),
      { deadLetterTargetArn: DLQ, maxReceiveCount: 0 },
    ],
    ['no target', JSON.stringify({ maxReceiveCount: 5 }), undefined],
    ['an empty target', JSON.stringify({ deadLetterTargetArn: '', maxReceiveCount: 5 }), undefined],
    [
      'a target that is not a string',
      JSON.stringify({ deadLetterTargetArn: 42, maxReceiveCount: 5 }),
      undefined,
    ],
    ['invalid JSON', '{"deadLetterTargetArn":', undefined],
    ['JSON null', 'null', undefined],
    [
      'extra keys (ignored)',
      JSON.stringify({ maxReceiveCount: 3, deadLetterTargetArn: DLQ, extra: true }),
      { deadLetterTargetArn: DLQ, maxReceiveCount: 3 },
    ],
  ])('%s', (_, raw, expected) => {
    expect(parseRedrivePolicy(raw)).toStrictEqual(expected);
  });
});

describe('toQueueFacts', () => {
  it('SQS defaults when attributes are absent', () => {
    expect(toQueueFacts(ARN, URL, {}, { team: 'orders' })).toStrictEqual({
      arn: ARN,
      url: URL,
      name: 'orders',
      fifo: false,
      tags: { team: 'orders' },
      visibilityTimeout: 30,
      messageRetentionPeriod: 345_600,
      sqsManagedSseEnabled: false,
      approximateNumberOfMessages: 0,
    });
  });

  it('every attribute, normalised', () => {
    const facts = toQueueFacts(
      'arn:aws:sqs:us-east-1:123456789012:orders.fifo',
      URL,
      {
        FifoQueue: 'true',
        VisibilityTimeout: '180',
        MessageRetentionPeriod: '1209600',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ, maxReceiveCount: '4' }),
        KmsMasterKeyId: 'alias/orders',
        KmsDataKeyReusePeriodSeconds: '600',
        SqsManagedSseEnabled: 'false',
        ApproximateNumberOfMessages: '12',
        DelaySeconds: '0',
      },
      {},
    );
    expect(facts).toStrictEqual({
      arn: 'arn:aws:sqs:us-east-1:123456789012:orders.fifo',
      url: URL,
      name: 'orders.fifo',
      fifo: true,
      tags: {},
      visibilityTimeout: 180,
      messageRetentionPeriod: 1_209_600,
      redrivePolicy: { deadLetterTargetArn: DLQ, maxReceiveCount: 4 },
      kmsMasterKeyId: 'alias/orders',
      kmsDataKeyReusePeriodSeconds: 600,
      sqsManagedSseEnabled: false,
      approximateNumberOfMessages: 12,
    });
  });

  it.each<[string, Record<string, string>, Partial<ReturnType<typeof toQueueFacts>>]>([
    ['a zero visibility timeout is kept', { VisibilityTimeout: '0' }, { visibilityTimeout: 0 }],
    ['FifoQueue=false', { FifoQueue: 'false' }, { fifo: false }],
    ['SQS-managed SSE', { SqsManagedSseEnabled: 'true' }, { sqsManagedSseEnabled: true }],
    [
      'a KMS key without a reuse period: 300 s',
      { KmsMasterKeyId: 'k' },
      { kmsMasterKeyId: 'k', kmsDataKeyReusePeriodSeconds: 300 },
    ],
  ])('%s', (_, attributes, expected) => {
    expect(toQueueFacts(ARN, URL, attributes, {})).toMatchObject(expected);
  });

  it.each<[string, Record<string, string>]>([
    ['an empty KmsMasterKeyId means no KMS key', { KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300' }],
  ])('%s', (_, attributes) => {
    const facts = toQueueFacts(ARN, URL, attributes, {});
    expect(facts).not.toHaveProperty('kmsMasterKeyId');
    expect(facts).not.toHaveProperty('kmsDataKeyReusePeriodSeconds');
    expect(facts).not.toHaveProperty('redrivePolicy');
  });

  // Was: a default, or no redrive policy (which made edaguard plan a new DLQ over it).
  it.each<[string, Record<string, string>, RegExp]>([
    ['an unparseable number', { VisibilityTimeout: 'abc' }, /VisibilityTimeout of .* is "abc", not a number/],
    ['an unparseable RedrivePolicy', { RedrivePolicy: 'oops' }, /RedrivePolicy of .* is not JSON/],
  ])('%s → an UnexpectedResponseError', (_, attributes, message) => {
    expect(() => toQueueFacts(ARN, URL, attributes, {})).toThrow(message);
  });

  it('rejects an ARN it cannot name a queue from', () => {
    expect(() => toQueueFacts('orders', URL, {}, {})).toThrow(/not an ARN/);
  });
});

describe('isQueueMissing', () => {
  it.each([
    [{ name: 'QueueDoesNotExist' }, true],
    [{ name: 'AWS.SimpleQueueService.NonExistentQueue' }, true],
    [{ name: 'AccessDenied' }, false],
    [new Error('QueueDoesNotExist'), false],
    [undefined, false],
    [null, false],
    ['QueueDoesNotExist', false],
  ])('%j → %s', (error, missing) => {
    expect(isQueueMissing(error)).toBe(missing);
  });
});
