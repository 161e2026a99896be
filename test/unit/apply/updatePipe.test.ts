import { describe, expect, it } from 'vitest';
import {
  buildUpdatePipeInput,
  pipeMismatches,
  pipePreconditionDecision,
} from '../../../src/apply/handlers/updatePipe.js';
import type { Action } from '../../../src/reconcile/model.js';

type UpdatePipe = Extract<Action, { kind: 'UpdatePipe' }>;

const ROLE = 'arn:aws:iam::123456789012:role/orders-pipe';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-pipe-dlq';
const OBSERVED = {
  BatchSize: 50,
  MaximumBatchingWindowInSeconds: 5,
  ParallelizationFactor: 4,
  StartingPosition: 'AT_TIMESTAMP',
  StartingPositionTimestamp: new Date('2026-01-01T00:00:00Z'),
  MaximumRetryAttempts: -1,
};

const action = (overrides: Partial<UpdatePipe> = {}): UpdatePipe => ({
  kind: 'UpdatePipe',
  pipeArn: 'arn:aws:pipes:us-east-1:123456789012:pipe/orders',
  pipeName: 'orders',
  roleArn: ROLE,
  sourceKind: 'kinesis',
  observedSource: OBSERVED,
  changes: {
    OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
    MaximumRetryAttempts: 3,
    MaximumRecordAgeInSeconds: 3600,
    DeadLetterConfig: { Arn: DLQ },
  },
  ...overrides,
});

describe('buildUpdatePipeInput', () => {
  it('sends the whole Kinesis parameters object back with only the failure-handling fields changed', () => {
    expect(buildUpdatePipeInput(action())).toEqual({
      Name: 'orders',
      RoleArn: ROLE,
      SourceParameters: {
        KinesisStreamParameters: {
          // Every other field kept as read (UpdatePipe would reset a missing one to its default)…
          BatchSize: 50,
          MaximumBatchingWindowInSeconds: 5,
          ParallelizationFactor: 4,
          // …the failure-handling ones changed…
          MaximumRetryAttempts: 3,
          MaximumRecordAgeInSeconds: 3600,
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          DeadLetterConfig: { Arn: DLQ },
          // …and the starting position, which UpdatePipe does not take, left out.
        },
      },
    });
  });

  it('a DynamoDB stream source goes under DynamoDBStreamParameters; nothing else of the pipe is sent', () => {
    const input = buildUpdatePipeInput(
      action({
        sourceKind: 'dynamodb',
        observedSource: { BatchSize: 10, StartingPosition: 'TRIM_HORIZON' },
        changes: { OnPartialBatchItemFailure: 'AUTOMATIC_BISECT' },
      }),
    );
    expect(input).toEqual({
      Name: 'orders',
      RoleArn: ROLE,
      SourceParameters: {
        DynamoDBStreamParameters: { BatchSize: 10, OnPartialBatchItemFailure: 'AUTOMATIC_BISECT' },
      },
    });
  });
});

describe('pipePreconditionDecision', () => {
  it('proceeds when the source and role are as planned', () => {
    expect(pipePreconditionDecision(action(), { source: OBSERVED, roleArn: ROLE })).toBe('proceed');
  });

  it('unchanged when the source already shows every change (nothing to write)', () => {
    const done = { ...OBSERVED, ...action().changes };
    expect(pipePreconditionDecision(action(), { source: done, roleArn: ROLE })).toBe('unchanged');
  });

  it('refuses when a source parameter changed since planning, naming it', () => {
    expect(
      pipePreconditionDecision(action(), { source: { ...OBSERVED, BatchSize: 100 }, roleArn: ROLE }),
    ).toEqual({ changed: ['BatchSize'] });
    const { ParallelizationFactor: _, ...without } = OBSERVED;
    expect(pipePreconditionDecision(action(), { source: without, roleArn: ROLE })).toEqual({
      changed: ['ParallelizationFactor'],
    });
  });

  it('refuses when the role changed or the stream source is gone', () => {
    expect(pipePreconditionDecision(action(), { source: OBSERVED, roleArn: `${ROLE}-2` })).toEqual({
      changed: ['RoleArn'],
    });
    expect(pipePreconditionDecision(action(), { source: undefined, roleArn: ROLE })).toMatchObject({
      changed: expect.arrayContaining(['SourceParameters']),
    });
  });
});

describe('pipeMismatches (the read-back)', () => {
  it('lists the changed fields the source does not show yet', () => {
    expect(pipeMismatches(action().changes, OBSERVED)).toEqual([
      'OnPartialBatchItemFailure',
      'MaximumRetryAttempts',
      'MaximumRecordAgeInSeconds',
      'DeadLetterConfig',
    ]);
    expect(pipeMismatches(action().changes, { ...OBSERVED, ...action().changes })).toEqual([]);
  });
});
