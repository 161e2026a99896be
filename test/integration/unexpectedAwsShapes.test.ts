/**
 * AWS answers of unexpected shape, for real, where moto stores what AWS itself would refuse: the
 * resource gets an `error` finding naming it and the field, nothing is written to it, and the
 * rest of the cycle goes on. Shapes moto refuses too are covered by
 * test/unit/discovery/unexpectedShapes.test.ts.
 */
import { CreateEventSourceMappingCommand, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicySources } from '../../src/policy/loader.js';
import { reportExitCode } from '../../src/report/driftReport.js';
import { reconcileOnce, testSeeder, useCleanEmulator } from '../support/harness.js';
import { ACCOUNT, type Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

const QUEUE_POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
    sqs-dlq-retention: { minSeconds: 1209600 }
`;

const FUNCTION_POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: workers }
spec:
  enforcement: enforce
  match: { resourceTypes: [lambda:function], tags: { team: workers } }
  rules:
    esm-partial-batch-response: {}
`;

const QUEUE_ARN = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

const writesOf = (calls: ReadonlyArray<{ operation: string; count: number }>, operation: string) =>
  calls.filter((c) => c.operation === operation).reduce((n, c) => n + c.count, 0);

describe('AWS answers of unexpected shape, against the emulator', () => {
  it('moto refuses a RedrivePolicy that is not JSON (an HTTP 500: its own json.loads fails before its check; AWS says InvalidParameterValue): that shape is covered by the unit tests only', async () => {
    seed = testSeeder();
    const q = await seed.queue('orders', { tags: { team: 'orders' } });
    await expect(
      seed.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { RedrivePolicy: 'orders-dlq' } }),
      ),
    ).rejects.toBeDefined();
    expect((await seed.attributes(q.url)).RedrivePolicy).toBeUndefined();
  });

  it('a RedrivePolicy with maxReceiveCount 0 (moto stores it; AWS allows 1-1000): an error finding for that queue, no write to it, the other queue fixed', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('broken-dlq');
    // moto's _setup_dlq checks the keys and the target, not the count's range.
    const broken = await seed.queue('broken', {
      attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 0 }) },
      tags: { team: 'orders' },
    });
    await seed.queue('plain', { tags: { team: 'orders' } });
    const before = await seed.attributes(broken.url);

    const { report } = await reconcileOnce(parsePolicySources([{ file: 'orders.yaml', text: QUEUE_POLICY }]));

    const forBroken = report.results.filter((r) => r.resource === broken.arn);
    expect(forBroken).toEqual([
      expect.objectContaining({
        rule: 'read-error',
        // The plan's `error` is the report's `failed`: a read failed.
        status: 'failed',
        observed: { operation: 'GetQueueAttributes', code: 'AWS_RESPONSE_UNEXPECTED' },
        message: expect.stringContaining(
          `RedrivePolicy.maxReceiveCount of ${broken.arn} is 0, not a positive integer; not changing it`,
        ),
      }),
    ]);
    // Nothing was written to it: same attributes, and no DLQ created under its name.
    expect(await seed.attributes(broken.url)).toEqual(before);
    await expect(
      seed.sqs.send(new GetQueueUrlCommand({ QueueName: 'broken-dlq-dlq' })),
    ).rejects.toBeDefined();
    await expect(seed.sqs.send(new GetQueueUrlCommand({ QueueName: 'broken-dlq' }))).resolves.toBeDefined();
    expect(JSON.parse(before.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: 0,
    });

    // The cycle went on: the other queue got its DLQ.
    expect(
      report.results.find((r) => r.resource === QUEUE_ARN('plain') && r.rule === 'sqs-dead-letter-queue')
        ?.status,
    ).toBe('fixed');
    expect(writesOf(report.awsCalls, 'CreateQueue')).toBe(1);
    expect(reportExitCode(report)).toBe(1);
  });

  it('an event source mapping with a FunctionResponseTypes value this code does not know (moto stores any): an error finding for it, no UpdateEventSourceMapping; a known mapping is fixed', async () => {
    seed = testSeeder();
    const optIn = { team: 'workers', 'edaguard.dev/partial-batch': 'supported' };
    await seed.fn('odd-worker', 30, optIn);
    await seed.fn('plain-worker', 30, optIn);
    const jobs = await seed.queue('jobs');
    const other = await seed.queue('other-jobs');
    const odd = await seed.lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: jobs.arn,
        FunctionName: 'odd-worker',
        BatchSize: 10,
        // Not a value of the SDK's enum: as a newer AWS might answer.
        FunctionResponseTypes: [
          'ReportBatchItemFailures',
          'ReportPartialBatchTimings' as 'ReportBatchItemFailures',
        ],
      }),
    );
    const plainUuid = await seed.mapQueue(other.arn, 'plain-worker');

    const { report } = await reconcileOnce(
      parsePolicySources([{ file: 'workers.yaml', text: FUNCTION_POLICY }]),
    );

    const oddArn =
      odd.EventSourceMappingArn ?? `arn:aws:lambda:us-east-1:${ACCOUNT}:event-source-mapping:${odd.UUID}`;
    const forOdd = report.results.filter((r) => r.resource === oddArn);
    expect(forOdd).toEqual([
      expect.objectContaining({
        rule: 'read-error',
        status: 'failed',
        observed: { operation: 'ListEventSourceMappings', code: 'AWS_RESPONSE_UNEXPECTED' },
        message: expect.stringMatching(
          new RegExp(
            `FunctionResponseTypes of ${oddArn} is "ReportPartialBatchTimings", which this version of edaguard does not know`,
          ),
        ),
      }),
    ]);
    // One update, for the known mapping; the odd one is as it was.
    expect(writesOf(report.awsCalls, 'UpdateEventSourceMapping')).toBe(1);
    const mappings =
      (await seed.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    expect(mappings.find((m) => m.UUID === odd.UUID)?.FunctionResponseTypes).toEqual([
      'ReportBatchItemFailures',
      'ReportPartialBatchTimings',
    ]);
    expect(mappings.find((m) => m.UUID === plainUuid)?.FunctionResponseTypes).toEqual([
      'ReportBatchItemFailures',
    ]);
  });
});
