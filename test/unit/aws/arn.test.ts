import { describe, expect, it } from 'vitest';
import { parseArn, sqsQueueArn, sqsQueueUrlFromArn, unqualifiedFunctionArn } from '../../../src/aws/arn.js';
import { EdaguardError } from '../../../src/errors.js';

describe('parseArn', () => {
  it.each([
    [
      'arn:aws:sqs:us-east-1:123456789012:orders',
      {
        partition: 'aws',
        service: 'sqs',
        region: 'us-east-1',
        accountId: '123456789012',
        resource: 'orders',
      },
    ],
    [
      'arn:aws-cn:sqs:cn-north-1:111122223333:orders.fifo',
      {
        partition: 'aws-cn',
        service: 'sqs',
        region: 'cn-north-1',
        accountId: '111122223333',
        resource: 'orders.fifo',
      },
    ],
    [
      'arn:aws:lambda:eu-west-1:123456789012:function:worker:live',
      {
        partition: 'aws',
        service: 'lambda',
        region: 'eu-west-1',
        accountId: '123456789012',
        resource: 'function:worker:live',
      },
    ],
    [
      'arn:aws:iam::123456789012:role/edaguard',
      { partition: 'aws', service: 'iam', region: '', accountId: '123456789012', resource: 'role/edaguard' },
    ],
  ])('%s', (arn, expected) => {
    expect(parseArn(arn)).toEqual(expected);
  });

  it.each([
    '',
    'orders',
    'arn:aws:sqs:us-east-1:123456789012',
    'urn:aws:sqs:us-east-1:1:q',
    'https://sqs.us-east-1.amazonaws.com/1/q',
  ])('%j is not an ARN', (value) => {
    let error: unknown;
    try {
      parseArn(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EdaguardError);
    expect(error).toMatchObject({ code: 'ARN_INVALID', message: `not an ARN: "${value}"` });
  });
});

describe('sqsQueueArn', () => {
  it('builds the ARN of a queue of a target', () => {
    expect(
      sqsQueueArn({ partition: 'aws', region: 'us-east-1', accountId: '123456789012' }, 'orders-dlq'),
    ).toBe('arn:aws:sqs:us-east-1:123456789012:orders-dlq');
    expect(sqsQueueArn({ partition: 'aws-us-gov', region: 'us-gov-west-1', accountId: '1' }, 'q.fifo')).toBe(
      'arn:aws-us-gov:sqs:us-gov-west-1:1:q.fifo',
    );
  });

  it('round-trips with parseArn', () => {
    const target = { partition: 'aws', region: 'ap-southeast-2', accountId: '999999999999' };
    expect(parseArn(sqsQueueArn(target, 'x'))).toEqual({ ...target, service: 'sqs', resource: 'x' });
  });
});

describe('sqsQueueUrlFromArn', () => {
  it.each<[string, string | undefined, string]>([
    [
      'arn:aws:sqs:us-east-1:123456789012:orders',
      undefined,
      'https://sqs.us-east-1.amazonaws.com/123456789012/orders',
    ],
    [
      'arn:aws:sqs:eu-west-1:123456789012:o.fifo',
      undefined,
      'https://sqs.eu-west-1.amazonaws.com/123456789012/o.fifo',
    ],
    ['arn:aws-cn:sqs:cn-north-1:1:q', undefined, 'https://sqs.cn-north-1.amazonaws.com.cn/1/q'],
    ['arn:aws-us-gov:sqs:us-gov-west-1:1:q', undefined, 'https://sqs.us-gov-west-1.amazonaws.com/1/q'],
    ['arn:aws:sqs:us-east-1:123456789012:q', 'http://127.0.0.1:5000', 'http://127.0.0.1:5000/123456789012/q'],
    [
      'arn:aws:sqs:us-east-1:123456789012:q',
      'http://127.0.0.1:5000//',
      'http://127.0.0.1:5000/123456789012/q',
    ],
    [
      'arn:aws:sqs:us-east-1:1:q',
      'https://vpce-1.sqs.us-east-1.vpce.amazonaws.com',
      'https://vpce-1.sqs.us-east-1.vpce.amazonaws.com/1/q',
    ],
  ])('%s (endpoint %s) → %s', (arn, endpoint, url) => {
    expect(sqsQueueUrlFromArn(arn, endpoint)).toBe(url);
  });

  it('an empty endpoint means the public one', () => {
    expect(sqsQueueUrlFromArn('arn:aws:sqs:us-east-1:1:q', '')).toBe(
      'https://sqs.us-east-1.amazonaws.com/1/q',
    );
  });

  it('rejects what is not an ARN', () => {
    expect(() => sqsQueueUrlFromArn('orders')).toThrow(/not an ARN/);
  });
});

describe('unqualifiedFunctionArn', () => {
  it.each([
    [
      'arn:aws:lambda:us-east-1:123456789012:function:worker',
      'arn:aws:lambda:us-east-1:123456789012:function:worker',
    ],
    [
      'arn:aws:lambda:us-east-1:123456789012:function:worker:live',
      'arn:aws:lambda:us-east-1:123456789012:function:worker',
    ],
    [
      'arn:aws:lambda:us-east-1:123456789012:function:worker:7',
      'arn:aws:lambda:us-east-1:123456789012:function:worker',
    ],
    [
      'arn:aws:lambda:us-east-1:123456789012:function:worker:$LATEST',
      'arn:aws:lambda:us-east-1:123456789012:function:worker',
    ],
  ])('%s → %s', (arn, expected) => {
    expect(unqualifiedFunctionArn(arn)).toBe(expected);
  });
});
