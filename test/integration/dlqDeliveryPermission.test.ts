/**
 * `dlq-delivery-permission` end to end against moto through the real SDK: the DLQ of a selected
 * topic's subscription gets a queue-policy statement letting SNS deliver from that topic, every
 * other statement kept byte-for-byte; a DLQ created in the same cycle is granted in that cycle.
 */
import { CreateKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrecondition } from '../../src/apply/handlers/index.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Inventory } from '../../src/discovery/inventory.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import type { Action } from '../../src/reconcile/model.js';
import { grantSid } from '../../src/reconcile/queuePolicyGrant.js';
import { planDlqDeliveryPermission } from '../../src/reconcile/rules/dlqDeliveryPermission.js';
import { emulatorEndpoint, reconcileOnce, testClients, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

const ACCOUNT = 'arn:aws:sqs:us-east-1:123456789012';

const policy = (rules: string, enforcement = 'enforce') =>
  parsePolicySources([
    {
      file: 'policy.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: ${enforcement}
  match: { resourceTypes: [sns:topic], tags: { team: orders } }
  rules:
${rules}
`,
    },
  ]);

/** A foreign statement, formatted as a person would write it: it must survive byte-for-byte. */
const FOREIGN = (dlqArn: string) => `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "team-reader",
      "Effect": "Allow",
      "Principal": { "AWS": "arn:aws:iam::123456789012:role/reader" },
      "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
      "Resource": "${dlqArn}"
    }
  ]
}`;

let aws: AwsClients | undefined;
afterEach(() => aws?.destroy());

async function topicWithSubscription(name: string, dlqName?: string) {
  aws ??= testClients();
  const topic = await aws.sns.send(
    new CreateTopicCommand({ Name: name, Tags: [{ Key: 'team', Value: 'orders' }] }),
  );
  await aws.sqs.send(new CreateQueueCommand({ QueueName: `${name}-consumer` }));
  const sub = await aws.sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: 'sqs',
      Endpoint: `${ACCOUNT}:${name}-consumer`,
      ReturnSubscriptionArn: true,
    }),
  );
  if (dlqName) {
    await aws.sqs.send(new CreateQueueCommand({ QueueName: dlqName }));
    await aws.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: sub.SubscriptionArn,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: `${ACCOUNT}:${dlqName}` }),
      }),
    );
  }
  return { topicArn: topic.TopicArn as string, subscriptionArn: sub.SubscriptionArn as string };
}

async function queuePolicy(name: string): Promise<string | undefined> {
  const url = (await aws?.sqs.send(new GetQueueUrlCommand({ QueueName: name })))?.QueueUrl;
  const out = await aws?.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }),
  );
  return out?.Attributes?.Policy;
}

async function setQueuePolicy(name: string, policyText: string): Promise<void> {
  const url = (await aws?.sqs.send(new GetQueueUrlCommand({ QueueName: name })))?.QueueUrl;
  await aws?.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: policyText } }));
}

const statementsOf = (text: string | undefined) =>
  (JSON.parse(text ?? '{}') as { Statement?: Array<Record<string, unknown>> }).Statement ?? [];

describe('dlq-delivery-permission against the emulator', () => {
  it('adds the SNS statement beside a foreign one, kept byte-for-byte, then converges with zero writes', async () => {
    const orders = await topicWithSubscription('orders', 'orders-dlq');
    const dlqArn = `${ACCOUNT}:orders-dlq`;
    await setQueuePolicy('orders-dlq', FOREIGN(dlqArn));
    const stored = await queuePolicy('orders-dlq');
    expect(statementsOf(stored)).toEqual(statementsOf(FOREIGN(dlqArn)));

    const first = await reconcileOnce(policy('    dlq-delivery-permission: {}'));
    const result = first.report.results.find((r) => r.rule === 'dlq-delivery-permission');
    expect(result?.resource).toBe(dlqArn);
    expect(result?.status).toBe('fixed');
    expect(first.writes).toBe(1);

    // Every byte of the policy as SQS answered it (moto re-serialises what it is given, as
    // json.dumps does) is still there, up to where edaguard's statement was inserted.
    const after = await queuePolicy('orders-dlq');
    expect(after?.startsWith((stored ?? '').slice(0, (stored ?? '').lastIndexOf(']')))).toBe(true);
    const statements = statementsOf(after);
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual({
      Sid: grantSid('sns.amazonaws.com', orders.topicArn, dlqArn),
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: dlqArn,
      Condition: { ArnEquals: { 'aws:SourceArn': orders.topicArn } },
    });

    const again = await reconcileOnce(policy('    dlq-delivery-permission: {}'));
    expect(again.writes).toBe(0);
    expect(again.report.results.find((r) => r.rule === 'dlq-delivery-permission')?.status).toBe('pass');
  });

  it('grants the DLQ that sns-subscription-dlq creates in the same cycle', async () => {
    const orders = await topicWithSubscription('orders');
    const rules = '    sns-subscription-dlq: { create: {} }\n    dlq-delivery-permission: {}';
    const first = await reconcileOnce(policy(rules));
    const statuses = Object.fromEntries(first.report.results.map((r) => [r.rule, r.status]));
    expect(statuses).toMatchObject({ 'sns-subscription-dlq': 'fixed', 'dlq-delivery-permission': 'fixed' });
    expect(first.writes).toBe(3);
    const sub = await aws?.sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: orders.subscriptionArn }),
    );
    expect(JSON.parse(sub?.Attributes?.RedrivePolicy ?? '{}').deadLetterTargetArn).toBe(
      `${ACCOUNT}:orders-dlq`,
    );
    expect(statementsOf(await queuePolicy('orders-dlq'))).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sns.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': orders.topicArn } },
      }),
    ]);
    expect((await reconcileOnce(policy(rules))).writes).toBe(0);
  });

  it('a DLQ under a customer-managed key: a ticket quoting the key policy statement until the key policy allows SNS', async () => {
    aws ??= testClients();
    const kms = aws.kms;
    const root = {
      Sid: 'root',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:root' },
      Action: 'kms:*',
      Resource: '*',
    };
    const key = await kms.send(
      new CreateKeyCommand({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [root] }) }),
    );
    const keyArn = key.KeyMetadata?.Arn as string;
    await aws.sqs.send(
      new CreateQueueCommand({ QueueName: 'orders-dlq', Attributes: { KmsMasterKeyId: keyArn } }),
    );
    const orders = await topicWithSubscription('orders');
    const sub = await aws.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: orders.topicArn }));
    await aws.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: sub.Subscriptions?.[0]?.SubscriptionArn,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: `${ACCOUNT}:orders-dlq` }),
      }),
    );
    const rules = '    dlq-delivery-permission: {}';
    const first = await reconcileOnce(policy(rules));
    const fixed = first.report.results.find((r) => r.rule === 'dlq-delivery-permission');
    expect(fixed?.status).toBe('fixed');
    expect(first.writes).toBe(1);

    const second = await reconcileOnce(policy(rules));
    const ticket = second.report.results.find((r) => r.rule === 'dlq-delivery-permission');
    expect(ticket?.status).toBe('ticket');
    expect(ticket?.message).toContain(keyArn);
    expect(ticket?.message).toContain('"kms:GenerateDataKey","kms:Decrypt"');
    expect(second.writes).toBe(0);
    const keyReads = second.report.awsCalls
      .filter((c) => c.service === 'KMS')
      .map((c) => c.operation)
      .sort();
    expect(keyReads).toEqual(['DescribeKey', 'GetKeyPolicy']);

    // Once a person adds the statement to the key policy, the finding passes: no ticket forever.
    const allowSns = {
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
    };
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId: keyArn,
        PolicyName: 'default',
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [root, allowSns] }),
      }),
    );
    const third = await reconcileOnce(policy(rules));
    expect(third.report.results.find((r) => r.rule === 'dlq-delivery-permission')?.status).toBe('pass');
    expect(third.writes).toBe(0);
  });

  it('in audit mode reports the missing grant and writes nothing', async () => {
    await topicWithSubscription('orders', 'orders-dlq');
    const run = await reconcileOnce(policy('    dlq-delivery-permission: {}', 'audit'));
    const result = run.report.results.find((r) => r.rule === 'dlq-delivery-permission');
    expect(result?.status).toBe('drift');
    expect(result?.message).toContain('sns.amazonaws.com');
    expect(run.writes).toBe(0);
    expect(await queuePolicy('orders-dlq')).toBeUndefined();
  });

  it('the write refuses a policy edited after discovery, and is `unchanged` once granted', async () => {
    const orders = await topicWithSubscription('orders', 'orders-dlq');
    const dlqArn = `${ACCOUNT}:orders-dlq`;
    const planned = planDlqDeliveryPermission({ arn: dlqArn }, [
      { servicePrincipal: 'sns.amazonaws.com', sourceArn: orders.topicArn },
    ]).actions?.[0] as Action;
    const ctx = { aws: aws as AwsClients, inventory: {} as Inventory, endpoint: emulatorEndpoint() };
    expect(await checkPrecondition(planned, ctx)).toBe('proceed');
    await setQueuePolicy('orders-dlq', FOREIGN(dlqArn));
    const edited = await queuePolicy('orders-dlq');
    await expect(checkPrecondition(planned, ctx)).rejects.toMatchObject({ code: 'CHANGED_SINCE_DISCOVERY' });
    expect(await queuePolicy('orders-dlq')).toBe(edited);
    await setQueuePolicy('orders-dlq', (planned as { policy: string }).policy);
    expect(await checkPrecondition(planned, ctx)).toBe('unchanged');
  });
});
