/**
 * The fault proxy's faults reach the real SDK clients the way AWS's would: parsed into the
 * service's error, classified as throttling or transient by the SDK's own retry code, retried
 * by the standard retry mode, and (for slow answers and dropped connections after forwarding)
 * with the write really made in the emulator.
 */
import { DescribeAlarmHistoryCommand } from '@aws-sdk/client-cloudwatch';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  GetEventSourceMappingCommand,
  GetFunctionEventInvokeConfigCommand,
  ListFunctionsCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { GetTagKeysCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateQueueCommand, ListQueuesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { afterEach, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../src/aws/clients.js';
import { type FaultKind, type FaultProxy, type FaultRule, startFaultProxy } from '../support/faultProxy.js';
import { emulatorEndpoint, testSeeder, testSettings, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

const opened: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

async function proxy(seed: number, rules: FaultRule[], slowDelayMs = 1_000): Promise<FaultProxy> {
  const p = await startFaultProxy(emulatorEndpoint(), { seed, rules, slowDelayMs });
  opened.push(p);
  return p;
}

function clientsVia(p: FaultProxy, maxAttempts: number, requestTimeoutMs = 5_000): AwsClients {
  const aws = createAwsClients({
    ...testSettings({ endpoint: p.url }),
    maxAttempts,
    requestTimeoutMs,
    // Short backoff: the assertions are about classification and attempts, not waiting.
    retryTiming: { baseDelayMs: 5, throttlingBaseDelayMs: 10, maxDelayMs: 50 },
  });
  opened.push({ close: () => aws.destroy() });
  return aws;
}

const always = (service: string, operation: string, kind: FaultKind): FaultRule => ({
  service,
  operation,
  rate: 1,
  kinds: [kind],
});

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown> & Error> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown> & Error;
  }
  throw new Error('expected the call to fail');
}

type Meta = { attempts?: number; totalRetryDelay?: number; httpStatusCode?: number };
const meta = (e: Record<string, unknown>) => (e.$metadata ?? {}) as Meta;

// Operations edaguard re-runs as account-wide reads (src/aws/accountWideReads.ts) make more requests
// than `$metadata.attempts` says; these tests use others, so requests = SDK attempts.
describe('fault proxy: throttling as each service sends it', () => {
  it('SQS RequestThrottled (JSON 1.0, query-compatible): the SDK names it, classifies it as throttling and retries it', async () => {
    const p = await proxy(1, [always('SQS', 'ListQueues', 'throttle')]);
    const aws = clientsVia(p, 3);
    const e = await failure(aws.sqs.send(new ListQueuesCommand({})));
    expect(e.name).toBe('RequestThrottled');
    expect(isThrottlingError(e as never)).toBe(true);
    expect(meta(e)).toMatchObject({ httpStatusCode: 403, attempts: 3 });
    expect(meta(e).totalRetryDelay).toBeGreaterThanOrEqual(0);
    expect((e as { Code?: string }).Code).toBe('RequestThrottled');
    expect(p.faultCount('throttle', 'SQS.ListQueues')).toBe(3);
    expect(p.forwarded.get('SQS.ListQueues')).toBeUndefined();
    expect(aws.counter.snapshot()).toEqual([
      { service: 'SQS', operation: 'ListQueues', outcome: 'throttled', count: 1 },
    ]);
  });

  it('Lambda TooManyRequestsException (REST-JSON, HTTP 429), on a REST route the proxy identifies', async () => {
    const p = await proxy(1, [always('Lambda', 'GetEventSourceMapping', 'throttle')]);
    const aws = clientsVia(p, 2);
    const e = await failure(
      aws.lambda.send(new GetEventSourceMappingCommand({ UUID: '6f1c1c51-0000-4000-8000-000000000000' })),
    );
    expect(e.name).toBe('TooManyRequestsException');
    expect((e as { Reason?: string }).Reason).toBe('CallerRateLimitExceeded');
    expect(isThrottlingError(e as never)).toBe(true);
    expect(meta(e)).toMatchObject({ httpStatusCode: 429, attempts: 2 });
    expect(p.faultCount('throttle', 'Lambda.GetEventSourceMapping')).toBe(2);
    // Another route is forwarded untouched.
    await aws.lambda.send(new ListFunctionsCommand({}));
    expect(p.forwarded.get('Lambda.ListFunctions')).toBe(1);
  });

  it('CloudWatch (JSON 1.0, query-compatible) Throttling, tagging ThrottledException, DynamoDB ThrottlingException', async () => {
    const p = await proxy(1, [
      always('CloudWatch', 'DescribeAlarmHistory', 'throttle'),
      always('ResourceGroupsTaggingAPI', 'GetTagKeys', 'throttle'),
      always('DynamoDB', 'ListTables', 'throttle'),
    ]);
    const aws = clientsVia(p, 2);
    const cw = await failure(aws.cloudwatch.send(new DescribeAlarmHistoryCommand({})));
    const tagging = await failure(aws.tagging.send(new GetTagKeysCommand({})));
    const ddb = await failure(aws.dynamodb.send(new ListTablesCommand({})));
    expect([cw.name, tagging.name, ddb.name]).toEqual([
      'Throttling',
      'ThrottledException',
      'ThrottlingException',
    ]);
    for (const e of [cw, tagging, ddb]) {
      expect(isThrottlingError(e as never)).toBe(true);
      expect(meta(e)).toMatchObject({ httpStatusCode: 400, attempts: 2 });
    }
    expect(p.faultCount('throttle')).toBe(6);
  });
});

describe('fault proxy: server errors, slow answers, dropped connections', () => {
  it('500/503 are transient for the SDK: retried up to maxAttempts, nothing forwarded', async () => {
    const p = await proxy(3, [always('SQS', 'ListQueues', 'server-error')]);
    const aws = clientsVia(p, 3);
    const e = await failure(aws.sqs.send(new ListQueuesCommand({})));
    expect([500, 503]).toContain(meta(e).httpStatusCode);
    expect(isTransientError(e as never)).toBe(true);
    expect(isThrottlingError(e as never)).toBe(false);
    expect(meta(e).attempts).toBe(3);
    expect(p.faults.map((f) => f.status).every((s) => s === 500 || s === 503)).toBe(true);
    expect(p.faults).toHaveLength(3);
  });

  it('a slow answer: the write is made, the client times out and retries it (the write lands twice)', async () => {
    const seed = testSeeder();
    opened.push({ close: () => seed.destroy() });
    const queue = await seed.queue('slow-target');
    const p = await proxy(1, [always('SQS', 'SetQueueAttributes', 'slow')], 1_500);
    const aws = clientsVia(p, 2, 400);
    const e = await failure(
      aws.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { VisibilityTimeout: '77' } }),
      ),
    );
    expect(e.name).toBe('TimeoutError');
    expect(meta(e).attempts).toBe(2);
    // Forwarded first: the emulator has the value although the client saw only timeouts.
    expect((await seed.attributes(queue.url, ['VisibilityTimeout'])).VisibilityTimeout).toBe('77');
    expect(p.writes.map((w) => [w.operation, w.resource, w.answerLost, w.status])).toEqual([
      ['SetQueueAttributes', 'slow-target', true, 200],
      ['SetQueueAttributes', 'slow-target', true, 200],
    ]);
    expect(JSON.parse(p.writes[0]?.body ?? '{}')).toMatchObject({ Attributes: { VisibilityTimeout: '77' } });
  });

  it('a connection dropped before forwarding: a network error the SDK retries, and nothing is written', async () => {
    const seed = testSeeder();
    opened.push({ close: () => seed.destroy() });
    const p = await proxy(1, [always('SQS', 'CreateQueue', 'drop-before')]);
    const aws = clientsVia(p, 3);
    const e = await failure(aws.sqs.send(new CreateQueueCommand({ QueueName: 'never-made' })));
    expect(isTransientError(e as never)).toBe(true);
    expect(meta(e).attempts).toBe(3);
    expect(p.writes).toEqual([]);
    const urls = (await seed.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    expect(urls.filter((u) => u.endsWith('/never-made'))).toEqual([]);
  });

  it('a connection dropped after forwarding: the queue exists though the client saw only errors', async () => {
    const seed = testSeeder();
    opened.push({ close: () => seed.destroy() });
    const p = await proxy(1, [always('SQS', 'CreateQueue', 'drop-after')]);
    const aws = clientsVia(p, 2);
    const e = await failure(aws.sqs.send(new CreateQueueCommand({ QueueName: 'made-anyway' })));
    expect(isTransientError(e as never)).toBe(true);
    expect(p.writes.map((w) => [w.resource, w.answerLost])).toEqual([
      ['made-anyway', true],
      ['made-anyway', true],
    ]);
    const urls = (await seed.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    expect(urls.filter((u) => u.endsWith('/made-anyway'))).toHaveLength(1);
  });

  it('records a Lambda write with the function it is about', async () => {
    const seed = testSeeder();
    opened.push({ close: () => seed.destroy() });
    const fnArn = await seed.fn('recorded-fn', 10);
    const p = await proxy(1, []);
    const aws = clientsVia(p, 1);
    await aws.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: fnArn, MaximumRetryAttempts: 1 }),
    );
    await aws.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fnArn }));
    expect(p.writes.map((w) => [w.service, w.operation, w.resource])).toEqual([
      ['Lambda', 'PutFunctionEventInvokeConfig', fnArn],
    ]);
    expect(p.forwarded.get('Lambda.GetFunctionEventInvokeConfig')).toBe(1);
  });
});

describe('fault proxy: determinism', () => {
  async function outcomes(seed: number): Promise<string[]> {
    const p = await proxy(seed, [{ service: 'SQS', rate: 0.5, kinds: ['throttle', 'server-error'] }]);
    const aws = clientsVia(p, 1);
    const seen: string[] = [];
    for (let i = 0; i < 24; i++) {
      try {
        await aws.sqs.send(new ListQueuesCommand({ QueueNamePrefix: `q${i % 3}` }));
        seen.push('ok');
      } catch (error) {
        seen.push(String(meta(error as Record<string, unknown>).httpStatusCode));
      }
    }
    return seen;
  }

  it('the same seed injects the same faults into the same requests; another seed differs', async () => {
    const first = await outcomes(42);
    expect(await outcomes(42)).toEqual(first);
    expect(first.filter((o) => o !== 'ok').length).toBeGreaterThan(0);
    expect(first.filter((o) => o === 'ok').length).toBeGreaterThan(0);
    expect(await outcomes(43)).not.toEqual(first);
  });
});
