/**
 * Kinesis and DynamoDB Streams clients for replay, with the configuration of every other client
 * but built here, since only the operator commands read streams: the controller's client set
 * stays as it is.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type AwsClientSettings, awsClientConfig } from '../aws/clients.js';
import { sdkNow } from '../aws/sdk.js';

export interface StreamClients {
  readonly kinesis: KinesisClient;
  readonly dynamodbStreams: DynamoDBStreamsClient;
  destroy(): void;
}

export function createStreamClients(settings: AwsClientSettings): StreamClients {
  // awsClientConfig's HTTP/1.1 handler matters here: Kinesis's default HTTP/2 one fails on emulators.
  const kinesis = new (sdkNow.kinesis().KinesisClient)(awsClientConfig(settings));
  const dynamodbStreams = new (sdkNow.dynamodbStreams().DynamoDBStreamsClient)(awsClientConfig(settings));
  return {
    kinesis,
    dynamodbStreams,
    destroy() {
      kinesis.destroy();
      dynamodbStreams.destroy();
    },
  };
}
