/**
 * "Never a limit without somewhere for the failures to go", against the emulator: a retry or age
 * limit decides when a record or event is given up on, so edaguard sets one only together with an
 * on-failure destination; without one it writes what loses nothing (bisect) and opens a ticket.
 * And an age limit longer than the stream keeps its records is reported with the stream's
 * retention, read once per Kinesis stream (DescribeStreamSummary).
 */
import {
  DeleteStreamCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  type KinesisClientConfig,
} from '@aws-sdk/client-kinesis';
import {
  GetEventSourceMappingCommand,
  GetFunctionEventInvokeConfigCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicySources } from '../../src/policy/loader.js';
import { emulatorEndpoint, reconcileOnce, testSeeder, useCleanEmulator } from '../support/harness.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

const policyWith = (rules: string) =>
  parsePolicySources([
    {
      file: 'p.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: streams }
spec:
  enforcement: enforce
  match: { resourceTypes: [lambda:function], tags: { team: orders } }
  rules:
${rules}`,
    },
  ]);

const TEAM = { team: 'orders' };

const kinesisClient = () =>
  new KinesisClient({
    endpoint: emulatorEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    requestHandler: new NodeHttpHandler(),
  } satisfies KinesisClientConfig);

describe('no retry or age limit without an on-failure destination', () => {
  it('a stream mapping under a policy without onFailure: bisect is set, the limits are not, and a ticket says why', async () => {
    seed = testSeeder();
    const stream = await seed.kinesisStream('clicks');
    await seed.fn('clicks-indexer', 30, TEAM);
    const uuid = await seed.mapStream(stream, 'clicks-indexer');
    const before = await seed.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    const policies = policyWith(`    esm-stream-failure-handling:
      maxRetryAttempts: 3
      maxRecordAgeSeconds: 3600
`);

    const first = await reconcileOnce(policies);
    const after = await seed.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    expect(after.BisectBatchOnFunctionError).toBe(true);
    expect(after.MaximumRetryAttempts).toBe(before.MaximumRetryAttempts);
    expect(after.MaximumRecordAgeInSeconds).toBe(before.MaximumRecordAgeInSeconds);
    expect(after.DestinationConfig?.OnFailure?.Destination ?? null).toBeNull();
    expect(first.writes).toBe(1);

    const second = await reconcileOnce(policies);
    expect(second.writes).toBe(0);
    const finding = second.report.results.find((r) => r.rule === 'esm-stream-failure-handling');
    expect(finding?.status).toBe('ticket');
    expect(finding?.message).toContain('MaximumRetryAttempts, MaximumRecordAgeInSeconds not lowered');
    expect(finding?.message).toContain('give the policy an onFailure destination');
  });

  it('an async function under a policy without onFailure: no Put (its limits and OnSuccess stay), a ticket', async () => {
    seed = testSeeder();
    await seed.fn('audit-writer', 10, TEAM);
    const success = await seed.queue('audit-writer-succeeded');
    await seed.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'audit-writer',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21_600,
        DestinationConfig: { OnSuccess: { Destination: success.arn } },
      }),
    );
    const policies = policyWith(`    lambda-async-invoke-config:
      appliesTo: all-selected
      maxRetryAttempts: 0
      maxEventAgeSeconds: 600
`);

    const { report, writes } = await reconcileOnce(policies);
    expect(writes).toBe(0);
    expect(report.results.find((r) => r.rule === 'lambda-async-invoke-config')).toMatchObject({
      status: 'ticket',
      message: expect.stringContaining('give the policy an onFailure destination'),
    });
    const config = await seed.lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'audit-writer' }),
    );
    expect(config).toMatchObject({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: { OnSuccess: { Destination: success.arn } },
    });
  });
});

describe("the record age and the stream's retention", () => {
  it('read once per Kinesis stream; an age limit beyond the retention is a ticket naming it', async () => {
    seed = testSeeder();
    const failures = await seed.queue('stream-failures');
    const short = await seed.kinesisStream('clicks'); // 24 h, Kinesis's default
    const long = await seed.kinesisStream('audit');
    const kinesis = kinesisClient();
    try {
      await kinesis.send(
        new IncreaseStreamRetentionPeriodCommand({ StreamName: 'audit', RetentionPeriodHours: 72 }),
      );
    } finally {
      kinesis.destroy();
    }
    const table = await seed.dynamoTable('orders', { stream: true });
    const mapped: Record<string, string> = {};
    for (const [fn, source] of [
      ['clicks-a', short],
      ['clicks-b', short],
      ['audit-reader', long],
      ['orders-projector', table.streamArn as string],
    ] as const) {
      await seed.fn(fn, 30, TEAM);
      mapped[fn] = await seed.mapStream(source, fn);
    }
    // A function no policy selects: its stream is never read.
    await seed.fn('elsewhere-reader', 30, { team: 'billing' });
    await seed.mapStream(await seed.kinesisStream('elsewhere'), 'elsewhere-reader');
    const policies = policyWith(`    esm-stream-failure-handling:
      maxRetryAttempts: 3
      maxRecordAgeSeconds: 172800
      onFailure: { destinationArn: ${failures.arn} }
`);

    const first = await reconcileOnce(policies);
    const describes = first.report.awsCalls.filter((c) => c.operation === 'DescribeStreamSummary');
    expect(describes.reduce((n, c) => n + c.count, 0)).toBe(2); // clicks and audit: not elsewhere, not DynamoDB
    expect(first.report.results.filter((r) => r.status === 'fixed')).toHaveLength(4);

    const second = await reconcileOnce(policies);
    expect(second.writes).toBe(0);
    const statusOf = (fn: string) => {
      const finding = second.report.results.find((r) => r.resource.endsWith(`:${mapped[fn]}`));
      return { status: finding?.status, message: finding?.message };
    };
    const beyond = {
      status: 'ticket',
      message: expect.stringContaining(
        "a record age of 172800 s is longer than the stream's retention of 24 h (86400 s)",
      ),
    };
    expect(statusOf('clicks-a')).toEqual(beyond);
    expect(statusOf('clicks-b')).toEqual(beyond);
    expect(statusOf('orders-projector')).toEqual(beyond);
    expect(statusOf('audit-reader').status).toBe('pass');
  });

  it("a stream that cannot be read is that mapping's read error; the rest of the rule still applies", async () => {
    seed = testSeeder();
    const failures = await seed.queue('stream-failures');
    const stream = await seed.kinesisStream('gone');
    await seed.fn('gone-reader', 30, TEAM);
    const uuid = await seed.mapStream(stream, 'gone-reader');
    const kinesis = kinesisClient();
    try {
      await kinesis.send(new DeleteStreamCommand({ StreamName: 'gone' }));
    } finally {
      kinesis.destroy();
    }
    const policies = policyWith(`    esm-stream-failure-handling:
      maxRetryAttempts: 3
      maxRecordAgeSeconds: 3600
      onFailure: { destinationArn: ${failures.arn} }
`);
    const { report } = await reconcileOnce(policies);
    const onMapping = report.results.filter((r) => r.resource.endsWith(`:${uuid}`));
    expect(onMapping.find((r) => r.rule === 'read-error')).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/^DescribeStreamSummary failed: ResourceNotFoundException/),
    });
    expect(onMapping.find((r) => r.rule === 'esm-stream-failure-handling')?.status).toBe('fixed');
  });
});
