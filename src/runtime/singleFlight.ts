/**
 * At most one run at a time. A trigger while a run is in progress is not queued: it is skipped
 * and reported, because the run in progress (and the next scheduled one) already reads the world
 * afresh; queuing would only stack cycles behind a slow one.
 */
export type SkipReason = 'overlap' | 'closed';

export interface SingleFlightHooks<T extends string> {
  onSkip?: (reason: SkipReason, trigger: T) => void;
  /** A run that threw; the flight stays usable. */
  onError?: (error: unknown, trigger: T) => void;
}

export class SingleFlight<T extends string = string> {
  private current: Promise<void> | undefined;
  private startedAt: number | undefined;
  private closed = false;

  constructor(
    private readonly run: (trigger: T) => Promise<void>,
    private readonly hooks: SingleFlightHooks<T> = {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts a run unless one is in progress or the flight is closed; says whether it started. */
  trigger(trigger: T): boolean {
    if (this.closed) {
      this.hooks.onSkip?.('closed', trigger);
      return false;
    }
    if (this.current) {
      this.hooks.onSkip?.('overlap', trigger);
      return false;
    }
    this.startedAt = this.now();
    this.current = (async () => {
      try {
        await this.run(trigger);
      } catch (error) {
        this.hooks.onError?.(error, trigger);
      } finally {
        this.current = undefined;
        this.startedAt = undefined;
      }
    })();
    return true;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Milliseconds the run in progress has taken so far; undefined when idle. */
  busyFor(): number | undefined {
    return this.startedAt === undefined ? undefined : this.now() - this.startedAt;
  }

  /** No new run starts after this; the one in progress continues. */
  close(): void {
    this.closed = true;
  }

  /** Resolves when no run is in progress (immediately when idle). Never rejects. */
  async idle(): Promise<void> {
    while (this.current) await this.current;
  }
}
