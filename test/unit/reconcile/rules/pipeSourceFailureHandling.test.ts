import { describe, expect, it } from 'vitest';
import type { PipeFacts } from '../../../../src/discovery/inventory.js';
import { planReads } from '../../../../src/discovery/readPlan.js';
import { PipeSourceFailureHandlingSettings } from '../../../../src/policy/asyncEdgeSettings.js';
import { plan } from '../../../../src/reconcile/plan.js';
import { planPipeSourceFailureHandling } from '../../../../src/reconcile/rules/pipeSourceFailureHandling.js';
import { inventory, policy, policySet } from '../../fixtures.js';

const ARN = 'arn:aws:pipes:us-east-1:123456789012:pipe/orders';
const STREAM = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders';
const OWN_DLQ = 'arn:aws:sqs:us-east-1:123456789012:orders-pipe-dlq';
const POLICY_DLQ = 'arn:aws:sns:us-east-1:123456789012:pipe-failures';
const ROLE = 'arn:aws:iam::123456789012:role/orders-pipe';

interface Source {
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  OnPartialBatchItemFailure?: string;
  DeadLetterConfig?: { Arn: string };
}

function pipe(raw: Source, overrides: Partial<PipeFacts> = {}): PipeFacts {
  const full = { StartingPosition: 'LATEST', BatchSize: 50, ...raw };
  return {
    arn: ARN,
    name: 'orders',
    tags: { team: 'orders' },
    sourceArn: STREAM,
    sourceKind: 'kinesis',
    currentState: 'RUNNING',
    roleArn: ROLE,
    streamSource: {
      maximumRetryAttempts: raw.MaximumRetryAttempts ?? -1,
      maximumRecordAgeInSeconds: raw.MaximumRecordAgeInSeconds ?? -1,
      ...(raw.OnPartialBatchItemFailure ? { onPartialBatchItemFailure: raw.OnPartialBatchItemFailure } : {}),
      ...(raw.DeadLetterConfig ? { deadLetterArn: raw.DeadLetterConfig.Arn } : {}),
      raw: full,
    },
    ...overrides,
  };
}

const settings = (extra: Record<string, unknown> = {}) => PipeSourceFailureHandlingSettings.parse(extra);
const CONVERGED: Source = {
  MaximumRetryAttempts: 3,
  MaximumRecordAgeInSeconds: 3600,
  OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
  DeadLetterConfig: { Arn: OWN_DLQ },
};

describe('planPipeSourceFailureHandling (pipe-source-failure-handling)', () => {
  it.each<{
    name: string;
    raw: Source;
    deadLetter?: string;
    status: string;
    changes?: Record<string, unknown>;
    message?: RegExp;
  }>([
    { name: 'converged: bisect, finite limits and a DLQ', raw: CONVERGED, status: 'pass' },
    {
      name: 'AWS defaults (-1) with a DLQ on the pipe: capped to the defaults 3 and 3600, bisect',
      raw: { DeadLetterConfig: { Arn: OWN_DLQ } },
      status: 'drift',
      changes: {
        OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 3600,
      },
    },
    {
      name: 'no DLQ but the policy names one: the same write sets it with the limits',
      raw: {},
      deadLetter: POLICY_DLQ,
      status: 'drift',
      changes: {
        OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 3600,
        DeadLetterConfig: { Arn: POLICY_DLQ },
      },
    },
    {
      name: 'the pipe’s own DLQ is kept, never replaced by the policy’s',
      raw: { ...CONVERGED, MaximumRetryAttempts: -1 },
      deadLetter: POLICY_DLQ,
      status: 'drift',
      changes: { MaximumRetryAttempts: 3 },
    },
    {
      name: 'no DLQ anywhere: only bisect is written, the limits are withheld (never a cap without a DLQ)',
      raw: {},
      status: 'drift',
      changes: { OnPartialBatchItemFailure: 'AUTOMATIC_BISECT' },
      message: /MaximumRetryAttempts, MaximumRecordAgeInSeconds not lowered.*give the policy a deadLetter/,
    },
    {
      name: 'no DLQ anywhere and bisect already set: a ticket to give the policy a deadLetter, no write',
      raw: { OnPartialBatchItemFailure: 'AUTOMATIC_BISECT', MaximumRecordAgeInSeconds: 60 },
      status: 'ticket',
      message: /MaximumRetryAttempts not lowered.*give the policy a deadLetter/,
    },
    {
      name: 'finite limits but no DLQ and no deadLetter: a ticket (nothing to write)',
      raw: {
        OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        MaximumRetryAttempts: 0,
        MaximumRecordAgeInSeconds: 60,
      },
      status: 'ticket',
      message: /no on-failure destination: the pipe has no DeadLetterConfig/,
    },
    {
      name: 'limits already below the maximum are kept',
      raw: { ...CONVERGED, MaximumRetryAttempts: 1, MaximumRecordAgeInSeconds: 120 },
      status: 'pass',
    },
    {
      name: 'limits above the maximum are lowered',
      raw: { ...CONVERGED, MaximumRetryAttempts: 100, MaximumRecordAgeInSeconds: 604_800 },
      status: 'drift',
      changes: { MaximumRetryAttempts: 3, MaximumRecordAgeInSeconds: 3600 },
    },
  ])('$name', ({ raw, deadLetter, status, changes, message }) => {
    const verdict = planPipeSourceFailureHandling(
      pipe(raw),
      settings(deadLetter ? { deadLetter: { arn: deadLetter } } : {}),
    );
    expect(verdict.status).toBe(status);
    if (message) expect(verdict.message).toMatch(message);
    if (!changes) {
      expect(verdict.actions ?? []).toEqual([]);
      return;
    }
    expect(verdict.actions).toEqual([
      {
        kind: 'UpdatePipe',
        pipeArn: ARN,
        pipeName: 'orders',
        roleArn: ROLE,
        sourceKind: 'kinesis',
        observedSource: { StartingPosition: 'LATEST', BatchSize: 50, ...raw },
        changes,
      },
    ]);
  });

  it('follows the policy’s limits', () => {
    const verdict = planPipeSourceFailureHandling(
      pipe({ DeadLetterConfig: { Arn: OWN_DLQ }, OnPartialBatchItemFailure: 'AUTOMATIC_BISECT' }),
      settings({ maxRetryAttempts: 0, maxRecordAgeSeconds: 60 }),
    );
    expect(verdict.actions?.[0]).toMatchObject({
      changes: { MaximumRetryAttempts: 0, MaximumRecordAgeInSeconds: 60 },
    });
  });

  it.each(['CREATING', 'UPDATING', 'DELETING', 'STARTING', 'STOPPING'])(
    'a pipe that is %s takes no write: busy',
    (state) => {
      const verdict = planPipeSourceFailureHandling(pipe({}, { currentState: state }), settings());
      expect(verdict.status).toBe('busy');
      expect(verdict.actions ?? []).toEqual([]);
    },
  );

  it('a source that is not a Kinesis or DynamoDB stream: skipped', () => {
    const sqs = pipe({}, { sourceArn: 'arn:aws:sqs:us-east-1:123456789012:q', sourceKind: 'sqs' });
    const { streamSource: _, ...withoutStream } = sqs;
    const verdict = planPipeSourceFailureHandling(withoutStream, settings());
    expect(verdict.status).toBe('skipped');
    expect(verdict.actions ?? []).toEqual([]);
  });

  it('a DynamoDB stream source is written as such', () => {
    const dynamo = pipe(
      { DeadLetterConfig: { Arn: OWN_DLQ } },
      {
        sourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000',
        sourceKind: 'dynamodb',
      },
    );
    expect(planPipeSourceFailureHandling(dynamo, settings()).actions?.[0]).toMatchObject({
      sourceKind: 'dynamodb',
    });
  });
});

describe('pipe-source-failure-handling in the read plan and the planner', () => {
  const pipes = policy({
    name: 'pipes',
    enforcement: 'enforce',
    match: { team: 'orders' },
    rules: { 'pipe-source-failure-handling': {} },
  });

  it('lists pipes (ListPipes, DescribePipe) only when a policy’s pipe rule selects pipes:pipe', () => {
    expect(planReads(policySet(pipes)).needsPipes).toBe(true);
    const queues = policy({ name: 'queues', rules: { 'sqs-dlq-retention': {} } });
    expect(planReads(policySet(queues)).needsPipes).toBe(false);
    // Pipes are not asked of the tagging API.
    expect(planReads(policySet(pipes)).selectorQueries).toEqual([]);
  });

  it('plans one finding per selected pipe, with the write; an unselected pipe gets none', () => {
    const selected = pipe({ DeadLetterConfig: { Arn: OWN_DLQ } });
    const other = pipe({}, { arn: `${ARN}-x`, name: 'orders-x', tags: { team: 'billing' } });
    const inv = {
      ...inventory(),
      pipes: new Map([
        [selected.arn, selected],
        [other.arn, other],
      ]),
    };
    const findings = plan(policySet(pipes), inv).findings.filter(
      (f) => f.rule === 'pipe-source-failure-handling',
    );
    expect(findings.map((f) => [f.resource, f.resourceType, f.status])).toEqual([
      [ARN, 'pipes:pipe', 'drift'],
    ]);
    expect(findings[0]?.actions).toMatchObject([{ kind: 'UpdatePipe', pipeName: 'orders' }]);
  });
});
