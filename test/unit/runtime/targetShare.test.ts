import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../src/runtime/leaseRecord.js';
import { planTargetShare, quotaOf } from '../../../src/runtime/targetShare.js';

const targets = (n: number) => Array.from({ length: n }, (_, i) => `11111111111${i % 10}/region-${i}`);
const NOW = 1_000_000;
const held = (holder: string, expiresAt = NOW + 30_000): LeaseRecord => ({
  holder,
  fencingToken: 1,
  expiresAt,
});

/**
 * A pure simulation of the lease table: each round, every replica (in turn) renews what it holds,
 * then releases and acquires as planTargetShare says, acquisitions succeeding only on free leases
 * (as the conditional UpdateItem does).
 */
function simulate(all: string[], replicas: string[], table: Map<string, LeaseRecord>, rounds: number) {
  for (let round = 0; round < rounds; round += 1) {
    for (const me of replicas) {
      const mine = new Set(
        [...table].filter(([, r]) => r.holder === me && r.expiresAt >= NOW).map(([t]) => t),
      );
      const decision = planTargetShare({
        targets: all,
        replicas,
        me,
        leases: table,
        held: mine,
        busy: new Set(),
        now: NOW,
      });
      for (const t of decision.release) table.set(t, { holder: me, fencingToken: 1, expiresAt: 0 });
      for (const t of decision.acquire) {
        const lease = table.get(t);
        if (!lease || lease.expiresAt < NOW) table.set(t, held(me));
      }
    }
  }
  const count = new Map(replicas.map((r) => [r, 0]));
  for (const [, r] of table) if (r.expiresAt >= NOW) count.set(r.holder, (count.get(r.holder) ?? 0) + 1);
  return count;
}

describe('planTargetShare', () => {
  it('quotas add up to the targets and none exceeds ⌈targets ÷ replicas⌉', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 12 }), (t, n) => {
        const replicas = Array.from({ length: n }, (_, i) => `replica-${i}`);
        const quotas = replicas.map((r) => quotaOf(t, replicas, r));
        expect(quotas.reduce((a, b) => a + b, 0)).toBe(t);
        for (const q of quotas) expect(q).toBeLessThanOrEqual(Math.ceil(t / n));
      }),
    );
  });

  it('a replica under its quota takes free, released and expired leases, never a live one', () => {
    const all = targets(4);
    const leases = new Map<string, LeaseRecord>([
      [all[0] as string, held('b')],
      [all[1] as string, { holder: 'b', fencingToken: 3, expiresAt: 0 }],
      [all[2] as string, { holder: 'c', fencingToken: 2, expiresAt: NOW - 1 }],
    ]);
    const decision = planTargetShare({
      targets: all,
      replicas: ['a'],
      me: 'a',
      leases,
      held: new Set(),
      busy: new Set(),
      now: NOW,
    });
    expect(decision.share).toBe(4);
    expect(decision.acquire.sort()).toEqual([all[1], all[2], all[3]].sort());
    expect(decision.release).toEqual([]);
  });

  it('over its quota, a replica gives back idle targets first; a target no longer governed always', () => {
    const all = targets(4);
    const decision = planTargetShare({
      targets: all,
      replicas: ['a', 'b'],
      me: 'a',
      leases: new Map(),
      held: new Set([...all, 'gone/us-east-1']),
      busy: new Set([all[0] as string, all[1] as string]),
      now: NOW,
    });
    expect(decision.share).toBe(2);
    expect(decision.release[0]).toBe('gone/us-east-1');
    expect(decision.release.slice(1).sort()).toEqual([all[2], all[3]].sort());
    expect(decision.acquire).toEqual([]);
  });

  it('three replicas share six targets two each; a fourth joining gets its share; a leaver’s targets are taken over', () => {
    const all = targets(6);
    const table = new Map<string, LeaseRecord>();
    expect([...simulate(all, ['a', 'b', 'c'], table, 2).values()]).toEqual([2, 2, 2]);
    // Join: one round for the others to give back, one for the newcomer to take.
    const joined = simulate(all, ['a', 'b', 'c', 'd'], table, 2);
    expect([...joined.values()].sort()).toEqual([1, 1, 2, 2]);
    expect(joined.get('d')).toBeGreaterThanOrEqual(1);
    // Leave: c's leases expire; the others take them up to their new quotas.
    for (const [t, r] of table) if (r.holder === 'c') table.set(t, { ...r, expiresAt: NOW - 1 });
    const left = simulate(all, ['a', 'b', 'd'], table, 1);
    expect([...left.values()]).toEqual([2, 2, 2]);
    // Every target is held, by exactly one replica.
    expect([...table.values()].filter((r) => r.expiresAt >= NOW)).toHaveLength(6);
  });

  it('any membership converges: every target held once, nobody over ⌈targets ÷ replicas⌉', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 8 }), (t, n) => {
        const all = targets(t);
        const replicas = Array.from({ length: n }, (_, i) => `r${i}`);
        const counts = simulate(all, replicas, new Map(), 2);
        expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(t);
        for (const c of counts.values()) expect(c).toBeLessThanOrEqual(Math.ceil(t / n));
      }),
    );
  });
});
