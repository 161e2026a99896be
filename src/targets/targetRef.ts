/** One governed target: an account in a region, written `<account>/<region>` everywhere. */
import type { Target } from '../discovery/inventory.js';
import { ConfigError } from '../errors.js';

export interface TargetRef {
  readonly accountId: string;
  readonly region: string;
}

export const targetId = (t: TargetRef): string => `${t.accountId}/${t.region}`;

/** The partition a region belongs to (the role ARN and the report's target need it). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export const toTarget = (t: TargetRef): Target => ({
  partition: partitionOf(t.region),
  accountId: t.accountId,
  region: t.region,
});

/** Every listed account in every region, each once, in the order given. */
export function crossTargets(accounts: readonly string[], regions: readonly string[]): TargetRef[] {
  const ids = new Set<string>();
  const out: TargetRef[] = [];
  for (const accountId of accounts)
    for (const region of regions) {
      const ref = { accountId, region };
      if (ids.has(targetId(ref))) continue;
      ids.add(targetId(ref));
      out.push(ref);
    }
  return out;
}

/**
 * The targets `--target ACCOUNT/REGION` (repeatable) keeps; none given: all of them. An unknown
 * or malformed one is bad input (exit 2) that lists the known targets.
 */
export function selectTargets(all: readonly TargetRef[], wanted: readonly string[] | undefined): TargetRef[] {
  if (!wanted || wanted.length === 0) return [...all];
  const known = new Map(all.map((t) => [targetId(t), t]));
  const unknown = wanted.filter((w) => !known.has(w.trim()));
  if (unknown.length > 0)
    throw new ConfigError(
      `--target: unknown target(s) ${unknown.map((u) => `"${u}"`).join(', ')}; known targets: ${[...known.keys()].join(', ') || 'none'}`,
    );
  const chosen = new Set(wanted.map((w) => w.trim()));
  return all.filter((t) => chosen.has(targetId(t)));
}

/** `--target-concurrency` (or EDAGUARD_TARGET_CONCURRENCY): 1 to 64, default 4. */
export function parseTargetConcurrency(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  const source = flag !== undefined ? '--target-concurrency' : 'EDAGUARD_TARGET_CONCURRENCY';
  const raw = flag ?? (env.EDAGUARD_TARGET_CONCURRENCY || undefined);
  if (raw === undefined) return 4;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > 64)
    throw new ConfigError(`${source}: must be an integer from 1 to 64, got "${raw}"`);
  return value;
}
