/**
 * Notification state in the state table, one item per target (notifyStateItem.ts), so that a
 * restart, a deploy or a lease moving to another replica neither re-posts a report nor re-opens a
 * ticket, and replicas holding different targets never write each other's state.
 *
 * Every load reads the item (consistent read): a replica that held the target before must not
 * trust what it remembers. Every save is conditional on the version that load saw, so a stale
 * replica cannot overwrite a newer state; a refused or failed write is logged (the error's name,
 * never its text) and returns false, counted by the notifier like a failed file write.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import { sdk } from '../aws/sdk.js';
import type { Target } from '../discovery/inventory.js';
import { decodeNotifyItem, encodeNotifyItem, notifyItemKey } from './notifyStateItem.js';
import { emptyState, type NotifyState, NotifyStateError, type StateStore } from './stateStore.js';

export interface StateTableRef {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
}

const errorName = (error: unknown) => (error as { name?: string })?.name ?? 'Error';

export function tableStateStore(ref: StateTableRef, logger: Logger, now = () => Date.now()): StateStore {
  const log = logger.child({ stateTable: ref.table });
  /** pk → the version this store last read or wrote: the condition of its next write. */
  const versions = new Map<string, number>();

  async function load(target: Target): Promise<NotifyState> {
    const { GetItemCommand } = await sdk.dynamodb();
    const pk = notifyItemKey(target);
    let item: Record<string, AttributeValue> | undefined;
    try {
      const out = await ref.dynamodb.send(
        new GetItemCommand({ TableName: ref.table, Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
      item = out.Item;
    } catch (error) {
      log.warn({ item: pk, code: errorName(error) }, 'cannot read notification state');
      throw new NotifyStateError(`cannot read the notification state ${pk} from the state table`, {
        cause: error,
      });
    }
    if (!item) {
      versions.set(pk, 0);
      return emptyState();
    }
    const decoded = decodeNotifyItem(target, item);
    versions.set(pk, decoded.version);
    if ('invalid' in decoded) {
      // At worst one report is posted twice; the next write replaces the item.
      log.warn({ item: pk, invalid: decoded.invalid }, 'notification state unreadable; starting afresh');
      return emptyState();
    }
    return decoded.state;
  }

  async function save(target: Target, state: NotifyState): Promise<boolean> {
    const { PutItemCommand } = await sdk.dynamodb();
    const pk = notifyItemKey(target);
    const read = versions.get(pk) ?? 0;
    try {
      await ref.dynamodb.send(
        new PutItemCommand({
          TableName: ref.table,
          Item: encodeNotifyItem(target, state, read + 1, now()),
          ConditionExpression: read === 0 ? 'attribute_not_exists(#version)' : '#version = :read',
          ExpressionAttributeNames: { '#version': 'stateVersion' },
          ...(read === 0 ? {} : { ExpressionAttributeValues: { ':read': { N: String(read) } } }),
        }),
      );
      versions.set(pk, read + 1);
      return true;
    } catch (error) {
      const code = errorName(error);
      if (code === 'ConditionalCheckFailedException') {
        log.warn(
          { item: pk, version: read },
          'notification state changed since it was read (another replica wrote it); not overwritten',
        );
      } else if (error instanceof NotifyStateError) {
        log.warn({ item: pk, code: error.code }, error.message);
      } else {
        log.warn({ item: pk, code }, 'cannot write notification state');
      }
      return false;
    }
  }

  return { kind: 'table', load, save };
}
