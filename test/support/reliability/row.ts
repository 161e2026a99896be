/**
 * One row of docs/reliability.md: what a reliability scenario did and what it left behind.
 * Fault-injection and crash scenarios both report in this shape, so one table shows them.
 */
export interface ReliabilityRow {
  /** e.g. `throttling`, `5xx`, `slow responses`, `dropped connections`, `mixed`, `SIGKILL during apply`. */
  readonly fault: string;
  /** e.g. `20 %`, `50 %`, or for crashes `30 kill points`. */
  readonly rate: string;
  /** Drifted resources seeded for the scenario. */
  readonly resources: number;
  /** Cycles until a cycle planned no drift (worst case over runs, for repeated scenarios). */
  readonly cyclesToConverge: number;
  /** Writes that reached the emulator (counted at the proxy), over all cycles. */
  readonly writes: number;
  /** Duplicate DLQs, alarms or destinations found at the end (must be 0). */
  readonly duplicates: number;
  /** Writes acknowledged by AWS but absent or reverted at the end, or audited writes missing (must be 0). */
  readonly lostUpdates: number;
  /** Writes outside the policy selection (must be 0). */
  readonly outsideSelection: number;
  readonly converged: boolean;
  /** Fault scenarios: the first cycle (1-based) that converged. */
  readonly convergedAtCycle?: number;
  /** Fault scenarios: the first cycle (1-based) that exited 0 (nothing drifted, failed or unreadable). */
  readonly firstCleanExitCycle?: number;
  readonly wallSeconds: number;
  readonly notes?: string;
}
