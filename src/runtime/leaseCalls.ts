import { isConditionFailure } from './leaseCommands.js';

/**
 * Whether the state table answers lease calls: once two in a row went unanswered (one slow call is
 * not an outage), the replica is not ready until one is answered.
 */
export interface LeaseHealth {
  readonly reachable: boolean;
  /** Since when lease calls have failed (ISO time), and the last error. */
  readonly failingSince?: string;
  readonly lastError?: string;
}

/**
 * Runs the lease's calls to DynamoDB, each within its own deadline (an abort signal, all attempts
 * together), and keeps track of whether the table answers. Any answer (a failed condition
 * included) shows it reachable; anything else marks it unreachable until the next answer.
 */
const UNREACHABLE_AFTER = 2;

export class LeaseCalls {
  /** The first of the calls failing in a row, how many, and the last error. */
  private failing: { since: Date; count: number; error: string } | undefined;

  constructor(
    readonly timeoutMs: number,
    private readonly wallClock: () => number,
  ) {}

  async run<T>(send: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      const out = await send({ abortSignal: AbortSignal.timeout(this.timeoutMs) });
      this.failing = undefined;
      return out;
    } catch (error) {
      if (isConditionFailure(error)) {
        this.failing = undefined;
      } else {
        const e = error as { name?: string; message?: string };
        const why = e.name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : e.message;
        this.failing = {
          since: this.failing?.since ?? new Date(this.wallClock()),
          count: (this.failing?.count ?? 0) + 1,
          error: `${e.name ?? 'Error'}: ${why ?? String(error)}`.slice(0, 300),
        };
      }
      throw error;
    }
  }

  /** The last call's error while calls fail; undefined once one is answered. */
  get lastError(): string | undefined {
    return this.failing?.error;
  }

  health(): LeaseHealth {
    if (!this.failing || this.failing.count < UNREACHABLE_AFTER) return { reachable: true };
    return {
      reachable: false,
      failingSince: this.failing.since.toISOString(),
      lastError: this.failing.error,
    };
  }
}
