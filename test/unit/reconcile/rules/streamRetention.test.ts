import { describe, expect, it } from 'vitest';
import type { StreamFacts } from '../../../../src/discovery/inventory.js';
import { planReads } from '../../../../src/discovery/readPlan.js';
import { plan } from '../../../../src/reconcile/plan.js';
import {
  planStreamRetention,
  requiredRetentionHours,
} from '../../../../src/reconcile/rules/streamRetention.js';
import { inventory, policy, policySet } from '../../fixtures.js';

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders-events';
const stream = (retentionHours: number, ages: number[]): StreamFacts => ({
  arn: ARN,
  name: 'orders-events',
  tags: {},
  retentionHours,
  mappings: ages.map((maximumRecordAgeInSeconds, i) => ({ uuid: `m${i}`, maximumRecordAgeInSeconds })),
});

describe('requiredRetentionHours', () => {
  it.each<{ name: string; minHours: number; ages: number[]; want: number }>([
    { name: 'no mappings: minHours', minHours: 24, ages: [], want: 24 },
    { name: 'infinite (-1) asks for nothing', minHours: 24, ages: [-1], want: 24 },
    { name: 'an age below minHours', minHours: 48, ages: [3600], want: 48 },
    { name: 'the largest age, in hours', minHours: 24, ages: [3600, 172_800, -1], want: 48 },
    { name: 'rounded up to the hour', minHours: 24, ages: [172_801], want: 49 },
  ])('$name', ({ minHours, ages, want }) => {
    expect(requiredRetentionHours(stream(24, ages), { minHours })).toBe(want);
  });
});

describe('planStreamRetention (stream-retention)', () => {
  it.each<{ name: string; hours: number; minHours: number; ages: number[]; status: string; to?: number }>([
    { name: 'enough already', hours: 24, minHours: 24, ages: [-1, 3600], status: 'pass' },
    { name: 'longer than needed: never decreased', hours: 72, minHours: 24, ages: [172_800], status: 'pass' },
    {
      name: 'a mapping retries 48 h on a 24 h stream',
      hours: 24,
      minHours: 24,
      ages: [172_800],
      status: 'drift',
      to: 48,
    },
    { name: 'below the policy minimum', hours: 24, minHours: 168, ages: [], status: 'drift', to: 168 },
    {
      name: 'the mapping, not the minimum, decides',
      hours: 24,
      minHours: 36,
      ages: [172_800],
      status: 'drift',
      to: 48,
    },
  ])('$name', ({ hours, minHours, ages, status, to }) => {
    const verdict = planStreamRetention(stream(hours, ages), { minHours });
    expect(verdict.status).toBe(status);
    if (to === undefined) {
      expect(verdict.actions ?? []).toEqual([]);
      return;
    }
    expect(verdict.desired).toEqual({ retentionHours: to });
    expect(verdict.actions).toEqual([
      {
        kind: 'IncreaseStreamRetentionPeriod',
        streamArn: ARN,
        streamName: 'orders-events',
        observedHours: hours,
        retentionHours: to,
      },
    ]);
  });

  it('past what Kinesis can keep (8760 h): a ticket, no write', () => {
    // Lambda caps record age at 7 days, so only a malformed answer gets here; it must not write.
    const verdict = planStreamRetention(stream(24, [9000 * 3600]), { minHours: 24 });
    expect(verdict.status).toBe('ticket');
    expect(verdict.actions ?? []).toEqual([]);
  });
});

describe('stream-retention in the read plan and the planner', () => {
  const streams = policy({
    name: 'streams',
    enforcement: 'enforce',
    match: { team: 'orders' },
    rules: { 'stream-retention': { minHours: 48 } },
  });

  it('lists streams (ListStreams, ListTagsForStream) only when a policy selects kinesis:stream', () => {
    expect(planReads(policySet(streams)).needsStreams).toBe(true);
    const queues = policy({ name: 'queues', rules: { 'sqs-dlq-retention': {} } });
    expect(planReads(policySet(queues)).needsStreams).toBe(false);
    // Streams are not asked of the tagging API.
    expect(planReads(policySet(streams)).selectorQueries).toEqual([]);
  });

  it('plans one finding per selected stream, with the write', () => {
    const selected = { ...stream(24, [-1]), tags: { team: 'orders' } };
    const other = { ...stream(24, []), arn: `${ARN}-x`, name: 'orders-events-x', tags: { team: 'billing' } };
    const inv = {
      ...inventory(),
      streams: new Map([
        [selected.arn, selected],
        [other.arn, other],
      ]),
    };
    const findings = plan(policySet(streams), inv).findings.filter((f) => f.rule === 'stream-retention');
    expect(findings.map((f) => [f.resource, f.resourceType, f.status])).toEqual([
      [ARN, 'kinesis:stream', 'drift'],
    ]);
    expect(findings[0]?.actions).toMatchObject([
      { kind: 'IncreaseStreamRetentionPeriod', retentionHours: 48 },
    ]);
  });
});
