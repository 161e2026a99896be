import { describe, expect, it } from 'vitest';
import {
  checkDeliveryGrant,
  grantSid,
  grantStatement,
  insertStatement,
  kmsKeyPolicyGuidance,
  needsKmsKeyGrant,
} from '../../../src/reconcile/queuePolicyGrant.js';

const SNS = 'sns.amazonaws.com';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const req = { servicePrincipal: SNS, sourceArn: TOPIC, queueArn: QUEUE };

const FOREIGN =
  '{"Sid":"team-reader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/reader"},"Action":["sqs:ReceiveMessage"],"Resource":"arn:aws:sqs:us-east-1:123456789012:orders-dlq"}';

describe('grantSid', () => {
  it('is stable and depends on principal, source and queue', () => {
    expect(grantSid(SNS, TOPIC, QUEUE)).toBe(grantSid(SNS, TOPIC, QUEUE));
    expect(grantSid(SNS, TOPIC, QUEUE)).toMatch(/^edaguard-[0-9a-f]{16}$/);
    expect(grantSid('events.amazonaws.com', TOPIC, QUEUE)).not.toBe(grantSid(SNS, TOPIC, QUEUE));
    expect(grantSid(SNS, `${TOPIC}2`, QUEUE)).not.toBe(grantSid(SNS, TOPIC, QUEUE));
    expect(grantSid(SNS, TOPIC, `${QUEUE}2`)).not.toBe(grantSid(SNS, TOPIC, QUEUE));
  });
});

describe('checkDeliveryGrant', () => {
  const ours = JSON.stringify(grantStatement(req));
  const granted = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

  it.each([
    ['edaguard statement', JSON.parse(ours)],
    [
      'service in a list, sqs:* action, ArnLike',
      {
        Effect: 'Allow',
        Principal: { Service: ['events.amazonaws.com', SNS] },
        Action: 'sqs:*',
        Resource: '*',
        Condition: { ArnLike: { 'aws:SourceArn': [TOPIC] } },
      },
    ],
  ])('granted: %s', (_name, statement) => {
    expect(checkDeliveryGrant({ ...req, policyText: granted(statement) }).status).toBe('granted');
  });

  it.each([
    ['Deny', { ...JSON.parse(ours), Effect: 'Deny', Sid: 'x' }],
    ['other principal', { ...JSON.parse(ours), Principal: { Service: 'events.amazonaws.com' }, Sid: 'x' }],
    ['other action', { ...JSON.parse(ours), Action: 'sqs:ReceiveMessage', Sid: 'x' }],
    ['other resource', { ...JSON.parse(ours), Resource: `${QUEUE}-other`, Sid: 'x' }],
    ['no source condition', { ...JSON.parse(ours), Condition: undefined, Sid: 'x' }],
    [
      'other source',
      { ...JSON.parse(ours), Condition: { ArnEquals: { 'aws:SourceArn': `${TOPIC}-x` } }, Sid: 'x' },
    ],
  ])('missing: %s', (_name, statement) => {
    expect(checkDeliveryGrant({ ...req, policyText: granted(statement) }).status).toBe('missing');
  });

  it('no policy → a new policy with just edaguard statement', () => {
    for (const policyText of [undefined, '', '  ']) {
      const check = checkDeliveryGrant({ ...req, policyText });
      expect(check.status).toBe('missing');
      if (check.status !== 'missing') return;
      expect(JSON.parse(check.policyText)).toEqual({
        Version: '2012-10-17',
        Statement: [grantStatement(req)],
      });
    }
  });

  it('keeps a foreign statement byte-for-byte and appends edaguard statement', () => {
    const text = `{\n  "Version": "2012-10-17",\n  "Id": "keep me",\n  "Statement": [\n    ${FOREIGN}\n  ]\n}`;
    const check = checkDeliveryGrant({ ...req, policyText: text });
    expect(check.status).toBe('missing');
    if (check.status !== 'missing') return;
    expect(check.policyText).toContain(FOREIGN);
    expect(
      check.policyText.startsWith(
        `{\n  "Version": "2012-10-17",\n  "Id": "keep me",\n  "Statement": [\n    ${FOREIGN}`,
      ),
    ).toBe(true);
    const parsed = JSON.parse(check.policyText);
    expect(parsed.Statement).toEqual([JSON.parse(FOREIGN), grantStatement(req)]);
    expect(checkDeliveryGrant({ ...req, policyText: check.policyText }).status).toBe('granted');
  });

  it('a single-object Statement becomes a list holding the original bytes', () => {
    const text = `{"Version":"2012-10-17","Statement":${FOREIGN}}`;
    const check = checkDeliveryGrant({ ...req, policyText: text });
    if (check.status !== 'missing') throw new Error(check.status);
    expect(check.policyText).toBe(`{"Version":"2012-10-17","Statement":[${FOREIGN},${ours}]}`);
  });

  it('a policy without Statement, or with an empty list', () => {
    expect(insertStatement('{"Version":"2012-10-17"}', ours)).toBe(
      `{"Version":"2012-10-17","Statement":[${ours}]}`,
    );
    expect(insertStatement('{}', ours)).toBe(`{"Statement":[${ours}]}`);
    expect(insertStatement('{"Statement":[ ]}', ours)).toBe(`{"Statement":[ ${ours}]}`);
  });

  it('strings holding brackets and escaped quotes do not confuse the insertion', () => {
    const tricky = '{"Sid":"a]}\\"[{","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*"}';
    const text = `{"Id":"x}]","Statement":[${tricky}]}`;
    const check = checkDeliveryGrant({ ...req, policyText: text });
    if (check.status !== 'missing') throw new Error(check.status);
    expect(check.policyText).toBe(`{"Id":"x}]","Statement":[${tricky},${ours}]}`);
  });

  it.each([
    ['not JSON', '{"Statement": ['],
    ['not an object', '[1]'],
    ['an edited edaguard statement', granted({ ...JSON.parse(ours), Action: 'sqs:ReceiveMessage' })],
  ])('ticket: %s', (_name, policyText) => {
    expect(checkDeliveryGrant({ ...req, policyText }).status).toBe('ticket');
  });
});

describe('KMS', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['alias/aws/sqs', false],
    ['arn:aws:kms:us-east-1:123456789012:key/abc', true],
    ['alias/orders', true],
  ])('needsKmsKeyGrant(%s) = %s', (key, expected) => {
    expect(needsKmsKeyGrant(key)).toBe(expected);
  });

  it('guidance names the key, the service and the source', () => {
    const text = kmsKeyPolicyGuidance(SNS, TOPIC, 'alias/orders');
    expect(text).toContain('alias/orders');
    expect(text).toContain(SNS);
    expect(text).toContain(TOPIC);
    expect(text).toContain('kms:GenerateDataKey');
    expect(text).toContain('never edits key policies');
  });
});
