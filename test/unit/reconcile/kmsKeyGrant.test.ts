import { describe, expect, it } from 'vitest';
import { keyPolicyGrants } from '../../../src/reconcile/kmsKeyGrant.js';

const SNS = 'sns.amazonaws.com';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = {
  Effect: 'Allow',
  Principal: { Service: SNS },
  Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
  Resource: '*',
};

describe('keyPolicyGrants', () => {
  it.each([
    ['exact actions, no condition', allow],
    ['GenerateDataKey* and Decrypt', { ...allow, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] }],
    ['kms:*', { ...allow, Action: 'kms:*' }],
    ['service in a list', { ...allow, Principal: { Service: ['events.amazonaws.com', SNS] } }],
    ['condition on this source', { ...allow, Condition: { ArnEquals: { 'aws:SourceArn': TOPIC } } }],
    [
      'ArnLike with this source in a list',
      { ...allow, Condition: { ArnLike: { 'aws:SourceArn': [TOPIC, 'x'] } } },
    ],
  ])('granted: %s', (_name, statement) => {
    expect(keyPolicyGrants(policy(statement), SNS, TOPIC)).toBe(true);
  });

  it.each([
    ['Deny', { ...allow, Effect: 'Deny' }],
    ['another service', { ...allow, Principal: { Service: 'events.amazonaws.com' } }],
    ['an AWS principal', { ...allow, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }],
    ['Decrypt only', { ...allow, Action: 'kms:Decrypt' }],
    ['GenerateDataKey only', { ...allow, Action: ['kms:GenerateDataKey'] }],
    ['another source', { ...allow, Condition: { ArnEquals: { 'aws:SourceArn': `${TOPIC}-x` } } }],
    [
      'a condition it cannot judge',
      { ...allow, Condition: { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } } },
    ],
  ])('not granted: %s', (_name, statement) => {
    expect(keyPolicyGrants(policy(statement), SNS, TOPIC)).toBe(false);
  });

  it('is false for text that is not a policy', () => {
    expect(keyPolicyGrants('not json', SNS, TOPIC)).toBe(false);
    expect(keyPolicyGrants('[]', SNS, TOPIC)).toBe(false);
  });
});
