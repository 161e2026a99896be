/**
 * The Lambda client replay invokes with: one attempt per Invoke. An Invoke that timed out or lost
 * its connection may have run the function; the SDK's retry would run it again, so the report
 * says "may have run" instead and the record stays in the queue for a person to decide.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { type AwsClientSettings, awsClientConfig } from '../aws/clients.js';
import { attachRateLimit, serviceRateLimit } from '../aws/rateLimit.js';
import { sdkNow } from '../aws/sdk.js';

export function createInvokeClient(settings: AwsClientSettings): LambdaClient {
  const client = new (sdkNow.lambda().LambdaClient)(awsClientConfig({ ...settings, maxAttempts: 1 }));
  attachRateLimit(client.middlewareStack, serviceRateLimit(settings.lambdaRequestsPerSecond ?? 10));
  return client;
}

/**
 * Whether a failed Invoke may still have run the function: anything but the service's own 4xx
 * answer (validation, not found, access denied, throttled: refused before running) may have.
 */
export function invokeMayHaveRun(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return !(status !== undefined && status >= 400 && status < 500);
}
