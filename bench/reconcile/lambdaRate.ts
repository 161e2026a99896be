/** How fast Lambda requests went in a phase, against the rate limit. */
import type { PhaseResult } from './measure.js';

/** The most timestamps in any window [t, t + windowMs), and where that window starts. */
function maxInWindow(times: readonly number[], windowMs = 1000): { count: number; from: number } {
  const t = [...times].sort((a, b) => a - b);
  let best = { count: 0, from: 0 };
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while ((t[i] as number) - (t[j] as number) >= windowMs) j++;
    if (i - j + 1 > best.count) best = { count: i - j + 1, from: t[j] as number };
  }
  return best;
}

export interface LambdaRate {
  calls: number;
  requests: number;
  wallMs: number;
  /** First Lambda request start to last Lambda request end. */
  spanMs: number;
  firstStartMs: number;
  maxStarted: { count: number; from: number };
  /** The same over 0.9 s: a burst that also shows here is not a matter of timer jitter at 1 s. */
  maxStartedShort: { count: number; from: number };
  maxCompleted: { count: number; from: number };
  /** Starts in each whole second of the phase, to show the shape of the limiter's windows. */
  perSecond: number[];
  /** Whole seconds in which Lambda requests started and no other service's did. */
  lambdaOnlySeconds: number;
}

export function lambdaRate(result: PhaseResult<unknown>): LambdaRate {
  const lambda = result.requests.filter((r) => r.service === 'Lambda');
  const starts = lambda.map((r) => r.start);
  const first = starts.length > 0 ? Math.min(...starts) : 0;
  const last = lambda.length > 0 ? Math.max(...lambda.map((r) => r.end)) : 0;
  const perSecond = Array.from({ length: Math.ceil(result.wallMs / 1000) }, () => 0);
  for (const s of starts) {
    const i = Math.floor(s / 1000);
    perSecond[i] = (perSecond[i] ?? 0) + 1;
  }
  const otherSeconds = new Set(
    result.requests.filter((r) => r.service !== 'Lambda').map((r) => Math.floor(r.start / 1000)),
  );
  const lambdaOnlySeconds = perSecond.filter((n, i) => n > 0 && !otherSeconds.has(i)).length;
  return {
    calls: result.calls.filter((c) => c.service === 'Lambda').reduce((s, c) => s + c.count, 0),
    requests: lambda.length,
    wallMs: result.wallMs,
    spanMs: last - first,
    firstStartMs: first,
    maxStarted: maxInWindow(starts),
    maxStartedShort: maxInWindow(starts, 900),
    maxCompleted: maxInWindow(result.lambdaCompletions),
    perSecond,
    lambdaOnlySeconds,
  };
}
