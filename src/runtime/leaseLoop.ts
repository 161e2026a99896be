/**
 * The lease's background loop: runs one step (acquire or renew), then waits as long as the step
 * asks before the next one, until stopped. One step at a time; stop() waits for the step in flight.
 */
export class LeaseLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;

  /** `step` returns the wait before the next step, in milliseconds. */
  constructor(private readonly step: () => Promise<number>) {}

  /** True from start() until stop(). */
  get active(): boolean {
    return this.started;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.running = this.step()
        .then((next) => this.schedule(next))
        .finally(() => {
          this.running = undefined;
        });
    }, delayMs);
  }
}
