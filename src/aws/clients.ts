import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { attachCallCounter, CallCounter } from './callCounter.js';

export interface AwsClientSettings {
  region: string;
  /** Overrides every service endpoint (an emulator, a VPC endpoint). From `AWS_ENDPOINT_URL` or `--endpoint-url`. */
  endpoint?: string;
  /** SDK `standard` retry mode attempts (first try included). */
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly counter: CallCounter;
  destroy(): void;
}

/**
 * The one place service clients are built. Credentials come from the SDK's default chain
 * (env, shared config, ECS task role, IRSA web identity). NodeHttpHandler everywhere: its
 * timeouts throw (throwOnRequestTimeout) instead of only warning, and HTTP/1.1 is what every
 * endpoint, emulators included, speaks.
 */
export function createAwsClients(settings: AwsClientSettings, counter = new CallCounter()): AwsClients {
  const common = {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard' as const,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  };
  const sqs = new SQSClient(common);
  const lambda = new LambdaClient(common);
  const tagging = new ResourceGroupsTaggingAPIClient(common);
  attachCallCounter(sqs.middlewareStack, 'SQS', counter);
  attachCallCounter(lambda.middlewareStack, 'Lambda', counter);
  attachCallCounter(tagging.middlewareStack, 'ResourceGroupsTaggingAPI', counter);
  return {
    sqs,
    lambda,
    tagging,
    counter,
    destroy() {
      sqs.destroy();
      lambda.destroy();
      tagging.destroy();
    },
  };
}
