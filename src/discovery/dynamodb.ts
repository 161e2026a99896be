import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import type { ReadError, TableFacts, TaggedResource } from './inventory.js';
import { toReadError } from './readErrors.js';
import type { ReadRunner } from './readRequeue.js';
import { knownValue, UnexpectedResponseError } from './shape.js';

export const BILLING_MODES = ['PROVISIONED', 'PAY_PER_REQUEST'] as const;
export const TTL_STATUSES = ['ENABLING', 'DISABLING', 'ENABLED', 'DISABLED'] as const;

/** DescribeTable + DescribeTimeToLive; undefined when the table does not exist. */
export async function readTable(
  dynamodb: DynamoDBClient,
  arn: string,
  tags: Record<string, string>,
): Promise<TableFacts | undefined> {
  const { DescribeTableCommand, DescribeTimeToLiveCommand } = await sdk.dynamodb();
  const name = parseArn(arn).resource.replace(/^table\//, '');
  try {
    const [table, ttl] = await Promise.all([
      dynamodb.send(new DescribeTableCommand({ TableName: name })),
      dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name })),
    ]);
    if (!table.Table) throw new UnexpectedResponseError(arn, 'Table', 'is missing from DescribeTable');
    const attribute = ttl.TimeToLiveDescription?.AttributeName;
    return {
      arn,
      name,
      tags,
      // Tables created before billing modes existed report no summary: they are provisioned.
      billingMode: knownValue(
        arn,
        'BillingMode',
        table.Table.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
        BILLING_MODES,
      ),
      ttlStatus: knownValue(
        arn,
        'TimeToLiveStatus',
        ttl.TimeToLiveDescription?.TimeToLiveStatus ?? 'DISABLED',
        TTL_STATUSES,
      ),
      ...(attribute ? { ttlAttribute: attribute } : {}),
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** The selected tables, keyed by ARN; a final failure is the table's read error. */
export async function readTables(
  dynamodb: DynamoDBClient,
  selected: readonly TaggedResource[],
  run: ReadRunner,
  readErrors: ReadError[],
): Promise<Map<string, TableFacts>> {
  const tables = new Map<string, TableFacts>();
  await Promise.all(
    selected.map(async (r) => {
      try {
        const facts = await run(() => readTable(dynamodb, r.arn, { ...r.tags }));
        if (facts) tables.set(r.arn, facts);
      } catch (error) {
        readErrors.push(toReadError(r.arn, 'DescribeTable', error));
      }
    }),
  );
  return tables;
}
