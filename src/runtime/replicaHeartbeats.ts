import type { AttributeValue, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { sdkNow } from '../aws/sdk.js';
import { isConditionFailure } from './leaseCommands.js';

/**
 * The replicas' heartbeats, in one item of the state table: `pk = replicas`, `members` a map of
 * holder id → the epoch ms until which that replica counts as live. Each replica updates only its
 * own entry (a document path, so concurrent heartbeats never overwrite each other), and one
 * consistent GetItem reads every live replica: no Scan of a table that also holds leases,
 * history and notification state. The map is bounded by the replicas that ran within the last
 * few lease durations: entries long dead are removed by whichever replica sees them.
 */
export const REPLICAS_KEY = { pk: { S: 'replicas' } } satisfies Record<string, AttributeValue>;

/** Sets this replica's entry; the condition fails while the item (or its map) does not exist yet. */
export function heartbeatCommand(table: string, holderId: string, expiresAt: number): UpdateItemCommand {
  return new (sdkNow.dynamodb().UpdateItemCommand)({
    TableName: table,
    Key: REPLICAS_KEY,
    UpdateExpression: 'SET #members.#me = :expires',
    ConditionExpression: 'attribute_exists(#members)',
    ExpressionAttributeNames: { '#members': 'members', '#me': holderId },
    ExpressionAttributeValues: { ':expires': { N: String(expiresAt) } },
  });
}

/** Creates the map with this replica in it, only when no replica has yet. */
export function firstHeartbeatCommand(table: string, holderId: string, expiresAt: number) {
  return new (sdkNow.dynamodb().UpdateItemCommand)({
    TableName: table,
    Key: REPLICAS_KEY,
    UpdateExpression: 'SET #members = :members, #recordType = :type',
    ConditionExpression: 'attribute_not_exists(#members)',
    ExpressionAttributeNames: { '#members': 'members', '#recordType': 'recordType' },
    ExpressionAttributeValues: {
      ':members': { M: { [holderId]: { N: String(expiresAt) } } },
      ':type': { S: 'replicas' },
    },
  });
}

/** Removes an entry, only while it is still older than `before` (it did not come back meanwhile). */
export function removeMemberCommand(table: string, holderId: string, before: number): UpdateItemCommand {
  return new (sdkNow.dynamodb().UpdateItemCommand)({
    TableName: table,
    Key: REPLICAS_KEY,
    UpdateExpression: 'REMOVE #members.#who',
    ConditionExpression: '#members.#who < :before',
    ExpressionAttributeNames: { '#members': 'members', '#who': holderId },
    ExpressionAttributeValues: { ':before': { N: String(before) } },
  });
}

/** Pure: holder id → expiry (epoch ms) of every entry of the item. */
export function parseMembers(item: Record<string, AttributeValue> | undefined): Map<string, number> {
  const members = new Map<string, number>();
  for (const [holder, value] of Object.entries(item?.members?.M ?? {})) {
    const expiresAt = Number(value.N);
    if (Number.isFinite(expiresAt)) members.set(holder, expiresAt);
  }
  return members;
}

/** Pure: the live replicas (entry not expired at `now`), sorted; and the entries dead since `pruneBefore`. */
export function liveReplicas(
  members: ReadonlyMap<string, number>,
  now: number,
  pruneBefore: number,
): { live: string[]; dead: string[] } {
  const live: string[] = [];
  const dead: string[] = [];
  for (const [holder, expiresAt] of members) {
    if (expiresAt >= now) live.push(holder);
    else if (expiresAt < pruneBefore) dead.push(holder);
  }
  return { live: live.sort(), dead: dead.sort() };
}

/** Writes this replica's heartbeat (creating the item on first use). */
export async function beat(
  dynamodb: DynamoDBClient,
  table: string,
  holderId: string,
  expiresAt: number,
  options: { abortSignal?: AbortSignal } = {},
): Promise<void> {
  try {
    await dynamodb.send(heartbeatCommand(table, holderId, expiresAt), options);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    try {
      await dynamodb.send(firstHeartbeatCommand(table, holderId, expiresAt), options);
    } catch (second) {
      // Another replica created the map in between: now the path exists.
      if (!isConditionFailure(second)) throw second;
      await dynamodb.send(heartbeatCommand(table, holderId, expiresAt), options);
    }
  }
}

/** Every entry of the heartbeat item (consistent read). */
export async function readMembers(
  dynamodb: DynamoDBClient,
  table: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<Map<string, number>> {
  const out = await dynamodb.send(
    new (sdkNow.dynamodb().GetItemCommand)({ TableName: table, Key: REPLICAS_KEY, ConsistentRead: true }),
    options,
  );
  return parseMembers(out.Item);
}

/** Removes a long-dead entry; a replica that came back meanwhile keeps its entry. */
export async function pruneMember(
  dynamodb: DynamoDBClient,
  table: string,
  holderId: string,
  before: number,
): Promise<void> {
  try {
    await dynamodb.send(removeMemberCommand(table, holderId, before));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
