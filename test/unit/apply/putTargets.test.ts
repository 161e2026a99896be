/**
 * The PutTargets handler: the input it builds (each target sent back whole), its precondition,
 * its failed-entry handling and read-back, with the EventBridge client stubbed at the client
 * boundary (one answer per call).
 */
import { describe, expect, it } from 'vitest';
import type { PreconditionContext, WriteContext } from '../../../src/apply/handlers/index.js';
import { putTargets as handler, putTargetsInput } from '../../../src/apply/handlers/putTargets.js';
import type { Action } from '../../../src/reconcile/model.js';

const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-dlq';

/** A target carrying every kind of field PutTargets accepts besides DLQ and retry policy. */
const everyField = {
  Id: 'all',
  Arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
  RoleArn: 'arn:aws:iam::123456789012:role/events',
  Input: '{"a":1}',
  InputPath: '$.detail',
  InputTransformer: { InputPathsMap: { id: '$.id' }, InputTemplate: '{"id": <id>, "s": "x\\ny"}' },
  KinesisParameters: { PartitionKeyPath: '$.id' },
  RunCommandParameters: { RunCommandTargets: [{ Key: 'tag:a', Values: ['b'] }] },
  EcsParameters: {
    TaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/t:1',
    TaskCount: 2,
    LaunchType: 'FARGATE',
    NetworkConfiguration: { awsvpcConfiguration: { Subnets: ['s-1'], AssignPublicIp: 'DISABLED' } },
    Tags: [{ Key: 'k', Value: 'v' }],
  },
  BatchParameters: { JobDefinition: 'j', JobName: 'n', RetryStrategy: { Attempts: 2 } },
  SqsParameters: { MessageGroupId: 'g' },
  HttpParameters: {
    PathParameterValues: ['p'],
    HeaderParameters: { h: 'v' },
    QueryStringParameters: { q: 'v' },
  },
  RedshiftDataParameters: { Database: 'd', Sql: 'select 1', StatementName: 's', WithEvent: true },
  SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'n', Value: 'v' }] },
  AppSyncParameters: { GraphQLOperation: 'mutation { a }' },
};
const desired = {
  ...everyField,
  DeadLetterConfig: { Arn: DLQ },
  RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 },
};

const action: Extract<Action, { kind: 'PutTargets' }> = {
  kind: 'PutTargets',
  ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/custom/orders',
  ruleName: 'orders',
  eventBusName: 'custom',
  targets: [desired],
  planned: [everyField],
};

const answering = (...answers: unknown[]) => {
  const sent: unknown[] = [];
  const ctx = {
    aws: {
      eventbridge: {
        send: async (command: { input: unknown }) => {
          sent.push(command.input);
          const out = answers.shift();
          if (out instanceof Error) throw out;
          return out;
        },
      },
    },
    inventory: {},
  } as unknown as PreconditionContext & WriteContext;
  return { ctx, sent };
};
const listing = (...targets: unknown[]) => ({ Targets: targets });

describe('PutTargets', () => {
  it('sends each target back whole: every field kept, DLQ and retry policy set', () => {
    const input = putTargetsInput(action);
    expect(input).toEqual({ Rule: 'orders', EventBusName: 'custom', Targets: [desired] });
    const [sent] = input.Targets ?? [];
    for (const [field, value] of Object.entries(everyField))
      expect(sent?.[field as keyof typeof sent]).toEqual(value);
    expect(sent?.InputTransformer?.InputTemplate).toBe(everyField.InputTransformer.InputTemplate);
  });

  it('proceeds when the targets are as planned, reading the rule on its bus', async () => {
    const { ctx, sent } = answering(listing(everyField, { Id: 'other', Arn: 'x' }));
    expect(await handler.precondition(action, ctx)).toBe('proceed');
    expect(sent).toEqual([{ Rule: 'orders', EventBusName: 'custom', Limit: 100 }]);
  });

  it('is unchanged (no write) when every target is already as desired', async () => {
    const { ctx } = answering(listing(desired));
    expect(await handler.precondition(action, ctx)).toBe('unchanged');
  });

  it.each([
    ['edited since planning', { ...everyField, Input: '{"a":2}' }],
    ['removed since planning', undefined],
  ])('refuses a target %s', async (_name, now) => {
    const { ctx } = answering(listing(...(now ? [now] : [])));
    await expect(handler.precondition(action, ctx)).rejects.toMatchObject({
      code: 'CHANGED_SINCE_DISCOVERY',
    });
  });

  it('refuses a rule deleted since planning', async () => {
    const gone = Object.assign(new Error('Rule orders does not exist.'), {
      name: 'ResourceNotFoundException',
    });
    const { ctx } = answering(gone);
    await expect(handler.precondition(action, ctx)).rejects.toMatchObject({ code: 'RESOURCE_GONE' });
  });

  it('treats failed entries as an error naming them', async () => {
    const { ctx } = answering({
      FailedEntryCount: 1,
      FailedEntries: [{ TargetId: 'all', ErrorCode: 'ValidationException', ErrorMessage: 'bad DLQ' }],
    });
    await expect(handler.write(action, ctx)).rejects.toThrow(/all: ValidationException bad DLQ/);
  });

  it('reads back the DLQ and retry policy', async () => {
    expect(await handler.readBack(action, answering(listing(desired)).ctx, undefined)).toEqual([]);
    expect(await handler.readBack(action, answering(listing(everyField)).ctx, undefined)).toEqual([
      'all.DeadLetterConfig',
      'all.RetryPolicy',
    ]);
  });
});
