import type { LeaseClock } from './leaseClock.js';

/**
 * What this replica believes of its own lease, by its monotonic clock: the token it holds and until
 * when it trusts it (the expiry minus the skew margin, counted from when the call that set it was
 * sent), and who is told when it stops leading. LeaderLease makes the DynamoDB calls that change it.
 */
export class LeaseTrust {
  private token: number | undefined;
  /** Monotonic ms until which this replica trusts its lease. */
  private validUntil = 0;
  private readonly lossListeners = new Set<(reason: string) => void>();

  constructor(
    protected readonly clock: LeaseClock,
    /** How long an acquisition or renewal is trusted: the lease's duration minus the skew margin. */
    private readonly trustMs: number,
    private readonly onLost?: (reason: string) => void,
  ) {}

  /** The token of the lease this replica holds, while it trusts it. */
  get fencingToken(): number | undefined {
    return this.isLeader() ? this.token : undefined;
  }

  /** True while this replica holds the lease by its own (monotonic) clock. */
  isLeader(): boolean {
    return this.token !== undefined && this.clock.monotonic() < this.validUntil;
  }

  /**
   * How much longer this replica trusts the lease it holds with `token` (0: not at all): the
   * window of a write attempt in flight, extended by every renewal.
   */
  trustedWindowMs(token: number): number {
    return Math.max(0, this.trustedUntil(token) - this.clock.monotonic());
  }

  /** Calls `listener` each time this replica stops leading. Returns a function that unsubscribes. */
  whenLost(listener: (reason: string) => void): () => void {
    this.lossListeners.add(listener);
    return () => this.lossListeners.delete(listener);
  }

  /** The token held, trusted or not (undefined: this replica holds no lease). */
  protected get heldToken(): number | undefined {
    return this.token;
  }

  /** Until when (monotonic ms) the lease held with `token` is trusted; 0 for any other token. */
  protected trustedUntil(token: number): number {
    return this.token === token ? this.validUntil : 0;
  }

  /** An acquisition (or renewal, same token) sent at monotonic time `sentAt` succeeded. */
  protected hold(token: number, sentAt: number): void {
    this.token = token;
    this.validUntil = sentAt + this.trustMs;
  }

  /** Stops trusting the lease. Returns the token that was held, if any. */
  protected drop(): number | undefined {
    const token = this.token;
    this.token = undefined;
    this.validUntil = 0;
    return token;
  }

  /** Tells the owner and every listener that this replica stopped leading. */
  protected announceLoss(reason: string): void {
    this.onLost?.(reason);
    for (const listener of this.lossListeners) listener(reason);
  }
}
