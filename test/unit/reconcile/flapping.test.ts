import { describe, expect, it } from 'vitest';
import { findingsToFix, guardFlapping } from '../../../src/reconcile/flapping.js';
import { type Finding, findingKey, type Plan } from '../../../src/reconcile/model.js';
import { MemoryFixHistoryStore } from '../../../src/state/fixHistory.js';
import { arnOf, TARGET } from '../fixtures.js';

const drift = (name: string, overrides: Partial<Finding> = {}): Finding => ({
  resource: arnOf(name),
  resourceType: 'sqs:queue',
  policy: 'orders',
  rule: 'sqs-visibility-timeout',
  status: 'drift',
  observed: { visibilityTimeout: 30 },
  desired: { visibilityTimeout: 360 },
  message: '30 s < 360 s',
  enforcement: 'enforce',
  actions: [
    {
      kind: 'SetQueueAttributes',
      queueArn: arnOf(name),
      queueUrl: `u/${name}`,
      attributes: { VisibilityTimeout: '360' },
    },
  ],
  ...overrides,
});
const planOf = (...findings: Finding[]): Plan => ({ target: TARGET, findings });
const NOW = Date.parse('2026-11-27T12:00:00Z');
const HOUR = 3_600_000;
const SETTINGS = { maxFixes: 3, windowSeconds: 86_400 };

describe('guardFlapping', () => {
  it.each([
    { fixes: [], flapping: false, why: 'never fixed' },
    { fixes: [NOW - HOUR, NOW - 2 * HOUR], flapping: false, why: 'two fixes: below the limit' },
    { fixes: [NOW - HOUR, NOW - 2 * HOUR, NOW - 3 * HOUR], flapping: true, why: 'three fixes in the window' },
    {
      fixes: [NOW - HOUR, NOW - 2 * HOUR, NOW - 25 * HOUR],
      flapping: false,
      why: 'one of three outside the window',
    },
    {
      fixes: [NOW - 24 * HOUR, NOW - HOUR, NOW - 2 * HOUR],
      flapping: true,
      why: 'exactly at the window edge counts',
    },
  ])('$why → flapping=$flapping', ({ fixes, flapping }) => {
    const finding = drift('orders');
    const [out] = guardFlapping(
      planOf(finding),
      new Map([[findingKey(finding), fixes]]),
      NOW,
      SETTINGS,
    ).findings;
    if (flapping) {
      expect(out).toMatchObject({ status: 'ticket', actions: [] });
      expect(out?.message).toMatch(/^flapping: fixed 3 times in the last 86400 s/);
      expect(out?.message).toContain('Was: 30 s < 360 s');
    } else {
      expect(out).toBe(finding);
    }
  });

  it('never touches audit findings, findings without writes, or other statuses', () => {
    const many = [NOW, NOW, NOW, NOW];
    const findings = [
      drift('a', { enforcement: 'audit' }),
      drift('b', { actions: [] }),
      drift('c', { status: 'pass' }),
      drift('d', { status: 'ticket', actions: [] }),
    ];
    const history = new Map(findings.map((f) => [findingKey(f), many]));
    expect(guardFlapping(planOf(...findings), history, NOW, SETTINGS).findings).toEqual(findings);
    expect(findingsToFix(planOf(...findings))).toEqual([]);
  });

  it('findingsToFix: the enforced drift with writes', () => {
    const fix = drift('a');
    expect(findingsToFix(planOf(fix, drift('b', { enforcement: 'audit' })))).toEqual([fix]);
  });
});

describe('MemoryFixHistoryStore', () => {
  it('records fixes per target and key, and forgets those outside the window', async () => {
    const store = new MemoryFixHistoryStore();
    await store.record(TARGET, ['k1'], NOW - 2 * 86_400_000, 86_400);
    await store.record(TARGET, ['k1', 'k2'], NOW, 86_400);
    const other = { ...TARGET, region: 'eu-west-1' };
    await store.record(other, ['k1'], NOW, 86_400);
    const loaded = await store.load(TARGET, ['k1', 'k2', 'k3']);
    expect(Object.fromEntries(loaded)).toEqual({ k1: [NOW], k2: [NOW] });
  });
});
