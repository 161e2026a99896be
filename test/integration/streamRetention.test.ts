/**
 * stream-retention against the emulator: a tagged Kinesis stream (found by ListStreams and
 * ListTagsForStream, as moto's tagging API does not list streams) is raised to the largest record
 * age of its mappings, a longer retention is never lowered, and a second cycle writes nothing.
 */
import {
  AddTagsToStreamCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicySources } from '../../src/policy/loader.js';
import { reconcileOnce, testClients, testSeeder, useCleanEmulator } from '../support/harness.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
let kinesis: KinesisClient;
afterEach(() => {
  seed?.destroy();
  kinesis?.destroy();
});

const POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: streams }
spec:
  enforcement: enforce
  match: { resourceTypes: [kinesis:stream], tags: { team: orders } }
  rules:
    stream-retention: {}
`;

const retentionOf = async (name: string) =>
  (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary
    ?.RetentionPeriodHours;

describe('stream-retention against the emulator', () => {
  it('raises a stream to its mappings’ record age, never lowers one, then converges with zero writes', async () => {
    seed = testSeeder();
    // The controller's client: KinesisClient's default HTTP/2 handler does not speak to moto.
    kinesis = testClients().kinesis;
    // moto's CreateStream drops Tags: tag with AddTagsToStream.
    const short = await seed.kinesisStream('orders-events');
    const long = await seed.kinesisStream('orders-audit');
    const untagged = await seed.kinesisStream('other-events');
    for (const name of ['orders-events', 'orders-audit'])
      await kinesis.send(new AddTagsToStreamCommand({ StreamName: name, Tags: { team: 'orders' } }));
    await kinesis.send(
      new IncreaseStreamRetentionPeriodCommand({ StreamName: 'orders-audit', RetentionPeriodHours: 72 }),
    );
    await seed.fn('orders-projector', 30);
    for (const streamArn of [short, long, untagged]) {
      await seed.lambda.send(
        new CreateEventSourceMappingCommand({
          EventSourceArn: streamArn,
          FunctionName: 'orders-projector',
          StartingPosition: 'LATEST',
          MaximumRecordAgeInSeconds: 172_800,
        }),
      );
    }
    const policies = parsePolicySources([{ file: 'p.yaml', text: POLICY }]);

    const first = await reconcileOnce(policies);
    const results = first.report.results.filter((r) => r.rule === 'stream-retention');
    expect(results.map((r) => [r.resource, r.status])).toEqual([
      [long, 'pass'],
      [short, 'fixed'],
    ]);
    expect(await retentionOf('orders-events')).toBe(48);
    expect(await retentionOf('orders-audit')).toBe(72);
    expect(await retentionOf('other-events')).toBe(24);
    expect(first.writes).toBe(1);

    const second = await reconcileOnce(policies);
    expect(second.writes).toBe(0);
    expect(second.report.results.filter((r) => r.rule === 'stream-retention').map((r) => r.status)).toEqual([
      'pass',
      'pass',
    ]);
  });
});
