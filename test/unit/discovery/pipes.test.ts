import { describe, expect, it } from 'vitest';
import { selectedPipes, toPipeFacts } from '../../../src/discovery/pipes.js';

const ARN = 'arn:aws:pipes:us-east-1:123456789012:pipe/orders';
const ROLE = 'arn:aws:iam::123456789012:role/r';

describe('toPipeFacts', () => {
  it('a Kinesis source with AWS’s defaults: -1 (infinite) limits, no bisect, no DLQ; raw as answered', () => {
    const raw = { StartingPosition: 'LATEST' as const, BatchSize: 10 };
    expect(
      toPipeFacts(ARN, {
        Name: 'orders',
        Source: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
        SourceParameters: { KinesisStreamParameters: raw },
        CurrentState: 'RUNNING',
        RoleArn: ROLE,
        Tags: { team: 'orders' },
      }),
    ).toEqual({
      arn: ARN,
      name: 'orders',
      tags: { team: 'orders' },
      sourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
      sourceKind: 'kinesis',
      currentState: 'RUNNING',
      roleArn: ROLE,
      streamSource: { maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, raw },
    });
  });

  it('a DynamoDB stream source with its failure handling set', () => {
    const facts = toPipeFacts(ARN, {
      Source: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000',
      SourceParameters: {
        DynamoDBStreamParameters: {
          StartingPosition: 'LATEST',
          MaximumRetryAttempts: 2,
          MaximumRecordAgeInSeconds: 600,
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:d' },
        },
      },
    });
    expect(facts.sourceKind).toBe('dynamodb');
    expect(facts.name).toBe('orders');
    expect(facts.streamSource).toMatchObject({
      maximumRetryAttempts: 2,
      maximumRecordAgeInSeconds: 600,
      onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
      deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:d',
    });
  });

  it('an SQS source has no stream source facts', () => {
    const facts = toPipeFacts(ARN, { Source: 'arn:aws:sqs:us-east-1:123456789012:q', SourceParameters: {} });
    expect(facts.sourceKind).toBe('sqs');
    expect(facts.streamSource).toBeUndefined();
  });
});

describe('selectedPipes', () => {
  it('facts of the selected pipes only; one whose DescribePipe failed is left out', () => {
    const described = new Map([[ARN, { Name: 'orders', Source: 'arn:aws:sqs:us-east-1:123456789012:q' }]]);
    const pipes = selectedPipes(
      [
        { arn: ARN, type: 'pipes:pipe', tags: {} },
        { arn: `${ARN}-failed`, type: 'pipes:pipe', tags: {} },
      ],
      described,
    );
    expect([...pipes.keys()]).toEqual([ARN]);
  });
});
