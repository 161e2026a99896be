import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PipesClient } from '@aws-sdk/client-pipes';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ACCOUNT_WIDE_READS, attachAccountWideReadRounds } from './accountWideReads.js';
import { AttemptAbortingHandler } from './attemptAbort.js';
import { attachCallCounter, CallCounter } from './callCounter.js';
import {
  attachRateLimit,
  CLOUDWATCH_REQUESTS_PER_SECOND,
  operationRateLimits,
  serviceRateLimit,
} from './rateLimit.js';
import { createRetryStrategy, DEFAULT_RETRY_TIMING, type RetryTiming } from './retry.js';

export interface AwsClientSettings {
  region: string;
  /** Overrides every service endpoint (an emulator, a VPC endpoint). From `AWS_ENDPOINT_URL` or `--endpoint-url`. */
  endpoint?: string;
  /** SDK `standard` retry mode attempts (first try included). */
  maxAttempts: number;
  /** Backoff between attempts (full jitter); the defaults suit AWS, tests shorten them. */
  retryTiming?: RetryTiming;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /**
   * Lambda control-plane calls per second. Lambda's quota (about 15/s per account and region,
   * reads and writes together) is shared with deploy pipelines: edaguard takes a part of it.
   */
  lambdaRequestsPerSecond?: number;
  /** Credentials of every client (a target's assumed role); the SDK's default chain when absent. */
  credentials?: AwsCredentialIdentityProvider;
}

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly eventbridge: EventBridgeClient;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  /** Reads a Kinesis stream's retention (DescribeStreamSummary); never a record. */
  readonly kinesis: KinesisClient;
  /** EventBridge Pipes: their stream sources' failure handling. */
  readonly pipes: PipesClient;
  /** Reads the key policy of a DLQ's customer-managed key (never writes one). */
  readonly kms: KMSClient;
  readonly counter: CallCounter;
  destroy(): void;
}

/** The service name each client's calls are counted under (metrics, reports, the benchmark). */
export const SERVICE_NAMES = {
  sqs: 'SQS',
  lambda: 'Lambda',
  tagging: 'ResourceGroupsTaggingAPI',
  dynamodb: 'DynamoDB',
  sns: 'SNS',
  eventbridge: 'EventBridge',
  s3: 'S3',
  cloudwatch: 'CloudWatch',
  kinesis: 'Kinesis',
  pipes: 'Pipes',
  kms: 'KMS',
} as const satisfies Record<Exclude<keyof AwsClients, 'counter' | 'destroy'>, string>;

/**
 * The configuration every service client gets (also the stream clients of the operator
 * commands): region, endpoint, our retry strategy (one per client), and a NodeHttpHandler whose
 * timeouts throw (throwOnRequestTimeout) instead of only warning; HTTP/1.1 is what every endpoint,
 * emulators included, speaks. The request timeout bounds one attempt from the start of its request
 * (connecting included) to the answer's headers. The handler also ends one attempt early when the
 * write fence says so (attemptAbort.ts, writeFence.ts).
 */
export function awsClientConfig(settings: AwsClientSettings) {
  return {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryStrategy: createRetryStrategy(settings.maxAttempts, settings.retryTiming ?? DEFAULT_RETRY_TIMING),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    requestHandler: new AttemptAbortingHandler(
      new NodeHttpHandler({
        connectionTimeout: settings.connectionTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        throwOnRequestTimeout: true,
      }),
    ),
  };
}

/**
 * The one place the controller's service clients are built. Credentials come from the SDK's
 * default chain (env, shared config, ECS task role, IRSA web identity).
 */
export function createAwsClients(settings: AwsClientSettings, counter = new CallCounter()): AwsClients {
  const common = () => awsClientConfig(settings);
  const clients = {
    sqs: new SQSClient(common()),
    lambda: new LambdaClient(common()),
    tagging: new ResourceGroupsTaggingAPIClient(common()),
    dynamodb: new DynamoDBClient(common()),
    sns: new SNSClient(common()),
    eventbridge: new EventBridgeClient(common()),
    // Emulators and VPC endpoints address buckets by path, not by virtual host.
    s3: new S3Client({ ...common(), forcePathStyle: settings.endpoint !== undefined }),
    cloudwatch: new CloudWatchClient(common()),
    kinesis: new KinesisClient(common()),
    pipes: new PipesClient(common()),
    kms: new KMSClient(common()),
  };
  for (const key of Object.keys(clients) as Array<keyof typeof clients>) {
    attachCallCounter(clients[key].middlewareStack, SERVICE_NAMES[key], counter);
  }
  const timing = settings.retryTiming ?? DEFAULT_RETRY_TIMING;
  for (const [key, operations] of Object.entries(ACCOUNT_WIDE_READS) as Array<
    [keyof typeof ACCOUNT_WIDE_READS, readonly string[]]
  >) {
    attachAccountWideReadRounds(clients[key].middlewareStack, operations, timing);
  }
  attachRateLimit(clients.lambda.middlewareStack, serviceRateLimit(settings.lambdaRequestsPerSecond ?? 10));
  attachRateLimit(clients.cloudwatch.middlewareStack, operationRateLimits(CLOUDWATCH_REQUESTS_PER_SECOND));
  return {
    ...clients,
    counter,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
