import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import type { LeaseClock } from './leaseClock.js';
import type { LeaseTarget } from './leaseRecord.js';

/** How one replica holds one target's lease (see lease.ts for the protocol). */
export interface LeaseOptions {
  dynamodb: DynamoDBClient;
  table: string;
  target: LeaseTarget;
  holderId: string;
  durationMs: number;
  renewIntervalMs: number;
  logger: Logger;
  /**
   * Replicas' clocks may differ by this much: the leader stops trusting its lease this long before
   * it expires, and a write needs at least this much time left on it. Default: min(2 s, 10 %).
   */
  skewMs?: number;
  /** Deadline of one lease call, its attempts together. Default: half the renew interval. */
  callTimeoutMs?: number;
  clock?: LeaseClock;
  onAcquired?: (fencingToken: number) => void;
  onLost?: (reason: string) => void;
}
