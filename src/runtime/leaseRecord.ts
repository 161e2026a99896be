import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { declaredTargets } from '../apply/handlers/index.js';
import { parseArn } from '../aws/arn.js';
import { WriteRefusedError } from '../aws/writeFence.js';

/** The pure parts of the lease: its key, its item, its errors, and which targets a write names. */
export interface LeaseTarget {
  readonly accountId: string;
  readonly region: string;
}

export const leaseKey = (target: LeaseTarget) => `lease#${target.accountId}/${target.region}`;

export interface LeaseRecord {
  readonly holder: string;
  readonly fencingToken: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** This replica does not hold the lease (any more), or not for long enough: the write is refused. */
export class LeaseLostError extends WriteRefusedError {
  constructor(message: string) {
    super('LEASE_LOST', message);
  }
}

/** The check before a write could not be made (DynamoDB unreachable): fail closed. */
export class LeaseUnverifiedError extends WriteRefusedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LEASE_UNVERIFIED', message, options);
  }
}

/** Pure: a lease item (DynamoDB attribute values) as a record; undefined when it is not one. */
export function parseLeaseItem(item: Record<string, AttributeValue> | undefined): LeaseRecord | undefined {
  const holder = item?.holder?.S;
  const token = Number(item?.token?.N);
  const expiresAt = Number(item?.leaseExpiresAt?.N);
  if (holder === undefined || !Number.isFinite(token) || !Number.isFinite(expiresAt)) return undefined;
  return { holder, fencingToken: token, expiresAt };
}

/** Deep enough for any write edaguard makes; a cycle in the input cannot loop forever. */
const MAX_DEPTH = 12;

/**
 * Pure: the account and region of every ARN a write names, wherever it is: a top-level field
 * (`queueArn`), nested (a PutMetricAlarm's `AlarmActions`, a mapping's
 * `DestinationConfig.OnFailure.Destination`), or inside a JSON attribute value (`RedrivePolicy`'s
 * `deadLetterTargetArn`). A write for another target than the lease guards is refused: the lease
 * says nothing about it.
 */
export function writeTargets(write: unknown): LeaseTarget[] {
  // An action declares its targets (its handler's `targets`); only what is not one (an SDK
  // command's input, at the per-attempt fence) is searched for ARNs.
  const declared = declaredTargets(write);
  if (declared) return declared.map(({ accountId, region }) => ({ accountId, region }));
  const targets: LeaseTarget[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      if (value.startsWith('arn:')) {
        try {
          const arn = parseArn(value);
          targets.push({ accountId: arn.accountId, region: arn.region });
        } catch {
          // not an ARN after all
        }
      } else if (/^\s*[[{]/.test(value)) {
        try {
          visit(JSON.parse(value), depth + 1);
        } catch {
          // not JSON: a plain value
        }
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) visit(item, depth + 1);
    }
  };
  visit(write, 0);
  return targets;
}

/** Pure: the first target a write names that is not the lease's; undefined when all are. */
export function foreignTarget(write: unknown, target: LeaseTarget): LeaseTarget | undefined {
  return writeTargets(write).find(
    (t) => (t.accountId && t.accountId !== target.accountId) || (t.region && t.region !== target.region),
  );
}
