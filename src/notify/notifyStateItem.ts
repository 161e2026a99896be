/**
 * One target's notification state as a state-table item, and back. Pure.
 *
 *   pk = notify#<accountId>/<region>, recordType = notify, partition, stateVersion (N, +1 per
 *   write: the write's condition), updatedAt (N, ms), state (B: gzip of {slack?, tickets}).
 *
 * Size: DynamoDB items are at most 400 KB. What bounds this one is one target's open items (the
 * last Slack report's `resource\trule\tstatus` keys) and the webhook sink's open tickets of that
 * target (the ticket budget per cycle opens at most 30 a cycle); gzip shrinks the repetitive ARNs
 * about tenfold, so some tens of thousands of open findings fit. Past MAX_STATE_BYTES the write is
 * refused with a clear error (counted, logged), rather than sent to fail.
 */

import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { Target } from '../discovery/inventory.js';
import { targetKey } from './reportDigest.js';
import {
  emptyState,
  type NotifyState,
  NotifyStateError,
  ReportStateSchema,
  TicketRefSchema,
} from './stateStore.js';

/** Under DynamoDB's 400 KB item limit, with room for the key and the other attributes. */
export const MAX_STATE_BYTES = 380_000;

const StoredSchema = z.object({
  slack: ReportStateSchema.optional(),
  tickets: z.record(z.string(), TicketRefSchema).default({}),
});

export type NotifyItem = Record<string, AttributeValue>;

export const notifyItemKey = (target: Target) => `notify#${target.accountId}/${target.region}`;

/** The item for `target`'s part of `state` (its Slack entry, the tickets), written as `version`. */
export function encodeNotifyItem(
  target: Target,
  state: NotifyState,
  version: number,
  nowMs: number,
): NotifyItem {
  const slack = state.slack[targetKey(target)];
  const body = gzipSync(JSON.stringify({ ...(slack ? { slack } : {}), tickets: state.tickets }));
  if (body.byteLength > MAX_STATE_BYTES) {
    throw new NotifyStateError(
      `the notification state of ${notifyItemKey(target)} is ${body.byteLength} bytes compressed, over the ${MAX_STATE_BYTES}-byte item budget: not written`,
    );
  }
  return {
    pk: { S: notifyItemKey(target) },
    recordType: { S: 'notify' },
    partition: { S: target.partition },
    stateVersion: { N: String(version) },
    updatedAt: { N: String(nowMs) },
    state: { B: body },
  };
}

export type DecodedNotifyItem =
  | { readonly version: number; readonly state: NotifyState }
  /** The item exists but its state cannot be read: why, and its version (to overwrite it). */
  | { readonly version: number; readonly invalid: string };

/** The state the item holds for `target`, as a document with only that target's Slack entry. */
export function decodeNotifyItem(target: Target, item: NotifyItem): DecodedNotifyItem {
  const version = Number(item.stateVersion?.N ?? 0);
  if (!Number.isSafeInteger(version) || version < 0) return { version: 0, invalid: 'stateVersion' };
  if (item.recordType?.S !== 'notify') return { version, invalid: 'recordType' };
  const body = item.state?.B;
  if (!body) return { version, invalid: 'state missing' };
  let stored: z.infer<typeof StoredSchema>;
  try {
    stored = StoredSchema.parse(JSON.parse(gunzipSync(body).toString('utf8')));
  } catch {
    return { version, invalid: 'state not gzip JSON of the expected shape' };
  }
  const state = emptyState();
  if (stored.slack) state.slack[targetKey(target)] = stored.slack;
  state.tickets = stored.tickets;
  return { version, state };
}
