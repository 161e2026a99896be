import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sdk } from '../aws/sdk.js';
import type { Target } from '../discovery/inventory.js';

/**
 * When edaguard fixed each (resource, rule): the memory that lets it notice something reverting
 * its fixes. Keyed by finding key within a target.
 */
export interface FixHistoryStore {
  load(target: Target, keys: readonly string[]): Promise<Map<string, number[]>>;
  /**
   * Records fixes made at `atMs`, keeping only those within the window. `known` is the history
   * `load` returned this cycle for these keys, so recording reads nothing again.
   */
  record(
    target: Target,
    keys: readonly string[],
    atMs: number,
    windowSeconds: number,
    known: ReadonlyMap<string, readonly number[]>,
  ): Promise<void>;
}

/** History for one process's life: enough for the loop, forgotten on restart. */
export class MemoryFixHistoryStore implements FixHistoryStore {
  private readonly fixes = new Map<string, number[]>();

  async load(target: Target, keys: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const key of keys) {
      const list = this.fixes.get(itemKey(target, key));
      if (list) out.set(key, [...list]);
    }
    return out;
  }

  async record(target: Target, keys: readonly string[], atMs: number, windowSeconds: number): Promise<void> {
    // The map is the store itself: nothing to pass in.
    for (const key of keys) {
      const id = itemKey(target, key);
      this.fixes.set(id, [...prune(this.fixes.get(id) ?? [], atMs, windowSeconds), atMs]);
    }
  }
}

const itemKey = (target: Target, key: string) => `history#${target.accountId}/${target.region}#${key}`;
const prune = (times: readonly number[], nowMs: number, windowSeconds: number) =>
  times.filter((t) => t >= nowMs - windowSeconds * 1000);

/**
 * History in the state table the leader lease already uses (partition key `pk`): one item per
 * (target, finding), expiring with DynamoDB TTL on `expiresAt` once the window has passed.
 */
export class DynamoFixHistoryStore implements FixHistoryStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async load(target: Target, keys: readonly string[]): Promise<Map<string, number[]>> {
    const { BatchGetItemCommand } = await sdk.dynamodb();
    const out = new Map<string, number[]>();
    const byItem = new Map(keys.map((k) => [itemKey(target, k), k]));
    const ids = [...byItem.keys()];
    for (let i = 0; i < ids.length; i += 100) {
      let request: Record<string, { Keys: Array<Record<string, { S: string }>> }> | undefined = {
        [this.table]: { Keys: ids.slice(i, i + 100).map((pk) => ({ pk: { S: pk } })) },
      };
      // BatchGetItem may return part of the keys as unprocessed: ask again for those.
      while (request && Object.keys(request).length > 0) {
        const page = await this.dynamodb.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const item of page.Responses?.[this.table] ?? []) {
          const key = byItem.get(item.pk?.S ?? '');
          if (key)
            out.set(
              key,
              (item.fixes?.NS ?? []).map(Number).sort((a, b) => a - b),
            );
        }
        request = page.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  async record(
    target: Target,
    keys: readonly string[],
    atMs: number,
    windowSeconds: number,
    known: ReadonlyMap<string, readonly number[]>,
  ): Promise<void> {
    const { PutItemCommand } = await sdk.dynamodb();
    for (const key of keys) {
      const fixes = [...prune(known.get(key) ?? [], atMs, windowSeconds), atMs];
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: itemKey(target, key) },
            fixes: { NS: [...new Set(fixes)].map(String) },
            expiresAt: { N: String(Math.ceil(atMs / 1000) + windowSeconds) },
          },
        }),
      );
    }
  }
}
