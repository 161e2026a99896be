import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../src/aws/clients.js';
import { createRetryStrategy, fullJitterDelay } from '../../../src/aws/retry.js';
import { type RecordingServer, startRecordingServer } from '../../support/recordingServer.js';

describe('fullJitterDelay', () => {
  it('is random(0, min(cap, base·2^attempt)): never negative, never at or above the bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, cap, r) => {
          const delay = fullJitterDelay(attempt, base, cap, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.min(cap, base * 2 ** attempt));
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });

  it('grows exponentially until the cap, then stays under it', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 10].map((n) => fullJitterDelay(n, 100, 1_000, top))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(fullJitterDelay(4, 100, 1_000, () => 0)).toBe(0);
  });
});

describe('createRetryStrategy (driven by the SDK retry middleware)', () => {
  const timing = { baseDelayMs: 8, throttlingBaseDelayMs: 40, maxDelayMs: 1_000 };

  it('backs off from the throttling base after a throttle and from the transient base otherwise', async () => {
    const strategy = createRetryStrategy(5, timing, () => 0.5);
    const first = await strategy.acquireInitialRetryToken('sqs');
    const afterThrottle = await strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' });
    const afterTransient = await strategy.refreshRetryTokenForRetry(afterThrottle, {
      errorType: 'TRANSIENT',
    });
    // 0.5 · 40 · 2^0 and 0.5 · 8 · 2^1.
    expect([afterThrottle, afterTransient].map((t) => t.getRetryDelay())).toEqual([20, 8]);
    expect(afterTransient.getRetryCount()).toBe(2);
  });

  it('waits at least as long as Retry-After asks, up to 5 s more than its own backoff', async () => {
    const strategy = createRetryStrategy(5, timing, () => 0);
    const first = await strategy.acquireInitialRetryToken('sqs');
    const soon = new Date(Date.now() + 2_000);
    const late = new Date(Date.now() + 60_000);
    const a = await strategy.refreshRetryTokenForRetry(first, {
      errorType: 'THROTTLING',
      retryAfterHint: soon,
    });
    const b = await strategy.refreshRetryTokenForRetry(first, {
      errorType: 'THROTTLING',
      retryAfterHint: late,
    });
    expect(a.getRetryDelay()).toBeGreaterThan(1_900);
    expect(a.getRetryDelay()).toBeLessThanOrEqual(2_000);
    expect(b.getRetryDelay()).toBe(5_000);
  });

  it('stops at maxAttempts, and never retries a client error', async () => {
    const strategy = createRetryStrategy(3, timing, () => 0);
    let token = await strategy.acquireInitialRetryToken('sqs');
    token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' });
    token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' });
    await expect(strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' })).rejects.toThrow();
    const fresh = await strategy.acquireInitialRetryToken('sqs');
    await expect(strategy.refreshRetryTokenForRetry(fresh, { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
  });

  it('keeps retrying after many failures: no client-wide quota that a brownout drains', async () => {
    const strategy = createRetryStrategy(2, timing, () => 0);
    for (let i = 0; i < 1_000; i++) {
      const token = await strategy.acquireInitialRetryToken('sqs');
      expect(
        (await strategy.refreshRetryTokenForRetry(token, { errorType: 'THROTTLING' })).getRetryCount(),
      ).toBe(1);
    }
  });
});

describe('edaguard clients against a server that fails or counts', () => {
  let server: RecordingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const clients = (endpoint: string, maxAttempts: number) =>
    createAwsClients({
      region: 'us-east-1',
      endpoint,
      maxAttempts,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
      retryTiming: { baseDelayMs: 1, throttlingBaseDelayMs: 2, maxDelayMs: 10 },
    });

  it('retries a throttled call exactly maxAttempts times in all, then surfaces the throttle', async () => {
    server = await startRecordingServer();
    server.route('POST', '/', () => ({
      status: 400,
      body: { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Rate exceeded' },
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'RequestThrottled;Sender',
      },
    }));
    const aws = clients(server.url, 4);
    try {
      const error = (await aws.sqs.send(new ListQueuesCommand({})).catch((e: unknown) => e)) as {
        name: string;
        $metadata: { attempts: number };
        $retryable?: { throttling?: boolean };
      };
      expect(error.name).toBe('RequestThrottled');
      expect(error.$metadata.attempts).toBe(4);
      expect(server.requests).toHaveLength(4);
    } finally {
      aws.destroy();
    }
  });

  it('gives an account-wide read more rounds of attempts than a per-resource read', async () => {
    server = await startRecordingServer();
    const unavailable = { status: 503, body: { message: 'Service unavailable' } };
    server.route('GET', '/2015-03-31/functions', () => ({ status: 200, body: { Functions: [] } }));
    server.route('GET', '/2015-03-31/functions/:name', () => ({ status: 200, body: {} }));
    // Five failures: more than the 2 attempts a call has, fewer than 2 × (1 + 3 rounds).
    server.script('GET', '/2015-03-31/functions', ...Array(5).fill(unavailable));
    server.script('GET', '/2015-03-31/functions/:name', ...Array(5).fill(unavailable));
    const aws = clients(server.url, 2);
    try {
      const listed = await aws.lambda.send(new ListFunctionsCommand({}));
      expect(listed.Functions).toEqual([]);
      expect(server.find('GET', '/2015-03-31/functions')).toHaveLength(6);
      await expect(aws.lambda.send(new GetFunctionCommand({ FunctionName: 'f' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503 },
      });
      expect(server.find('GET', '/2015-03-31/functions/:name')).toHaveLength(2);
    } finally {
      aws.destroy();
    }
  });

  it('holds PutMetricAlarm to 3 a second and leaves DescribeAlarms to its own quota', async () => {
    server = await startRecordingServer();
    const starts: Array<{ target: string; at: number }> = [];
    server.route('POST', '/', (req) => {
      starts.push({ target: String(req.headers['x-amz-target']), at: Date.now() });
      return { status: 200, body: {}, headers: { 'content-type': 'application/x-amz-json-1.0' } };
    });
    const aws = clients(server.url, 1);
    try {
      const alarm = (n: number) =>
        new PutMetricAlarmCommand({
          AlarmName: `a${n}`,
          MetricName: 'm',
          Namespace: 'n',
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        });
      await Promise.all([
        ...[1, 2, 3, 4, 5].map((n) => aws.cloudwatch.send(alarm(n))),
        ...[1, 2, 3].map(() => aws.cloudwatch.send(new DescribeAlarmsCommand({}))),
      ]);
    } finally {
      aws.destroy();
    }
    const puts = starts.filter((s) => s.target.endsWith('PutMetricAlarm')).map((s) => s.at);
    const describes = starts.filter((s) => s.target.endsWith('DescribeAlarms')).map((s) => s.at);
    expect(puts).toHaveLength(5);
    expect(describes).toHaveLength(3);
    for (const t of puts) expect(puts.filter((u) => u >= t && u < t + 950).length).toBeLessThanOrEqual(3);
    // The three DescribeAlarms did not queue behind the throttled puts: they went out in the first window.
    const firstPut = Math.min(...puts);
    expect(Math.max(...describes) - firstPut).toBeLessThan(900);
  });
});
