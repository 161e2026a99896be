import type { AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { sdkNow } from '../aws/sdk.js';
import { parseLeaseItem } from './leaseRecord.js';

/**
 * The lease's four DynamoDB requests, each addressed by the lease item's key and guarded by a
 * condition (see lease.ts for the item and the protocol). Pure: they only build commands.
 */
export interface LeaseItemRef {
  readonly table: string;
  readonly key: Record<string, AttributeValue>;
  readonly holderId: string;
}

const NAMES = {
  '#pk': 'pk',
  '#recordType': 'recordType',
  '#holder': 'holder',
  '#token': 'token',
  '#leaseExpiresAt': 'leaseExpiresAt',
  '#acquiredAt': 'acquiredAt',
  '#renewedAt': 'renewedAt',
  '#duration': 'leaseDurationMs',
  '#releasedAt': 'releasedAt',
};
type Name = keyof typeof NAMES;
const names = (...used: Name[]) => Object.fromEntries(used.map((n) => [n, NAMES[n]]));

/** Takes the lease if nobody holds it, it expired, or `ref.holderId` holds it; the token grows by one. */
export function acquireCommand(ref: LeaseItemRef, now: number, durationMs: number): UpdateItemCommand {
  return new (sdkNow.dynamodb().UpdateItemCommand)({
    TableName: ref.table,
    Key: ref.key,
    UpdateExpression:
      'SET #recordType = :lease, #holder = :me, #leaseExpiresAt = :expires, #acquiredAt = :now, ' +
      '#renewedAt = :now, #duration = :duration ADD #token :one',
    ConditionExpression: 'attribute_not_exists(#pk) OR #leaseExpiresAt < :now OR #holder = :me',
    ExpressionAttributeNames: names(
      '#pk',
      '#recordType',
      '#holder',
      '#leaseExpiresAt',
      '#acquiredAt',
      '#renewedAt',
      '#duration',
      '#token',
    ),
    ExpressionAttributeValues: {
      ':lease': { S: 'lease' },
      ':me': { S: ref.holderId },
      ':expires': { N: String(now + durationMs) },
      ':now': { N: String(now) },
      ':duration': { N: String(durationMs) },
      ':one': { N: '1' },
    },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
}

/** Extends the lease, only while `ref.holderId` holds it with `token`. */
export function renewCommand(ref: LeaseItemRef, token: number, now: number, durationMs: number) {
  return new (sdkNow.dynamodb().UpdateItemCommand)({
    TableName: ref.table,
    Key: ref.key,
    UpdateExpression: 'SET #leaseExpiresAt = :expires, #renewedAt = :now',
    ConditionExpression: '#holder = :me AND #token = :token',
    ExpressionAttributeNames: names('#leaseExpiresAt', '#renewedAt', '#holder', '#token'),
    ExpressionAttributeValues: {
      ':expires': { N: String(now + durationMs) },
      ':now': { N: String(now) },
      ':me': { S: ref.holderId },
      ':token': { N: String(token) },
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
}

/** Gives the lease up (leaseExpiresAt = 0; the token stays), only while holding it with `token`. */
export function releaseCommand(ref: LeaseItemRef, token: number, now: number) {
  return new (sdkNow.dynamodb().UpdateItemCommand)({
    TableName: ref.table,
    Key: ref.key,
    UpdateExpression: 'SET #leaseExpiresAt = :zero, #releasedAt = :now',
    ConditionExpression: '#holder = :me AND #token = :token',
    ExpressionAttributeNames: names('#leaseExpiresAt', '#releasedAt', '#holder', '#token'),
    ExpressionAttributeValues: {
      ':zero': { N: '0' },
      ':now': { N: String(now) },
      ':me': { S: ref.holderId },
      ':token': { N: String(token) },
    },
  });
}

/** The fencing check's read: consistent, only holder, token and expiry. */
export function checkCommand(ref: LeaseItemRef): GetItemCommand {
  return new (sdkNow.dynamodb().GetItemCommand)({
    TableName: ref.table,
    Key: ref.key,
    ConsistentRead: true,
    ProjectionExpression: '#holder, #token, #leaseExpiresAt',
    ExpressionAttributeNames: names('#holder', '#token', '#leaseExpiresAt'),
  });
}

export const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';
export const isConditionFailure = (error: unknown) => errorName(error) === 'ConditionalCheckFailedException';
/** The lease item a failed condition returns (ReturnValuesOnConditionCheckFailure). */
export const itemOfConditionFailure = (error: unknown) =>
  parseLeaseItem((error as { Item?: Record<string, AttributeValue> }).Item);
