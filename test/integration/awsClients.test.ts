import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { CallCounter } from '../../src/aws/callCounter.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { resolveRuntimeSettings } from '../../src/config/runtime.js';
import { testClients, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function localServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const started = createServer(handler);
  server = started;
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
}

const settings = (endpoint: string, extra: Record<string, string> = {}) =>
  resolveRuntimeSettings({ endpointUrl: endpoint }, { ...process.env, ...extra });

describe('AWS client factory', () => {
  it('a request timeout really throws instead of waiting forever', async () => {
    const endpoint = await localServer(() => {
      /* never answers */
    });
    const aws = createAwsClients({ ...settings(endpoint), requestTimeoutMs: 300, maxAttempts: 1 });
    const started = Date.now();
    await expect(aws.sqs.send(new ListQueuesCommand({}))).rejects.toThrow(/timeout/i);
    expect(Date.now() - started).toBeLessThan(5000);
    aws.destroy();
  });

  it('retries throttling with the configured number of attempts, and counts one call with its outcome', async () => {
    let requests = 0;
    const endpoint = await localServer((_req, res) => {
      requests += 1;
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'RequestThrottled;Sender',
      });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Rate exceeded' }));
    });
    const counter = new CallCounter();
    const aws = createAwsClients({ ...settings(endpoint), maxAttempts: 2 }, counter);
    await expect(aws.sqs.send(new ListQueuesCommand({}))).rejects.toThrow();
    expect(requests).toBe(2);
    expect(counter.snapshot()).toEqual([
      { service: 'SQS', operation: 'ListQueues', outcome: 'throttled', count: 1 },
    ]);
    aws.destroy();
  });

  it('honours AWS_ENDPOINT_URL and counts calls per service and operation', async () => {
    const aws = testClients();
    await aws.sqs.send(new ListQueuesCommand({}));
    await aws.sqs.send(new ListQueuesCommand({}));
    await expect(
      aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: `${process.env.AWS_ENDPOINT_URL}/123456789012/nope` }),
      ),
    ).rejects.toThrow();
    expect(aws.counter.snapshot()).toEqual([
      { service: 'SQS', operation: 'GetQueueAttributes', outcome: 'not-found', count: 1 },
      { service: 'SQS', operation: 'ListQueues', outcome: 'success', count: 2 },
    ]);
    expect(aws.counter.writes()).toBe(0);
    aws.destroy();
  });
});
