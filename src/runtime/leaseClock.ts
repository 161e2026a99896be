/** The two clocks of the lease (tests replace them). */
export interface LeaseClock {
  /** Wall-clock epoch ms: what is written to and compared with `expiresAt`. */
  wall(): number;
  /** Monotonic ms: how long this replica itself trusts its lease. */
  monotonic(): number;
}

export const systemClock: LeaseClock = { wall: () => Date.now(), monotonic: () => performance.now() };
