/**
 * Every kind of write has one handler (src/apply/handlers), and each handler declares what the
 * lease and the IAM policy need to know: the IAM actions its calls need (granted by the
 * controller's policy, and covering every SDK command its own file sends) and every ARN it names.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_HANDLERS, declaredTargets, describeAction } from '../../../src/apply/handlers/index.js';
import type { Action } from '../../../src/reconcile/model.js';
import { sdkOperationsReachedBy } from '../../support/sdkOperations.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const POLICY = 'deploy/iam/edaguard-policy.json';

/** The handler file of each kind: createQueue.ts for CreateQueue, … */
const fileOf = (kind: string) =>
  path.join(REPO_ROOT, 'src/apply/handlers', `${kind[0]?.toLowerCase()}${kind.slice(1)}.ts`);

const granted = new Set(
  (
    JSON.parse(readFileSync(path.join(REPO_ROOT, POLICY), 'utf8')) as {
      Statement: Array<{ Effect: string; Action: string[] }>;
    }
  ).Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action),
);

const kinds = Object.keys(ACTION_HANDLERS) as Array<Action['kind']>;

describe('ACTION_HANDLERS', () => {
  it('has a handler for every kind of write, each in its own file', () => {
    expect(kinds.sort()).toEqual([
      'AddQueuePolicyStatements',
      'CreateQueue',
      'IncreaseStreamRetentionPeriod',
      'PutFunctionEventInvokeConfig',
      'PutMetricAlarm',
      'PutTargets',
      'SetQueueAttributes',
      'SetSubscriptionAttributes',
      'UpdateEventSourceMapping',
      'UpdatePipe',
      'UpdateTableBillingMode',
      'UpdateTimeToLive',
    ]);
  });

  it.each(kinds)('%s: every IAM action it declares is granted by deploy/iam/edaguard-policy.json', (kind) => {
    const declared = ACTION_HANDLERS[kind].iamActions;
    expect(declared.length).toBeGreaterThan(0);
    expect(
      declared.filter((a) => !granted.has(a)),
      'declared but not granted',
    ).toEqual([]);
  });

  it.each(kinds)('%s: declares every SDK command its handler sends, under its IAM name', async (kind) => {
    const sent = await sdkOperationsReachedBy(fileOf(kind));
    expect(sent.length, 'the handler sends its write itself').toBeGreaterThan(0);
    const declared = new Set(ACTION_HANDLERS[kind].iamActions);
    expect(
      sent.filter((c) => !declared.has(c)),
      'sent but not declared',
    ).toEqual([]);
  });
});

const SQS = 'arn:aws:sqs:us-east-1:123456789012';
const OTHER = { accountId: '999999999999', region: 'us-east-1' };
const HOME = { accountId: '123456789012', region: 'us-east-1' };

describe('declaredTargets: every ARN an action names, for the lease', () => {
  it.each<{ name: string; action: Action; want: Array<{ accountId: string; region: string }> }>([
    {
      name: 'CreateQueue: the queue, and the source queue its managed tag names',
      action: {
        kind: 'CreateQueue',
        queueArn: `${SQS}:orders-dlq`,
        queueName: 'orders-dlq',
        attributes: { MessageRetentionPeriod: '1209600' },
        tags: {
          'edaguard.dev/managed-by': 'edaguard',
          'edaguard.dev/dlq-for': 'arn:aws:sqs:us-east-1:999999999999:orders',
        },
      },
      want: [HOME, OTHER],
    },
    {
      name: 'SetQueueAttributes: the queue and the DLQ inside its RedrivePolicy',
      action: {
        kind: 'SetQueueAttributes',
        queueArn: `${SQS}:orders`,
        queueUrl: 'https://sqs/orders',
        attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:999999999999:d',
            maxReceiveCount: 3,
          }),
        },
      },
      want: [HOME, OTHER],
    },
    {
      name: 'AddQueuePolicyStatements: the queue and the source each statement lets deliver',
      action: {
        kind: 'AddQueuePolicyStatements',
        queueArn: `${SQS}:orders-dlq`,
        statements: [
          {
            Sid: 'edaguard-0123456789abcdef',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: `${SQS}:orders-dlq`,
            Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:999999999999:orders' } },
          },
        ],
        policy: '{}',
      },
      want: [HOME, OTHER],
    },
    {
      name: 'SetSubscriptionAttributes: the subscription, its topic and the DLQ in its RedrivePolicy',
      action: {
        kind: 'SetSubscriptionAttributes',
        subscriptionArn: 'arn:aws:sns:us-east-1:123456789012:orders:s',
        topicArn: 'arn:aws:sns:us-east-1:123456789012:orders',
        attributeName: 'RedrivePolicy',
        value: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:999999999999:d' }),
      },
      want: [HOME, HOME, OTHER],
    },
    {
      name: 'UpdateEventSourceMapping: the mapping and its on-failure destination',
      action: {
        kind: 'UpdateEventSourceMapping',
        mappingUuid: 'u',
        mappingArn: 'arn:aws:lambda:us-east-1:123456789012:event-source-mapping:u',
        changes: {
          DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:d' } },
        },
      },
      want: [HOME, { accountId: '123456789012', region: 'eu-west-1' }],
    },
    {
      name: 'PutFunctionEventInvokeConfig: the function and both destinations',
      action: {
        kind: 'PutFunctionEventInvokeConfig',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
        config: {
          MaximumRetryAttempts: 2,
          MaximumEventAgeInSeconds: 3600,
          DestinationConfig: {
            OnFailure: { Destination: `${SQS}:f-dlq` },
            OnSuccess: { Destination: 'arn:aws:sns:us-east-1:999999999999:t' },
          },
        },
      },
      want: [HOME, HOME, OTHER],
    },
    {
      name: 'UpdateTimeToLive: the table',
      action: {
        kind: 'UpdateTimeToLive',
        tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t',
        tableName: 't',
        attributeName: 'expiresAt',
      },
      want: [HOME],
    },
    {
      name: 'UpdatePipe: the pipe and the dead-letter target it sets',
      action: {
        kind: 'UpdatePipe',
        pipeArn: 'arn:aws:pipes:us-east-1:123456789012:pipe/orders',
        pipeName: 'orders',
        roleArn: 'arn:aws:iam::123456789012:role/pipe',
        sourceKind: 'kinesis',
        observedSource: { StartingPosition: 'LATEST' },
        changes: { DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:999999999999:d' } },
      },
      want: [HOME, OTHER],
    },
    {
      name: 'PutTargets: the rule and the DLQs it sets, not the targets it sends back unchanged',
      action: {
        kind: 'PutTargets',
        ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/orders',
        ruleName: 'orders',
        eventBusName: 'default',
        targets: [
          {
            Id: 't1',
            Arn: 'arn:aws:events:us-east-1:999999999999:event-bus/default',
            DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:999999999999:d' },
          },
        ],
        planned: [{ Id: 't1', Arn: 'arn:aws:events:us-east-1:999999999999:event-bus/default' }],
      },
      want: [HOME, OTHER],
    },
    {
      name: 'PutMetricAlarm: the topics it notifies',
      action: {
        kind: 'PutMetricAlarm',
        alarm: {
          AlarmName: 'edaguard-x',
          AlarmDescription: '',
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: 'orders-dlq' }],
          Statistic: 'Maximum',
          Threshold: 0,
          Period: 60,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: ['arn:aws:sns:us-east-1:999999999999:oncall'],
          Tags: [],
        },
      },
      want: [OTHER],
    },
  ])('$name', ({ action, want }) => {
    expect(declaredTargets(action)?.map(({ accountId, region }) => ({ accountId, region }))).toEqual(want);
    expect(describeAction(action)).toMatch(
      new RegExp(`^${action.kind === 'UpdateTableBillingMode' ? 'UpdateTable' : action.kind} `),
    );
  });

  it('is undefined for what is not an action (an SDK input): the lease searches that for ARNs itself', () => {
    expect(declaredTargets({ QueueName: 'q' })).toBeUndefined();
    expect(declaredTargets({ kind: 'DeleteQueue' })).toBeUndefined();
    expect(declaredTargets(null)).toBeUndefined();
  });
});
