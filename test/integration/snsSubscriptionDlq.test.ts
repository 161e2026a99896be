/**
 * `sns-subscription-dlq` end to end against moto through the real SDK: a tagged topic's SQS
 * subscription without a RedrivePolicy gets `<topic>-dlq`, created tagged managed-by edaguard.
 */
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrecondition } from '../../src/apply/handlers/index.js';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Inventory } from '../../src/discovery/inventory.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import type { Action } from '../../src/reconcile/model.js';
import { reconcileOnce, testClients, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

const ACCOUNT = 'arn:aws:sqs:us-east-1:123456789012';

const policy = (rule: string) =>
  parsePolicySources([
    {
      file: 'policy.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: enforce
  match: { resourceTypes: [sns:topic], tags: { team: orders } }
  rules:
    sns-subscription-dlq: ${rule}
`,
    },
  ]);

let aws: AwsClients | undefined;
afterEach(() => aws?.destroy());

/** A topic (tagged when `team` is given) with one confirmed SQS subscription and no RedrivePolicy. */
async function topicWithQueueSubscription(name: string, team?: string) {
  aws ??= testClients();
  const topic = await aws.sns.send(
    new CreateTopicCommand({ Name: name, ...(team ? { Tags: [{ Key: 'team', Value: team }] } : {}) }),
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
  return { topicArn: topic.TopicArn as string, subscriptionArn: sub.SubscriptionArn as string };
}

async function redrivePolicyOf(subscriptionArn: string): Promise<string | undefined> {
  const out = await aws?.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
  return out?.Attributes?.RedrivePolicy;
}

describe('sns-subscription-dlq against the emulator', () => {
  it('creates <topic>-dlq tagged managed-by edaguard, attaches it, then converges with zero writes', async () => {
    const orders = await topicWithQueueSubscription('orders', 'orders');
    const other = await topicWithQueueSubscription('billing');

    const first = await reconcileOnce(policy('{ create: {} }'));
    const result = first.report.results.find((r) => r.rule === 'sns-subscription-dlq');
    expect(result?.resource).toBe(orders.topicArn);
    expect(result?.status).toBe('fixed');
    expect(first.writes).toBe(2);

    expect(JSON.parse((await redrivePolicyOf(orders.subscriptionArn)) ?? '{}')).toEqual({
      deadLetterTargetArn: `${ACCOUNT}:orders-dlq`,
    });
    const dlqUrl = (await aws?.sqs.send(new GetQueueUrlCommand({ QueueName: 'orders-dlq' })))?.QueueUrl;
    const tags = await aws?.sqs.send(new ListQueueTagsCommand({ QueueUrl: dlqUrl }));
    expect(tags?.Tags).toEqual({
      'edaguard.dev/managed-by': 'edaguard',
      'edaguard.dev/dlq-for': orders.topicArn,
    });
    // The topic the policy does not select is untouched.
    expect(await redrivePolicyOf(other.subscriptionArn)).toBeUndefined();
    expect(first.report.results.some((r) => r.resource === other.topicArn)).toBe(false);

    const again = await reconcileOnce(policy('{ create: {} }'));
    expect(again.writes).toBe(0);
    expect(again.report.results.find((r) => r.rule === 'sns-subscription-dlq')?.status).toBe('pass');
  });

  it('a FIFO topic gets a FIFO DLQ, <topic>-dlq.fifo', async () => {
    aws ??= testClients();
    const topic = await aws.sns.send(
      new CreateTopicCommand({
        Name: 'ledger.fifo',
        Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
        Tags: [{ Key: 'team', Value: 'orders' }],
      }),
    );
    await aws.sqs.send(
      new CreateQueueCommand({ QueueName: 'ledger-consumer.fifo', Attributes: { FifoQueue: 'true' } }),
    );
    const sub = await aws.sns.send(
      new SubscribeCommand({
        TopicArn: topic.TopicArn,
        Protocol: 'sqs',
        Endpoint: `${ACCOUNT}:ledger-consumer.fifo`,
        ReturnSubscriptionArn: true,
      }),
    );
    const first = await reconcileOnce(policy('{ create: {} }'));
    expect(first.report.results.find((r) => r.rule === 'sns-subscription-dlq')?.status).toBe('fixed');
    expect(JSON.parse((await redrivePolicyOf(sub.SubscriptionArn as string)) ?? '{}')).toEqual({
      deadLetterTargetArn: `${ACCOUNT}:ledger-dlq.fifo`,
    });
    const dlqUrl = (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: 'ledger-dlq.fifo' }))).QueueUrl;
    const attributes = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['FifoQueue'] }),
    );
    expect(attributes.Attributes?.FifoQueue).toBe('true');
    expect((await reconcileOnce(policy('{ create: {} }'))).writes).toBe(0);
  });

  it('without create, reports the subscription and writes nothing', async () => {
    const orders = await topicWithQueueSubscription('orders', 'orders');
    const run = await reconcileOnce(policy('{}'));
    const result = run.report.results.find((r) => r.rule === 'sns-subscription-dlq');
    expect(result?.status).toBe('drift');
    expect(result?.message).toContain('has no RedrivePolicy');
    expect(result?.message).toContain('add rules.sns-subscription-dlq.create');
    expect(run.writes).toBe(0);
    expect(await redrivePolicyOf(orders.subscriptionArn)).toBeUndefined();
  });
});

describe('SetSubscriptionAttributes precondition against the emulator', () => {
  const desired = JSON.stringify({ deadLetterTargetArn: `${ACCOUNT}:orders-dlq` });
  const setUp = async () => {
    const orders = await topicWithQueueSubscription('orders', 'orders');
    const action: Action = {
      kind: 'SetSubscriptionAttributes',
      subscriptionArn: orders.subscriptionArn,
      topicArn: orders.topicArn,
      attributeName: 'RedrivePolicy',
      value: desired,
    };
    // What discovery saw: the subscription without a RedrivePolicy.
    const inventory = {
      topics: new Map([
        [
          orders.topicArn,
          {
            subscriptions: [
              {
                arn: orders.subscriptionArn,
                protocol: 'sqs',
                pendingConfirmation: false,
                deadLetterTargetArn: undefined,
              },
            ],
          },
        ],
      ]),
    } as unknown as Inventory;
    const redriveTo = (value: string) =>
      aws?.sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn: orders.subscriptionArn,
          AttributeName: 'RedrivePolicy',
          AttributeValue: value,
        }),
      );
    return { action, ctx: { aws: aws as AwsClients, inventory }, redriveTo };
  };

  it('proceeds when unchanged since discovery, and is `unchanged` when already as desired', async () => {
    const { action, ctx, redriveTo } = await setUp();
    expect(await checkPrecondition(action, ctx)).toBe('proceed');
    await redriveTo(desired);
    expect(await checkPrecondition(action, ctx)).toBe('unchanged');
  });

  it('refuses to overwrite a RedrivePolicy someone set after discovery', async () => {
    const { action, ctx, redriveTo } = await setUp();
    await redriveTo(JSON.stringify({ deadLetterTargetArn: `${ACCOUNT}:someone-elses-dlq` }));
    await expect(checkPrecondition(action, ctx)).rejects.toMatchObject({ code: 'CHANGED_SINCE_DISCOVERY' });
  });
});
