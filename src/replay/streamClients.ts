/**
 * Kinesis and DynamoDB Streams clients for replay, built like every other client (region,
 * endpoint, retry strategy, NodeHttpHandler timeouts) but here, since only the operator commands
 * read streams: the controller's client set stays as it is.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsClientSettings } from '../aws/clients.js';
import { createRetryStrategy, DEFAULT_RETRY_TIMING } from '../aws/retry.js';

export interface StreamClients {
  readonly kinesis: KinesisClient;
  readonly dynamodbStreams: DynamoDBStreamsClient;
  destroy(): void;
}

export function createStreamClients(settings: AwsClientSettings): StreamClients {
  const common = () => ({
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryStrategy: createRetryStrategy(settings.maxAttempts, settings.retryTiming ?? DEFAULT_RETRY_TIMING),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // HTTP/1.1 with throwing timeouts, as elsewhere (Kinesis's default HTTP/2 handler fails on emulators).
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
  const kinesis = new KinesisClient(common());
  const dynamodbStreams = new DynamoDBStreamsClient(common());
  return {
    kinesis,
    dynamodbStreams,
    destroy() {
      kinesis.destroy();
      dynamodbStreams.destroy();
    },
  };
}
