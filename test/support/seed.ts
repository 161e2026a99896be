/** Seeding helpers: put resources into the emulator through the real SDK, as a user would. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type QueueAttributeName,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface Seeder {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly dynamodb: DynamoDBClient;
  readonly cloudwatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly kinesis: KinesisClient;
  readonly eventbridge: EventBridgeClient;
  queue(
    name: string,
    options?: { attributes?: Record<string, string>; tags?: Record<string, string> },
  ): Promise<SeededQueue>;
  fn(name: string, timeoutSeconds: number, tags?: Record<string, string>): Promise<string>;
  mapQueue(queueArn: string, functionName: string, batchingWindowSeconds?: number): Promise<string>;
  /** A mapping from a Kinesis or DynamoDB stream with AWS's defaults (no bisect, infinite retries). */
  mapStream(streamArn: string, functionName: string): Promise<string>;
  kinesisStream(name: string): Promise<string>;
  /** A table with a stream; returns the table and stream ARNs. */
  dynamoTable(
    name: string,
    options?: {
      stream?: boolean;
      tags?: Record<string, string>;
      billing?: 'PROVISIONED' | 'PAY_PER_REQUEST';
    },
  ): Promise<{ tableArn: string; streamArn?: string }>;
  /** An SNS topic that invokes the function asynchronously. */
  snsToLambda(topicName: string, functionArn: string): Promise<string>;
  sendMessages(queueUrl: string, count: number): Promise<void>;
  attributes(queueUrl: string, names?: string[]): Promise<Record<string, string>>;
  destroy(): void;
}

export interface SeededQueue {
  name: string;
  url: string;
  arn: string;
}

export const ACCOUNT = '123456789012';

export function createSeeder(endpoint: string, region = 'us-east-1'): Seeder {
  const common = {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
  };
  const sqs = new SQSClient(common);
  const lambda = new LambdaClient(common);
  const iam = new IAMClient(common);
  const kinesis = new KinesisClient(common);
  const dynamodb = new DynamoDBClient(common);
  const sns = new SNSClient(common);
  const cloudwatch = new CloudWatchClient(common);
  const eventbridge = new EventBridgeClient(common);
  let roleArn: Promise<string> | undefined;
  const role = () => {
    roleArn ??= (async () => {
      const name = 'edaguard-seed-lambda';
      try {
        return (await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.Arn as string;
      } catch {
        const out = await iam.send(
          new CreateRoleCommand({
            RoleName: name,
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            }),
          }),
        );
        return out.Role?.Arn as string;
      }
    })();
    return roleArn;
  };
  return {
    sqs,
    lambda,
    iam,
    dynamodb,
    cloudwatch,
    sns,
    kinesis,
    eventbridge,
    async queue(name, options = {}) {
      const attributes = { ...(options.attributes ?? {}) };
      if (name.endsWith('.fifo')) attributes.FifoQueue = 'true';
      const out = await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: attributes,
          ...(options.tags ? { tags: options.tags } : {}),
        }),
      );
      return { name, url: out.QueueUrl as string, arn: `arn:aws:sqs:${region}:${ACCOUNT}:${name}` };
    },
    async fn(name, timeoutSeconds, tags) {
      const out = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs20.x',
          Role: await role(),
          Handler: 'index.handler',
          // Never invoked (no Docker needed): moto stores the bytes as the code package.
          Code: { ZipFile: new TextEncoder().encode('exports.handler = async () => ({});') },
          Timeout: timeoutSeconds,
          ...(tags ? { Tags: tags } : {}),
        }),
      );
      return out.FunctionArn as string;
    },
    async mapQueue(queueArn, functionName, batchingWindowSeconds) {
      const out = await lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: queueArn,
          FunctionName: functionName,
          BatchSize: 10,
          ...(batchingWindowSeconds !== undefined
            ? { MaximumBatchingWindowInSeconds: batchingWindowSeconds }
            : {}),
        }),
      );
      return out.UUID as string;
    },
    async mapStream(streamArn, functionName) {
      const out = await lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: streamArn,
          FunctionName: functionName,
          BatchSize: 100,
          StartingPosition: 'LATEST',
        }),
      );
      return out.UUID as string;
    },
    async kinesisStream(name) {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      return `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${name}`;
    },
    async dynamoTable(name, options = {}) {
      const billing = options.billing ?? 'PAY_PER_REQUEST';
      const out = await dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: billing,
          ...(billing === 'PROVISIONED'
            ? { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }
            : {}),
          ...(options.stream
            ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
            : {}),
          ...(options.tags
            ? { Tags: Object.entries(options.tags).map(([Key, Value]) => ({ Key, Value })) }
            : {}),
        }),
      );
      const streamArn = out.TableDescription?.LatestStreamArn;
      return { tableArn: out.TableDescription?.TableArn as string, ...(streamArn ? { streamArn } : {}) };
    },
    async snsToLambda(topicName, functionArn) {
      const topic = await sns.send(new CreateTopicCommand({ Name: topicName }));
      await sns.send(
        new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'lambda', Endpoint: functionArn }),
      );
      return topic.TopicArn as string;
    },
    async sendMessages(queueUrl, count) {
      for (let i = 0; i < count; i++) {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ orderId: i }) }),
        );
      }
    },
    async attributes(queueUrl, names = ['All']) {
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names as QueueAttributeName[] }),
      );
      return out.Attributes ?? {};
    },
    destroy() {
      sqs.destroy();
      lambda.destroy();
      iam.destroy();
      kinesis.destroy();
      dynamodb.destroy();
      sns.destroy();
      cloudwatch.destroy();
      eventbridge.destroy();
    },
  };
}

export const redrive = (deadLetterTargetArn: string, maxReceiveCount: number) =>
  JSON.stringify({ deadLetterTargetArn, maxReceiveCount });

/** Every queue, mapping, event-invoke config and table setting, to prove that a run changed nothing. */
export async function snapshotAccount(seed: Seeder): Promise<Record<string, unknown>> {
  const { ListQueuesCommand, ListQueueTagsCommand } = await import('@aws-sdk/client-sqs');
  const { ListEventSourceMappingsCommand, ListFunctionsCommand, GetFunctionEventInvokeConfigCommand } =
    await import('@aws-sdk/client-lambda');
  const { ListTablesCommand, DescribeTableCommand, DescribeTimeToLiveCommand } = await import(
    '@aws-sdk/client-dynamodb'
  );
  const snapshot: Record<string, unknown> = {};
  const urls = (await seed.sqs.send(new ListQueuesCommand({ MaxResults: 1000 }))).QueueUrls ?? [];
  for (const url of urls.sort()) {
    const { LastModifiedTimestamp: _, ...attributes } = await seed.attributes(url);
    const tags = (await seed.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
    snapshot[url] = { attributes, tags };
  }
  const mappings = (await seed.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
  for (const { LastModified: _, ...m } of mappings) snapshot[`mapping:${m.UUID}`] = m;
  for (const fn of (await seed.lambda.send(new ListFunctionsCommand({}))).Functions ?? []) {
    try {
      const {
        $metadata: _,
        LastModified: __,
        ...config
      } = await seed.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn.FunctionName }));
      snapshot[`invoke-config:${fn.FunctionName}`] = config;
    } catch {
      snapshot[`invoke-config:${fn.FunctionName}`] = null;
    }
  }
  for (const name of (await seed.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []) {
    const table = await seed.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    const ttl = await seed.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }));
    snapshot[`table:${name}`] = {
      billing: table.Table?.BillingModeSummary?.BillingMode,
      ttl: ttl.TimeToLiveDescription,
    };
  }
  return snapshot;
}
