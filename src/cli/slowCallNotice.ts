/**
 * On a terminal, a command waiting on a slow endpoint says so within seconds: with the SDK's
 * retries and timeouts a blackholed endpoint can keep a command silent for minutes, which looks
 * like a hang. Off a terminal nothing is printed (the logs and the exit code tell CI).
 */
import type { CallCounter, CallInFlight } from '../aws/callCounter.js';

/** Runs `tick` every `ms` until the function returned is called. */
export type Ticker = (ms: number, tick: () => void) => () => void;

export interface SlowCallNoticeOptions {
  /** Where the notice goes: the command's stderr. */
  write: (text: string) => void;
  /** Whether stderr is a terminal: nothing is watched otherwise. */
  isTerminal: boolean;
  /** The first notice, after a call has waited this long. */
  afterMs?: number;
  /** Further notices while calls still wait, at most this often. */
  repeatMs?: number;
  now?: () => number;
  ticker?: Ticker;
}

/** The default ticker: an unref'd interval, so that it never keeps the process alive. */
const intervalTicker: Ticker = (ms, tick) => {
  const handle = setInterval(tick, ms);
  handle.unref();
  return () => clearInterval(handle);
};

/** `sqs.us-east-1` from `https://sqs.us-east-1.amazonaws.com/`; an emulator's host:port as it is. */
export function endpointName(call: Pick<CallInFlight, 'service' | 'endpoint'>): string {
  const endpoint = call.endpoint();
  if (!endpoint) return call.service;
  try {
    return new URL(endpoint).host.replace(/\.amazonaws\.com(\.cn)?$/, '');
  } catch {
    return endpoint;
  }
}

/** The notice for the call waiting longest, and how many others wait with it. */
export function slowCallText(call: CallInFlight, waitedMs: number, others: number): string {
  const more = others > 0 ? ` (and ${others} more call${others === 1 ? '' : 's'})` : '';
  return `edaguard: waiting on ${endpointName(call)} (${call.service} ${call.operation}) for ${Math.floor(waitedMs / 1000)} s…${more}\n`;
}

/** Watches the counter's calls in flight and writes a notice when one waits too long. */
export function watchSlowCalls(counter: CallCounter, options: SlowCallNoticeOptions): void {
  if (!options.isTerminal) return;
  const afterMs = options.afterMs ?? 3_000;
  const repeatMs = options.repeatMs ?? 10_000;
  const now = options.now ?? Date.now;
  const ticker = options.ticker ?? intervalTicker;
  const inFlight = new Map<object, { call: CallInFlight; startedAt: number }>();
  let stop: (() => void) | undefined;
  let lastNoticeAt: number | undefined;
  const tick = () => {
    const t = now();
    let oldest: { call: CallInFlight; startedAt: number } | undefined;
    for (const entry of inFlight.values()) if (!oldest || entry.startedAt < oldest.startedAt) oldest = entry;
    if (!oldest || t - oldest.startedAt < afterMs) return;
    if (lastNoticeAt !== undefined && t - lastNoticeAt < repeatMs) return;
    lastNoticeAt = t;
    options.write(slowCallText(oldest.call, t - oldest.startedAt, inFlight.size - 1));
  };
  counter.watchInFlight((call) => {
    const key = {};
    inFlight.set(key, { call, startedAt: now() });
    // The ticker runs only while calls are in flight: nothing to stop when the command ends.
    stop ??= ticker(Math.min(1_000, afterMs), tick);
    return () => {
      inFlight.delete(key);
      if (inFlight.size === 0) {
        stop?.();
        stop = undefined;
      }
    };
  });
}
