import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { parseArn } from '../aws/arn.js';
import type { TableFacts } from './inventory.js';

/** DescribeTable + DescribeTimeToLive; undefined when the table does not exist. */
export async function readTable(
  dynamodb: DynamoDBClient,
  arn: string,
  tags: Record<string, string>,
): Promise<TableFacts | undefined> {
  const name = parseArn(arn).resource.replace(/^table\//, '');
  try {
    const [table, ttl] = await Promise.all([
      dynamodb.send(new DescribeTableCommand({ TableName: name })),
      dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name })),
    ]);
    const attribute = ttl.TimeToLiveDescription?.AttributeName;
    return {
      arn,
      name,
      tags,
      // Tables created before billing modes existed report no summary: they are provisioned.
      billingMode: table.Table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
      ttlStatus: ttl.TimeToLiveDescription?.TimeToLiveStatus ?? 'DISABLED',
      ...(attribute ? { ttlAttribute: attribute } : {}),
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}
