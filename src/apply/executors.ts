import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetEventSourceMappingCommand,
  GetFunctionEventInvokeConfigCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { sqsQueueUrlFromArn } from '../aws/arn.js';
import type { AwsClients } from '../aws/clients.js';
import { EdaguardError } from '../errors.js';
import type { Action } from '../reconcile/model.js';
import { alarmMismatches, eventInvokeConfigMismatches, mappingMismatches } from './lambdaFields.js';
import { attributesNotYetVisible } from './queueAttributes.js';

export interface ExecutorContext {
  aws: AwsClients;
  endpoint?: string;
  verifyAttempts: number;
  verifyDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export class VerifyError extends EdaguardError {
  constructor(message: string) {
    super('VERIFY_FAILED', message);
  }
}

/** Runs one action, then reads it back until the written values are visible. */
export async function executeAction(action: Action, ctx: ExecutorContext): Promise<void> {
  switch (action.kind) {
    case 'CreateQueue': {
      const out = await ctx.aws.sqs.send(
        new CreateQueueCommand({
          QueueName: action.queueName,
          Attributes: action.attributes,
          tags: action.tags,
        }),
      );
      const url = out.QueueUrl ?? sqsQueueUrlFromArn(action.queueArn, ctx.endpoint);
      return verify(ctx, async () =>
        attributesNotYetVisible(action.attributes, await readAttributes(ctx, url, action.attributes)),
      );
    }
    case 'SetQueueAttributes': {
      await ctx.aws.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: action.queueUrl, Attributes: action.attributes }),
      );
      return verify(ctx, async () =>
        attributesNotYetVisible(
          action.attributes,
          await readAttributes(ctx, action.queueUrl, action.attributes),
        ),
      );
    }
    case 'UpdateEventSourceMapping': {
      // A mapping accepts one update at a time: wait out a previous one still in progress.
      await retryWhileConflicting(ctx, () =>
        ctx.aws.lambda.send(
          new UpdateEventSourceMappingCommand({ UUID: action.mappingUuid, ...action.changes }),
        ),
      );
      return verify(ctx, async () =>
        mappingMismatches(
          action.changes,
          await ctx.aws.lambda.send(new GetEventSourceMappingCommand({ UUID: action.mappingUuid })),
        ),
      );
    }
    case 'PutFunctionEventInvokeConfig': {
      await ctx.aws.lambda.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: action.functionArn, ...action.config }),
      );
      return verify(ctx, async () =>
        eventInvokeConfigMismatches(
          action.config,
          await ctx.aws.lambda.send(
            new GetFunctionEventInvokeConfigCommand({ FunctionName: action.functionArn }),
          ),
        ),
      );
    }
    case 'UpdateTimeToLive': {
      await ctx.aws.dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: action.tableName,
          TimeToLiveSpecification: { Enabled: true, AttributeName: action.attributeName },
        }),
      );
      return verify(ctx, async () => {
        const ttl = (
          await ctx.aws.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: action.tableName }))
        ).TimeToLiveDescription;
        const on = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
        return on && ttl?.AttributeName === action.attributeName ? [] : ['TimeToLiveStatus'];
      });
    }
    case 'UpdateTableBillingMode': {
      await ctx.aws.dynamodb.send(
        new UpdateTableCommand({ TableName: action.tableName, BillingMode: action.billingMode }),
      );
      return verify(ctx, async () => {
        const table = await ctx.aws.dynamodb.send(new DescribeTableCommand({ TableName: action.tableName }));
        return table.Table?.BillingModeSummary?.BillingMode === action.billingMode ? [] : ['BillingMode'];
      });
    }
    case 'PutMetricAlarm': {
      await ctx.aws.cloudwatch.send(new PutMetricAlarmCommand(action.alarm));
      return verify(ctx, async () => {
        const out = await ctx.aws.cloudwatch.send(
          new DescribeAlarmsCommand({ AlarmNames: [action.alarm.AlarmName] }),
        );
        const [alarm] = out.MetricAlarms ?? [];
        return alarm ? alarmMismatches(action.alarm, alarm) : ['alarm'];
      });
    }
  }
}

async function readAttributes(
  ctx: ExecutorContext,
  queueUrl: string,
  wanted: Readonly<Record<string, string>>,
) {
  const out = await ctx.aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: Object.keys(wanted) as QueueAttributeName[],
    }),
  );
  return out.Attributes ?? {};
}

/** Reads back until `pending()` names nothing, or gives up with the fields still not visible. */
async function verify(ctx: ExecutorContext, pending: () => Promise<string[]>): Promise<void> {
  let missing: string[] = [];
  for (let attempt = 1; attempt <= ctx.verifyAttempts; attempt++) {
    missing = await pending();
    if (missing.length === 0) return;
    if (attempt < ctx.verifyAttempts) await ctx.sleep(ctx.verifyDelayMs);
  }
  throw new VerifyError(
    `written but not visible after ${ctx.verifyAttempts} read(s): ${missing.join(', ')} (AWS can take a while; the next cycle checks again)`,
  );
}

async function retryWhileConflicting<T>(ctx: ExecutorContext, write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const name = (error as { name?: string }).name;
      const conflict = name === 'ResourceConflictException' || name === 'ResourceInUseException';
      if (!conflict || attempt >= ctx.verifyAttempts) throw error;
      await ctx.sleep(ctx.verifyDelayMs);
    }
  }
}

/** One line a person can read: what the action does. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'CreateQueue':
      return `CreateQueue ${action.queueName} ${JSON.stringify(action.attributes)}`;
    case 'SetQueueAttributes':
      return `SetQueueAttributes ${action.queueArn.split(':').pop()} ${JSON.stringify(action.attributes)}`;
    case 'UpdateEventSourceMapping':
      return `UpdateEventSourceMapping ${action.mappingUuid} ${JSON.stringify(action.changes)}`;
    case 'PutFunctionEventInvokeConfig':
      return `PutFunctionEventInvokeConfig ${action.functionArn.split(':').pop()} ${JSON.stringify(action.config)}`;
    case 'UpdateTimeToLive':
      return `UpdateTimeToLive ${action.tableName} {"Enabled":true,"AttributeName":"${action.attributeName}"}`;
    case 'UpdateTableBillingMode':
      return `UpdateTable ${action.tableName} {"BillingMode":"${action.billingMode}"}`;
    case 'PutMetricAlarm':
      return `PutMetricAlarm ${action.alarm.AlarmName} ${action.alarm.Namespace}/${action.alarm.MetricName} > ${action.alarm.Threshold}`;
  }
}
