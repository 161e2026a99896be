/** Creates the described account in the emulator: the only module of the bench that writes to it. */
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pLimit from 'p-limit';
import { redrive, type Seeder } from '../../test/support/seed.js';
import type { Account, BucketSpec, FunctionSpec, QueueSpec, RuleSpec, StreamMappingSpec } from './account.js';
import { arnOf, functionArnOf } from './arns.js';
import {
  ASYNC_FAILURES,
  CUSTOM_BUS,
  LAMBDA_POLICY,
  POLICY,
  REGION,
  SEED_CONCURRENCY,
  STREAM_FAILURES,
} from './parameters.js';

export interface ExtraClients {
  eventbridge: EventBridgeClient;
  s3: S3Client;
  destroy(): void;
}

/** EventBridge and S3 clients for seeding (test/support/seed.ts has no helpers for them). */
export function extraSeedClients(endpoint: string): ExtraClients {
  const common = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
  };
  const eventbridge = new EventBridgeClient(common);
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  return {
    eventbridge,
    s3,
    destroy() {
      eventbridge.destroy();
      s3.destroy();
    },
  };
}

type Limit = ReturnType<typeof pLimit>;

export async function seedAccount(seeder: Seeder, extra: ExtraClients, account: Account): Promise<void> {
  const limit = pLimit(SEED_CONCURRENCY);
  // Functions, DLQs, other teams' queues and stream sources first: a redrive policy needs its DLQ,
  // a mapping its function and source.
  const streamArns = await seedSources(seeder, extra, account, limit);
  await Promise.all(account.selected.map((q) => limit(() => seedQueue(seeder, q))));
  await Promise.all([
    ...seedMappings(seeder, account, streamArns, limit),
    ...account.functions.flatMap((f) => seedAsyncInvocation(seeder, f, limit)),
    ...account.rules.map((r) => limit(() => seedRule(extra, r))),
    ...account.buckets.map((b) => limit(() => seedBucketNotification(extra, b))),
  ]);
}

function seedQueue(seeder: Seeder, q: QueueSpec) {
  return seeder.queue(q.name, {
    tags: q.tags,
    attributes: {
      ...(q.visibility !== undefined ? { VisibilityTimeout: String(q.visibility) } : {}),
      ...(q.dlq ? { RedrivePolicy: redrive(arnOf(q.dlq), q.maxReceiveCount ?? POLICY.minReceive) } : {}),
    },
  });
}

/** Everything the selected queues and the mappings point at; returns each stream source's ARN. */
async function seedSources(
  seeder: Seeder,
  extra: ExtraClients,
  account: Account,
  limit: Limit,
): Promise<Map<string, string>> {
  const streamArns = new Map<string, string>();
  const seedStream = async (s: StreamMappingSpec) => {
    const arn =
      s.source === 'kinesis'
        ? await seeder.kinesisStream(s.sourceName)
        : (await seeder.dynamoTable(s.sourceName, { stream: true })).streamArn;
    if (!arn) throw new Error(`no stream ARN for ${s.sourceName}`);
    streamArns.set(s.sourceName, arn);
  };
  await Promise.all([
    ...account.functions.map((f) => limit(() => seeder.fn(f.name, f.timeout, f.tags))),
    ...account.dlqs.map((d) =>
      limit(() => seeder.queue(d.name, { attributes: { MessageRetentionPeriod: String(d.retention) } })),
    ),
    ...account.others.map((q) => limit(() => seedQueue(seeder, q))),
    ...[STREAM_FAILURES, ASYNC_FAILURES].map((name) => limit(() => seeder.queue(name))),
    ...account.streams.map((s) => limit(() => seedStream(s))),
    ...account.buckets.map((b) => limit(() => extra.s3.send(new CreateBucketCommand({ Bucket: b.name })))),
    limit(() => extra.eventbridge.send(new CreateEventBusCommand({ Name: CUSTOM_BUS }))),
  ]);
  return streamArns;
}

/** The SQS consumers' mappings, then the stream mappings in the state their kind names. */
function seedMappings(
  seeder: Seeder,
  account: Account,
  streamArns: ReadonlyMap<string, string>,
  limit: Limit,
): Promise<unknown>[] {
  const mapping = (input: CreateEventSourceMappingCommandInput) =>
    limit(() => seeder.lambda.send(new CreateEventSourceMappingCommand(input)));
  const boundedStream = {
    BisectBatchOnFunctionError: true,
    DestinationConfig: { OnFailure: { Destination: arnOf(STREAM_FAILURES) } },
  };
  return [
    ...[...account.selected, ...account.others].flatMap((q) =>
      q.consumers.map((c) =>
        mapping({
          EventSourceArn: arnOf(q.name),
          FunctionName: c.fn,
          BatchSize: 10,
          MaximumBatchingWindowInSeconds: c.window,
          ...(c.reportsBatchItemFailures ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
        }),
      ),
    ),
    ...account.streams.map((s) =>
      mapping({
        EventSourceArn: streamArns.get(s.sourceName),
        FunctionName: s.fn,
        BatchSize: 100,
        StartingPosition: 'LATEST',
        ...(s.kind === 'compliant'
          ? { ...boundedStream, MaximumRetryAttempts: 2, MaximumRecordAgeInSeconds: 1800 }
          : {}),
        ...(s.kind === 'retries and record age unbounded'
          ? { ...boundedStream, MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: -1 }
          : {}),
        ...(s.reportsBatchItemFailures ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
      }),
    ),
  ];
}

/** A function's SNS subscription and its event-invoke config, as its spec says. */
function seedAsyncInvocation(seeder: Seeder, f: FunctionSpec, limit: Limit): Promise<unknown>[] {
  const calls: Promise<unknown>[] = [];
  if (f.async?.source === 'SNS subscription')
    calls.push(limit(() => seeder.snsToLambda(`bench-topic-${f.name}`, functionArnOf(f.name))));
  if (f.async && f.async.config !== 'none') {
    const compliant = f.async.config === 'compliant';
    calls.push(
      limit(() =>
        seeder.lambda.send(
          new PutFunctionEventInvokeConfigCommand({
            FunctionName: f.name,
            MaximumRetryAttempts: compliant ? LAMBDA_POLICY.asyncMaxRetryAttempts : 2,
            MaximumEventAgeInSeconds: compliant ? LAMBDA_POLICY.asyncMaxEventAgeSeconds : 21_600,
            DestinationConfig: { OnFailure: { Destination: arnOf(ASYNC_FAILURES) } },
          }),
        ),
      ),
    );
  }
  return calls;
}

async function seedRule(extra: ExtraClients, r: RuleSpec): Promise<void> {
  await extra.eventbridge.send(
    new PutRuleCommand({
      Name: r.name,
      EventBusName: r.bus,
      EventPattern: JSON.stringify({ source: ['bench.orders'] }),
    }),
  );
  await extra.eventbridge.send(
    new PutTargetsCommand({
      Rule: r.name,
      EventBusName: r.bus,
      Targets: [{ Id: 'target', Arn: r.fn ? functionArnOf(r.fn) : arnOf(ASYNC_FAILURES) }],
    }),
  );
}

async function seedBucketNotification(extra: ExtraClients, b: BucketSpec): Promise<void> {
  if (!b.fn) return;
  await extra.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: b.name,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { LambdaFunctionArn: functionArnOf(b.fn), Events: ['s3:ObjectCreated:*'] },
        ],
      },
    }),
  );
}
