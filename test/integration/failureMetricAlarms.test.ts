/**
 * `failure-metric-alarms` end to end against moto through the real SDK: a tagged SNS topic,
 * DynamoDB table, Kinesis stream and an SNS-invoked function each get one alarm per failure
 * metric; a second cycle writes nothing; an alarm changed by hand is put back; `metrics` narrows.
 */
import { DescribeAlarmsCommand, type MetricAlarm, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateEventBusCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { AddTagsToStreamCommand } from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import { reconcileOnce, testClients, testSeeder, useCleanEmulator } from '../support/harness.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

const ONCALL = 'arn:aws:sns:us-east-1:123456789012:oncall';
const TYPES = 'lambda:function, sns:topic, kinesis:stream, dynamodb:table';

const policy = (extra = '', types = TYPES) =>
  parsePolicySources([
    {
      file: 'p.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: failure-alarms }
spec:
  enforcement: enforce
  match: { resourceTypes: [${types}], tags: { team: orders } }
  rules:
    failure-metric-alarms: { alarmActions: [${ONCALL}]${extra} }
`,
    },
  ]);

let seed: Seeder | undefined;
let aws: AwsClients | undefined;
afterEach(() => {
  seed?.destroy();
  aws?.destroy();
  seed = undefined;
  aws = undefined;
});

/** The tagged resources (and an untagged function nothing invokes asynchronously). */
async function seedResources() {
  seed = testSeeder();
  aws = testClients();
  const tags = [{ Key: 'team', Value: 'orders' }];
  await aws.sns.send(new CreateTopicCommand({ Name: 'oncall' }));
  const topic = await aws.sns.send(new CreateTopicCommand({ Name: 'orders-events', Tags: tags }));
  await seed.dynamoTable('orders-idempotency', { tags: { team: 'orders' } });
  await seed.kinesisStream('orders-clicks');
  // moto's CreateStream drops Tags: tag with AddTagsToStream.
  await aws.kinesis.send(
    new AddTagsToStreamCommand({ StreamName: 'orders-clicks', Tags: { team: 'orders' } }),
  );
  const notify = await seed.fn('orders-notify', 10, { team: 'orders' });
  await aws.sns.send(
    new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'lambda', Endpoint: notify }),
  );
  const sync = await seed.fn('orders-api', 10, { team: 'orders' });
  return { topicArn: topic.TopicArn as string, notify, sync };
}

async function edaguardAlarms(): Promise<Map<string, MetricAlarm>> {
  const out = await aws?.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'edaguard-failure-' }));
  return new Map((out?.MetricAlarms ?? []).map((a) => [a.AlarmName as string, a]));
}

type Dimensions = Array<{ Name: string; Value: string }>;
type Expected = [name: string, namespace: string, metric: string, dimensions: Dimensions];
const expect1 = (name: string, namespace: string, metric: string, dimensions: Dimensions): Expected => [
  name,
  namespace,
  metric,
  dimensions,
];

const EXPECTED: Expected[] = [
  ...['AsyncEventsDropped', 'DestinationDeliveryFailures', 'DeadLetterErrors'].map((m) =>
    expect1(`edaguard-failure-${m}-orders-notify`, 'AWS/Lambda', m, [
      { Name: 'FunctionName', Value: 'orders-notify' },
    ]),
  ),
  ...['NumberOfNotificationsFailed', 'NumberOfNotificationsFailedToRedriveToDlq'].map((m) =>
    expect1(`edaguard-failure-${m}-orders-events`, 'AWS/SNS', m, [
      { Name: 'TopicName', Value: 'orders-events' },
    ]),
  ),
  expect1(
    'edaguard-failure-WriteProvisionedThroughputExceeded-orders-clicks',
    'AWS/Kinesis',
    'WriteProvisionedThroughputExceeded',
    [{ Name: 'StreamName', Value: 'orders-clicks' }],
  ),
  ...['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'].map((op) =>
    expect1(
      `edaguard-failure-ThrottledRequests-${op}-orders-idempotency`,
      'AWS/DynamoDB',
      'ThrottledRequests',
      [
        { Name: 'TableName', Value: 'orders-idempotency' },
        { Name: 'Operation', Value: op },
      ],
    ),
  ),
];

const sortDims = (d: MetricAlarm['Dimensions']) =>
  [...(d ?? [])].sort((a, b) => `${a.Name}`.localeCompare(`${b.Name}`));

describe('failure-metric-alarms against the emulator', () => {
  it('creates one alarm per failure metric, converges with zero writes, repairs a hand-edited one', async () => {
    const { sync } = await seedResources();
    const first = await reconcileOnce(policy());
    const alarms = await edaguardAlarms();
    expect([...alarms.keys()].sort()).toEqual(EXPECTED.map(([name]) => name).sort());
    for (const [name, namespace, metric, dimensions] of EXPECTED) {
      const alarm = alarms.get(name);
      expect(alarm, name).toMatchObject({
        Namespace: namespace,
        MetricName: metric,
        Statistic: 'Sum',
        Threshold: 0,
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ONCALL],
      });
      expect(sortDims(alarm?.Dimensions), name).toEqual(sortDims(dimensions));
    }
    expect(first.writes).toBe(EXPECTED.length);
    const skipped = first.report.results.find(
      (r) => r.resource === sync && r.rule === 'failure-metric-alarms',
    );
    expect(skipped?.status).toBe('skipped');

    const second = await reconcileOnce(policy());
    expect(second.writes).toBe(0);

    // Someone raises one alarm's threshold: only that alarm is put back.
    const edited = 'edaguard-failure-NumberOfNotificationsFailed-orders-events';
    await aws?.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: edited,
        Namespace: 'AWS/SNS',
        MetricName: 'NumberOfNotificationsFailed',
        Dimensions: [{ Name: 'TopicName', Value: 'orders-events' }],
        Statistic: 'Sum',
        Threshold: 10,
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ONCALL],
      }),
    );
    const repaired = await reconcileOnce(policy());
    expect(repaired.writes).toBe(1);
    expect((await edaguardAlarms()).get(edited)?.Threshold).toBe(0);
    expect((await reconcileOnce(policy())).writes).toBe(0);
  });

  it('`metrics: [NumberOfNotificationsFailed]` creates only that alarm', async () => {
    await seedResources();
    const run = await reconcileOnce(policy(', metrics: [NumberOfNotificationsFailed]'));
    expect([...(await edaguardAlarms()).keys()]).toEqual([
      'edaguard-failure-NumberOfNotificationsFailed-orders-events',
    ]);
    expect(run.writes).toBe(1);
  });

  it('EventBridge rules: RuleName on the default bus, EventBusName and RuleName on a custom bus', async () => {
    aws = testClients();
    const Tags = [{ Key: 'team', Value: 'orders' }];
    const EventPattern = JSON.stringify({ source: ['orders'] });
    await aws.eventbridge.send(new CreateEventBusCommand({ Name: 'orders-bus' }));
    await aws.eventbridge.send(new PutRuleCommand({ Name: 'order-placed', EventPattern, Tags }));
    await aws.eventbridge.send(
      new PutRuleCommand({ Name: 'order-shipped', EventBusName: 'orders-bus', EventPattern, Tags }),
    );
    await aws.eventbridge.send(new PutRuleCommand({ Name: 'other', EventPattern }));

    const first = await reconcileOnce(policy('', 'events:rule'));
    const alarms = await edaguardAlarms();
    const metrics = ['FailedInvocations', 'InvocationsFailedToBeSentToDlq'];
    expect([...alarms.keys()].sort()).toEqual(
      metrics
        .flatMap((m) => [
          `edaguard-failure-${m}-order-placed`,
          `edaguard-failure-${m}-orders-bus/order-shipped`,
        ])
        .sort(),
    );
    for (const m of metrics) {
      expect(alarms.get(`edaguard-failure-${m}-order-placed`)).toMatchObject({
        Namespace: 'AWS/Events',
        MetricName: m,
        Dimensions: [{ Name: 'RuleName', Value: 'order-placed' }],
      });
      expect(sortDims(alarms.get(`edaguard-failure-${m}-orders-bus/order-shipped`)?.Dimensions)).toEqual([
        { Name: 'EventBusName', Value: 'orders-bus' },
        { Name: 'RuleName', Value: 'order-shipped' },
      ]);
    }
    expect(first.writes).toBe(4);
    expect((await reconcileOnce(policy('', 'events:rule'))).writes).toBe(0);
  });
});
