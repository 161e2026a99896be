import { createHash } from 'node:crypto';
import type { LeaseRecord } from './leaseRecord.js';

/**
 * Pure: how many target leases this replica should hold, and which to take or give back. As the
 * Kinesis Client Library shares shards: every replica computes the same quotas from the same
 * list of live replicas (⌊targets ÷ replicas⌋ each, one more for the first `targets mod
 * replicas` of them in a ranking), so the quotas add up to the number of targets and none exceeds
 * ⌈targets ÷ replicas⌉. A replica over its quota releases leases (idle ones first); one under it
 * takes free ones (never held, released, or expired). Which lease a replica prefers is
 * rendezvous hashing of (replica, target): stable while the membership is, so that a join or a
 * leave moves about the fewest targets, and replicas racing for free leases mostly want
 * different ones.
 */
export interface ShareInput {
  /** Ids (`<account>/<region>`) of every target the deployment governs. */
  readonly targets: readonly string[];
  /** Holder ids of the live replicas, this one included. */
  readonly replicas: readonly string[];
  readonly me: string;
  /** The lease items as last read, by target id (absent: never acquired). */
  readonly leases: ReadonlyMap<string, LeaseRecord>;
  /** Targets whose lease this replica holds. */
  readonly held: ReadonlySet<string>;
  /** Targets whose cycle is running here: released last. */
  readonly busy: ReadonlySet<string>;
  /** Wall clock, epoch ms. */
  readonly now: number;
}

export interface ShareDecision {
  /** This replica's quota. */
  readonly share: number;
  /** Free leases to try to acquire, preferred first. */
  readonly acquire: string[];
  /** Leases to give back: targets no longer governed, then the surplus over the quota. */
  readonly release: string[];
}

/** Rendezvous score: the higher, the more `replica` should own `target`. */
export function affinity(replica: string, target: string): number {
  return createHash('sha256').update(`${replica}\u0000${target}`).digest().readUInt32BE(0);
}

/** The quota of `me` among `replicas` (sorted the same way by every replica) for `targets` targets. */
export function quotaOf(targets: number, replicas: readonly string[], me: string): number {
  const ranked = [...new Set([...replicas, me])].sort();
  const base = Math.floor(targets / ranked.length);
  const extra = targets % ranked.length;
  return base + (ranked.indexOf(me) < extra ? 1 : 0);
}

const isFree = (lease: LeaseRecord | undefined, now: number) => !lease || lease.expiresAt < now;

export function planTargetShare(input: ShareInput): ShareDecision {
  const { targets, me, held, busy, leases, now } = input;
  const governed = new Set(targets);
  const share = quotaOf(targets.length, input.replicas, me);
  const byAffinity = (a: string, b: string) => affinity(me, b) - affinity(me, a) || (a < b ? -1 : 1);
  const stale = [...held].filter((t) => !governed.has(t)).sort();
  const kept = [...held].filter((t) => governed.has(t));
  const release = [...stale];
  if (kept.length > share) {
    // Idle ones first, then those this replica is least suited to.
    const order = kept.sort((a, b) => Number(busy.has(a)) - Number(busy.has(b)) || byAffinity(b, a));
    release.push(...order.slice(0, kept.length - share));
  }
  const room = Math.max(0, share - kept.length);
  const acquire =
    room === 0
      ? []
      : targets
          .filter((t) => !held.has(t) && isFree(leases.get(t), now))
          .sort(byAffinity)
          .slice(0, room);
  return { share, acquire, release };
}
