/**
 * The async edges of the demo sandbox (issue #13): an SNS subscription and an EventBridge target
 * with no DLQ, a DLQ whose queue policy does not let SNS deliver, and a Kinesis stream that keeps
 * records for less time than its mapping may retry them.
 */
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { AddTagsToStreamCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SetSubscriptionAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Seeder } from './seed.js';

export interface SandboxAsyncEdges {
  orderPlacedTopic: string;
  paymentEventsTopic: string;
  paymentEventsDlq: string;
  orderShippedRule: string;
  orderAuditStream: string;
}

const TEAM = { team: 'orders' };
const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

async function topicToQueue(seed: Seeder, topicName: string, queueName: string, dlqArn?: string) {
  const topic = await seed.sns.send(new CreateTopicCommand({ Name: topicName, Tags: tagList(TEAM) }));
  const consumer = await seed.queue(queueName);
  const sub = await seed.sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: 'sqs',
      Endpoint: consumer.arn,
      ReturnSubscriptionArn: true,
    }),
  );
  if (dlqArn) {
    await seed.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: sub.SubscriptionArn,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: dlqArn }),
      }),
    );
  }
  return topic.TopicArn as string;
}

export async function seedAsyncEdges(seed: Seeder): Promise<SandboxAsyncEdges> {
  // order-placed → order-fulfilment: no RedrivePolicy, so a failed delivery is dropped for good.
  const orderPlacedTopic = await topicToQueue(seed, 'order-placed', 'order-fulfilment');
  // payment-events → payment-ledger redrives to payment-events-dlq, whose policy lets only the
  // team's reader in: SNS cannot deliver to it. The reader's statement must survive the fix.
  const dlq = await seed.queue('payment-events-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
  const readerPolicy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'payments-team-reads',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:role/payments-oncall' },
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        Resource: dlq.arn,
      },
    ],
  };
  await seed.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: dlq.url,
      Attributes: { Policy: JSON.stringify(readerPolicy) },
    }),
  );
  const paymentEventsTopic = await topicToQueue(seed, 'payment-events', 'payment-ledger', dlq.arn);
  // order-shipped → shipping-notifications: an EventBridge target with an input transformer and no DLQ.
  const rule = await seed.eventbridge.send(
    new PutRuleCommand({
      Name: 'order-shipped',
      EventPattern: JSON.stringify({ source: ['orders'], 'detail-type': ['OrderShipped'] }),
      Tags: tagList(TEAM),
    }),
  );
  const notifications = await seed.queue('shipping-notifications');
  await seed.eventbridge.send(
    new PutTargetsCommand({
      Rule: 'order-shipped',
      Targets: [
        {
          Id: 'notify-customer',
          Arn: notifications.arn,
          InputTransformer: {
            InputPathsMap: { order: '$.detail.orderId' },
            InputTemplate: '{"orderId": <order>, "kind": "shipped"}',
          },
        },
      ],
    }),
  );
  // order-audit-log keeps records 24 h, and its archiver may retry a record for 48 h.
  const orderAuditStream = await seed.kinesisStream('order-audit-log');
  await seed.kinesis.send(new AddTagsToStreamCommand({ StreamName: 'order-audit-log', Tags: TEAM }));
  await seed.fn('audit-archiver', 60);
  await seed.lambda.send(
    new CreateEventSourceMappingCommand({
      EventSourceArn: orderAuditStream,
      FunctionName: 'audit-archiver',
      StartingPosition: 'LATEST',
      MaximumRecordAgeInSeconds: 172_800,
    }),
  );
  return {
    orderPlacedTopic,
    paymentEventsTopic,
    paymentEventsDlq: dlq.arn,
    orderShippedRule: rule.RuleArn as string,
    orderAuditStream,
  };
}
