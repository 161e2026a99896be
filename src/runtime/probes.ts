import type { CycleRecord } from './cycleRunner.js';
import type { Probe } from './httpServer.js';

/** A part of the readiness probe: whether it is ready, and what it shows. */
export type ProbePart = { ok: boolean; [key: string]: unknown };

/**
 * Alive unless a cycle has run more than twice the cycle timeout: the timeout aborts a cycle
 * between findings, so a cycle that long is stuck in a call and only a restart frees it.
 */
export function livenessProbe(input: {
  phase: string;
  busyMs: number | undefined;
  cycleTimeoutMs: number;
}): Probe {
  const stuckAfterMs = 2 * input.cycleTimeoutMs;
  if (input.busyMs !== undefined && input.busyMs > stuckAfterMs) {
    return {
      ok: false,
      details: {
        reason: `a cycle has run ${Math.round(input.busyMs / 1000)} s, more than twice the cycle timeout: restart`,
      },
    };
  }
  return { ok: true, details: { phase: input.phase } };
}

/** The readiness probe's `cycles` part: not ready after `threshold` failed cycles in a row. */
export function cyclesReadiness(
  consecutiveFailures: number,
  threshold: number,
  last: CycleRecord | undefined,
): ProbePart {
  return {
    ok: consecutiveFailures < threshold,
    consecutiveFailures,
    threshold,
    ...(last ? { last: { outcome: last.outcome, finishedAt: last.finishedAt.toISOString() } } : {}),
  };
}

/** Ready while running with valid policies, cycles that succeed, and a lease that can be checked. */
export function readinessProbe(input: {
  phase: string;
  leader: boolean;
  policies: ProbePart;
  cycles: ProbePart;
  lease: ProbePart;
}): Probe {
  const { phase, leader, policies, cycles, lease } = input;
  const ok = phase === 'running' && policies.ok && cycles.ok && lease.ok;
  return { ok, details: { phase, leader, policies, cycles, lease } };
}
