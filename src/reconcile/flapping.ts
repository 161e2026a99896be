import { type Finding, findingKey, type Plan } from './model.js';

export interface FlappingSettings {
  /** Fixes of one (resource, rule) allowed within the window; the next one becomes a ticket. */
  maxFixes: number;
  windowSeconds: number;
}

/** Findings whose writes would run this cycle: the only ones whose fix history matters. */
export function findingsToFix(plan: Plan): Finding[] {
  return plan.findings.filter(
    (f) => f.status === 'drift' && f.actions.length > 0 && f.enforcement === 'enforce',
  );
}

/**
 * When edaguard has fixed the same (resource, rule) maxFixes times within the window, something
 * else (Terraform, CloudFormation, a person) keeps reverting it: stop fixing, open a ticket.
 * Pure: `history` holds the past fix times (epoch ms) by finding key.
 */
export function guardFlapping(
  plan: Plan,
  history: ReadonlyMap<string, readonly number[]>,
  nowMs: number,
  settings: FlappingSettings,
): Plan {
  const since = nowMs - settings.windowSeconds * 1000;
  const findings = plan.findings.map((f) => {
    if (f.status !== 'drift' || f.actions.length === 0 || f.enforcement !== 'enforce') return f;
    const recent = (history.get(findingKey(f)) ?? []).filter((t) => t >= since);
    if (recent.length < settings.maxFixes) return f;
    return {
      ...f,
      status: 'ticket' as const,
      actions: [],
      message: `flapping: fixed ${recent.length} times in the last ${settings.windowSeconds} s and reverted each time (Terraform, CloudFormation or a person?): edaguard stops fixing it; make the owner of this setting agree with the policy. Was: ${f.message}`,
    };
  });
  return { ...plan, findings };
}
