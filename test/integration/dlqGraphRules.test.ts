/**
 * The DLQ graph in the rules, against moto: a queue that an SNS subscription redrives to is a
 * DLQ, so the queue policy gives it no DLQ of its own (and never asks ListDeadLetterSourceQueues
 * about it), while a topic policy's DLQ rules watch it.
 */

import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SetSubscriptionAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import { reconcileOnce, testClients, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

const SQS = 'arn:aws:sqs:us-east-1:123456789012';

const policies = () =>
  parsePolicySources([
    {
      file: 'queues.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: queues }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue: { create: {} }
`,
    },
    {
      file: 'topics.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: topics }
spec:
  enforcement: enforce
  match: { resourceTypes: [sns:topic], tags: { team: orders } }
  rules:
    sns-subscription-dlq: {}
    sqs-dlq-alarm: {}
`,
    },
  ]);

let aws: AwsClients | undefined;
afterEach(() => aws?.destroy());

describe('the DLQ graph in the rules', () => {
  it('a subscription DLQ gets no DLQ of its own, and the topic policy alarms on it', async () => {
    aws = testClients();
    const tags = [{ Key: 'team', Value: 'orders' }];
    const topic = await aws.sns.send(new CreateTopicCommand({ Name: 'orders-events', Tags: tags }));
    const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
    await aws.sqs.send(new CreateQueueCommand({ QueueName: 'orders-events-consumer' }));
    await aws.sqs.send(new CreateQueueCommand({ QueueName: 'orders-events-dlq', tags: { team: 'orders' } }));
    const sub = await aws.sns.send(
      new SubscribeCommand({
        TopicArn: topic.TopicArn,
        Protocol: 'sqs',
        Endpoint: `${SQS}:orders-events-consumer`,
        ReturnSubscriptionArn: true,
      }),
    );
    await aws.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: sub.SubscriptionArn,
        AttributeName: 'RedrivePolicy',
        AttributeValue: JSON.stringify({ deadLetterTargetArn: `${SQS}:orders-events-dlq` }),
      }),
    );

    const run = await reconcileOnce(policies());
    const dlqFinding = run.report.results.find(
      (r) => r.resource === `${SQS}:orders-events-dlq` && r.rule === 'sqs-dead-letter-queue',
    );
    expect(dlqFinding?.status).toBe('skipped');
    expect(dlqFinding?.message).toContain(`is the DLQ of ${topic.TopicArn}`);
    expect(run.report.awsCalls.some((c) => c.operation === 'ListDeadLetterSourceQueues')).toBe(false);
    const queues = await aws.sqs.send(new ListQueuesCommand({}));
    expect(queues.QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual([
      'orders-events-consumer',
      'orders-events-dlq',
    ]);
    const alarms = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'edaguard-' }));
    expect(alarms.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['edaguard-dlq-depth-orders-events-dlq']);

    expect((await reconcileOnce(policies())).writes).toBe(0);
  });
});
