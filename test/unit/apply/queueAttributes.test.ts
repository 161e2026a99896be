import { describe, expect, it } from 'vitest';
import { attributesNotYetVisible, sameAttributeValue } from '../../../src/apply/queueAttributes.js';

const ARN = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const OTHER = 'arn:aws:sqs:us-east-1:123456789012:other-dlq';

describe('sameAttributeValue', () => {
  it.each<[string, string | undefined, string | undefined, boolean]>([
    ['VisibilityTimeout', '30', '30', true],
    ['VisibilityTimeout', '30', '30.0', true],
    ['VisibilityTimeout', '30', ' 30 ', true],
    ['VisibilityTimeout', '30', '31', false],
    ['VisibilityTimeout', '0', '', false],
    ['VisibilityTimeout', '', ' ', false],
    ['VisibilityTimeout', '30', undefined, false],
    ['VisibilityTimeout', undefined, '30', false],
    ['VisibilityTimeout', undefined, undefined, true],
    ['MessageRetentionPeriod', '1209600', '1209600.00', true],
    ['FifoQueue', 'true', 'TRUE', true],
    ['FifoQueue', 'True', 'true', true],
    ['SqsManagedSseEnabled', 'false', 'FALSE', true],
    ['SqsManagedSseEnabled', 'true', 'false', false],
    ['SqsManagedSseEnabled', 'true', 'yes', false],
    ['KmsMasterKeyId', 'alias/Orders', 'alias/orders', false],
    ['KmsMasterKeyId', 'alias/orders', 'alias/orders', true],
  ])('%s: %j vs %j → %s', (name, a, b, same) => {
    expect(sameAttributeValue(name, a, b)).toBe(same);
    expect(sameAttributeValue(name, b, a)).toBe(same);
  });

  it.each<[string, string, string, boolean]>([
    [
      'maxReceiveCount as a string vs a number',
      JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: '5' }),
      JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: 5 }),
      true,
    ],
    [
      'different key order and spacing',
      `{"maxReceiveCount": 5, "deadLetterTargetArn": "${ARN}"}`,
      JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: 5 }),
      true,
    ],
    [
      'different ARNs',
      JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: 5 }),
      JSON.stringify({ deadLetterTargetArn: OTHER, maxReceiveCount: 5 }),
      false,
    ],
    [
      'different counts',
      JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: 5 }),
      JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: 4 }),
      false,
    ],
    [
      'one side not JSON',
      'not json',
      JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: 5 }),
      false,
    ],
    ['both sides unparseable but different', 'x', 'y', false],
  ])('RedrivePolicy, %s → %s', (_, a, b, same) => {
    expect(sameAttributeValue('RedrivePolicy', a, b)).toBe(same);
    expect(sameAttributeValue('RedrivePolicy', b, a)).toBe(same);
  });
});

describe('attributesNotYetVisible', () => {
  it('lists the wanted attributes whose read-back value differs in meaning', () => {
    const wanted = {
      VisibilityTimeout: '180',
      MessageRetentionPeriod: '1209600',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: ARN, maxReceiveCount: 4 }),
    };
    expect(
      attributesNotYetVisible(wanted, {
        VisibilityTimeout: '180',
        MessageRetentionPeriod: '345600',
        RedrivePolicy: `{"maxReceiveCount":"4","deadLetterTargetArn":"${ARN}"}`,
        DelaySeconds: '0',
      }),
    ).toEqual(['MessageRetentionPeriod']);
    expect(attributesNotYetVisible(wanted, {})).toEqual(Object.keys(wanted));
    expect(attributesNotYetVisible({}, { VisibilityTimeout: '1' })).toEqual([]);
  });
});
