import { describe, expect, it } from 'vitest';
import { grantSid } from '../../../../src/reconcile/queuePolicyGrant.js';
import {
  type DeliveryEdge,
  planDlqDeliveryPermission,
} from '../../../../src/reconcile/rules/dlqDeliveryPermission.js';

const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const RULE = 'arn:aws:events:us-east-1:123456789012:rule/orders-created';
const sns: DeliveryEdge = { servicePrincipal: 'sns.amazonaws.com', sourceArn: TOPIC };
const events: DeliveryEdge = { servicePrincipal: 'events.amazonaws.com', sourceArn: RULE };
const FOREIGN =
  '{ "Version": "2012-10-17",\n  "Statement": [ {"Sid":"reader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/reader"},"Action":"sqs:ReceiveMessage","Resource":"*"} ] }';

describe('dlq-delivery-permission', () => {
  it('a queue with no policy gets one statement per delivering source, in one write', () => {
    const verdict = planDlqDeliveryPermission({ arn: DLQ }, [sns, events]);
    expect(verdict.status).toBe('drift');
    const [action] = verdict.actions ?? [];
    if (action?.kind !== 'AddQueuePolicyStatements') throw new Error('expected AddQueuePolicyStatements');
    expect(action.statements.map((s) => s.Sid)).toEqual([
      grantSid('sns.amazonaws.com', TOPIC, DLQ),
      grantSid('events.amazonaws.com', RULE, DLQ),
    ]);
    expect(action.observedPolicy).toBeUndefined();
    const policy = JSON.parse(action.policy) as { Statement: Array<Record<string, unknown>> };
    expect(policy.Statement).toHaveLength(2);
    expect(policy.Statement[1]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: DLQ,
      Condition: { ArnEquals: { 'aws:SourceArn': RULE } },
    });
  });

  it('keeps every other statement byte-for-byte and plans from the policy it read', () => {
    const verdict = planDlqDeliveryPermission({ arn: DLQ, policy: FOREIGN }, [sns]);
    const action = verdict.actions?.[0];
    if (action?.kind !== 'AddQueuePolicyStatements') throw new Error('expected AddQueuePolicyStatements');
    expect(action.observedPolicy).toBe(FOREIGN);
    const foreignStatement = FOREIGN.slice(FOREIGN.indexOf('{"Sid"'), FOREIGN.indexOf('} ]') + 1);
    expect(action.policy).toContain(foreignStatement);
    expect(action.policy.startsWith('{ "Version": "2012-10-17",\n  "Statement": [ {"Sid":"reader"')).toBe(
      true,
    );
  });

  it('passes when every source is granted, and plans no write', () => {
    const first = planDlqDeliveryPermission({ arn: DLQ, policy: FOREIGN }, [sns, events]);
    const action = first.actions?.[0];
    if (action?.kind !== 'AddQueuePolicyStatements') throw new Error('expected AddQueuePolicyStatements');
    const again = planDlqDeliveryPermission({ arn: DLQ, policy: action.policy }, [sns, events]);
    expect(again.status).toBe('pass');
    expect(again.actions ?? []).toEqual([]);
  });

  it('adds only what is missing', () => {
    const first = planDlqDeliveryPermission({ arn: DLQ }, [sns]);
    const granted = first.actions?.[0];
    if (granted?.kind !== 'AddQueuePolicyStatements') throw new Error('expected AddQueuePolicyStatements');
    const verdict = planDlqDeliveryPermission({ arn: DLQ, policy: granted.policy }, [sns, events]);
    const action = verdict.actions?.[0];
    if (action?.kind !== 'AddQueuePolicyStatements') throw new Error('expected AddQueuePolicyStatements');
    expect(action.statements.map((s) => s.Principal.Service)).toEqual(['events.amazonaws.com']);
  });

  it.each([
    ['not JSON', 'not json'],
    [
      'edaguard statement edited',
      JSON.stringify({
        Statement: [
          {
            Sid: grantSid('sns.amazonaws.com', TOPIC, DLQ),
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: '*',
          },
        ],
      }),
    ],
  ])('a policy it cannot extend safely is a ticket, never a write: %s', (_name, policy) => {
    const verdict = planDlqDeliveryPermission({ arn: DLQ, policy }, [sns]);
    expect(verdict.status).toBe('ticket');
    expect(verdict.actions ?? []).toEqual([]);
  });

  it('a customer-managed KMS key: the queue statement is written, and the key policy is named in the message', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const drift = planDlqDeliveryPermission({ arn: DLQ, kmsMasterKeyId: key }, [sns]);
    expect(drift.status).toBe('drift');
    expect(drift.message).toContain(key);
    expect(drift.message).toContain('kms:GenerateDataKey');
    const action = drift.actions?.[0];
    if (action?.kind !== 'AddQueuePolicyStatements') throw new Error('expected AddQueuePolicyStatements');
    const after = planDlqDeliveryPermission({ arn: DLQ, kmsMasterKeyId: key, policy: action.policy }, [sns]);
    expect(after.status).toBe('ticket');
    expect(after.message).toContain('edaguard never edits key policies');
  });

  it('the SQS-managed key needs nothing more', () => {
    expect(
      planDlqDeliveryPermission({ arn: DLQ, kmsMasterKeyId: 'alias/aws/sqs' }, [sns]).message,
    ).not.toContain('kms');
  });

  describe('with the key as discovery read it', () => {
    const key = 'alias/orders';
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const granted = planDlqDeliveryPermission({ arn: DLQ }, [sns]).actions?.[0] as { policy: string };
    const keyPolicy = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: '*',
        },
      ],
    });

    it('passes when the key policy lets every source use the key', () => {
      const kmsKey = { keyRef: key, keyManager: 'CUSTOMER' as const, arn: keyArn, policy: keyPolicy };
      expect(
        planDlqDeliveryPermission({ arn: DLQ, policy: granted.policy, kmsMasterKeyId: key, kmsKey }, [sns])
          .status,
      ).toBe('pass');
    });

    it('tickets only the sources the key policy leaves out', () => {
      const kmsKey = { keyRef: key, keyManager: 'CUSTOMER' as const, arn: keyArn, policy: keyPolicy };
      const both = planDlqDeliveryPermission({ arn: DLQ, kmsMasterKeyId: key, kmsKey }, [sns, events]);
      const action = both.actions?.[0] as { policy: string };
      const verdict = planDlqDeliveryPermission(
        { arn: DLQ, policy: action.policy, kmsMasterKeyId: key, kmsKey },
        [sns, events],
      );
      expect(verdict.status).toBe('ticket');
      expect(verdict.message).toContain('events.amazonaws.com');
      expect(verdict.message).not.toContain('"Service":"sns.amazonaws.com"');
    });

    it('an AWS-managed key needs nothing', () => {
      const kmsKey = { keyRef: key, keyManager: 'AWS' as const, arn: keyArn };
      expect(
        planDlqDeliveryPermission({ arn: DLQ, policy: granted.policy, kmsMasterKeyId: key, kmsKey }, [sns])
          .status,
      ).toBe('pass');
    });

    it('a key policy it could not read is a ticket that says so', () => {
      const kmsKey = { keyRef: key, readError: 'AccessDeniedException' };
      const verdict = planDlqDeliveryPermission(
        { arn: DLQ, policy: granted.policy, kmsMasterKeyId: key, kmsKey },
        [sns],
      );
      expect(verdict.status).toBe('ticket');
      expect(verdict.message).toContain('could not read the key policy: AccessDeniedException');
    });
  });
});
