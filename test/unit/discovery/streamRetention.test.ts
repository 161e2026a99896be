/**
 * The stream retention read: one DescribeStreamSummary per Kinesis stream (never per mapping),
 * none for DynamoDB streams (24 h, fixed), and a failed or malformed answer as the read error of
 * every mapping on that stream. The calls against the emulator are in
 * test/integration/noSilentCaps.test.ts; here the client only answers what a test needs.
 */
import type { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { DYNAMODB_STREAM_RETENTION_SECONDS, type MappingFacts } from '../../../src/discovery/inventory.js';
import { UnexpectedResponseError } from '../../../src/discovery/shape.js';
import { readStreamRetentions } from '../../../src/discovery/streamRetention.js';
import { kinesisStreamArn, mapping } from '../lambdaFixtures.js';

/** A client answering DescribeStreamSummary from `answers` (by stream ARN), recording the ARNs asked. */
function kinesisAnswering(answers: Record<string, unknown>) {
  const asked: string[] = [];
  const client = {
    send: async (command: DescribeStreamSummaryCommand) => {
      const arn = command.input.StreamARN as string;
      asked.push(arn);
      const answer = answers[arn];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as KinesisClient;
  return { client, asked };
}

const immediate = <T>(fn: () => Promise<T>) => fn();
const hours = (h: unknown) => ({ StreamDescriptionSummary: { RetentionPeriodHours: h } });

async function read(answers: Record<string, unknown>, mappings: MappingFacts[]) {
  const { client, asked } = kinesisAnswering(answers);
  const errors: Array<{ mapping: string; error: unknown }> = [];
  const retention = await readStreamRetentions(client, mappings, immediate, (m, error) =>
    errors.push({ mapping: m.uuid, error }),
  );
  return { retention, asked, errors };
}

describe('readStreamRetentions', () => {
  const CLICKS = kinesisStreamArn('clicks');
  const AUDIT = kinesisStreamArn('audit');

  it('one call per distinct Kinesis stream, whatever the number of mappings reading it', async () => {
    const mappings = [
      mapping('a', { eventSourceArn: CLICKS }),
      mapping('b', { eventSourceArn: CLICKS, fn: 'other-fn' }),
      mapping('c', { eventSourceArn: AUDIT }),
    ];
    const { retention, asked, errors } = await read({ [CLICKS]: hours(24), [AUDIT]: hours(168) }, mappings);
    expect(asked.sort()).toEqual([AUDIT, CLICKS]);
    expect(retention).toEqual(
      new Map([
        [CLICKS, 86_400],
        [AUDIT, 604_800],
      ]),
    );
    expect(errors).toEqual([]);
  });

  it('DynamoDB streams keep 24 h: no call; SQS and other sources are not streams', async () => {
    const table = mapping('t', { sourceKind: 'dynamodb' });
    const { retention, asked } = await read({}, [
      table,
      mapping('q', { sourceKind: 'sqs' }),
      mapping('k', { sourceKind: 'other' }),
    ]);
    expect(asked).toEqual([]);
    expect(retention).toEqual(new Map([[table.eventSourceArn, DYNAMODB_STREAM_RETENTION_SECONDS]]));
    expect(DYNAMODB_STREAM_RETENTION_SECONDS).toBe(24 * 3600);
  });

  it('a failed read is the read error of every mapping on that stream; the other streams are read', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    const mappings = [
      mapping('a', { eventSourceArn: CLICKS }),
      mapping('b', { eventSourceArn: CLICKS }),
      mapping('c', { eventSourceArn: AUDIT }),
    ];
    const { retention, errors } = await read({ [CLICKS]: denied, [AUDIT]: hours(48) }, mappings);
    expect(retention).toEqual(new Map([[AUDIT, 172_800]]));
    expect(errors).toEqual([
      { mapping: 'a', error: denied },
      { mapping: 'b', error: denied },
    ]);
  });

  it.each([
    [
      'missing',
      { StreamDescriptionSummary: {} },
      /RetentionPeriodHours of .*clicks is missing from DescribeStreamSummary/,
    ],
    ['no summary', {}, /RetentionPeriodHours of .*clicks is missing/],
    ['zero', hours(0), /is 0, not a positive integer/],
    ['a fraction', hours(1.5), /is 1.5, not a positive integer/],
    ['a string', hours('24'), /is "24", not a positive integer/],
  ])('RetentionPeriodHours %s → an UnexpectedResponseError, never a guess', async (_name, body, message) => {
    const { retention, errors } = await read({ [CLICKS]: body }, [mapping('a', { eventSourceArn: CLICKS })]);
    expect(retention.size).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(UnexpectedResponseError);
    expect(errors[0]?.error).toMatchObject({
      code: 'AWS_RESPONSE_UNEXPECTED',
      message: expect.stringMatching(message),
    });
  });
});
