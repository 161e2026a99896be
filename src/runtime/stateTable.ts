import type { DescribeTableCommandOutput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import { parseArn } from '../aws/arn.js';
import { sdk } from '../aws/sdk.js';
import { ConfigError } from '../errors.js';
import { errorName } from './leaseCommands.js';

/**
 * Checks the state table at start (a clear error now rather than a failing loop later) and
 * returns its account, the lease's default target account.
 */
export async function describeStateTable(
  dynamodb: DynamoDBClient,
  table: string,
): Promise<{ arn: string; accountId: string }> {
  const { DescribeTableCommand } = await sdk.dynamodb();
  let out: DescribeTableCommandOutput;
  try {
    out = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      throw new ConfigError(
        `the state table "${table}" does not exist: deploy it (deploy/ecs/edaguard.yaml, or a table with partition key "pk" of type String), ` +
          'name another with --state-table, or pass --create-state-table',
      );
    }
    throw error;
  }
  const keys = out.Table?.KeySchema ?? [];
  const pk = out.Table?.AttributeDefinitions?.find((a) => a.AttributeName === 'pk');
  if (
    keys.length !== 1 ||
    keys[0]?.AttributeName !== 'pk' ||
    keys[0]?.KeyType !== 'HASH' ||
    pk?.AttributeType !== 'S'
  ) {
    throw new ConfigError(
      `the state table "${table}" must have exactly one key: partition key "pk" of type String (it has ${JSON.stringify(keys)})`,
    );
  }
  const arn = out.Table?.TableArn ?? '';
  return { arn, accountId: arn ? parseArn(arn).accountId : '' };
}

/** Creates the state table (on-demand, partition key `pk`), tolerating a replica doing the same. */
export async function createStateTable(
  dynamodb: DynamoDBClient,
  table: string,
  logger: Logger,
): Promise<void> {
  const { CreateTableCommand, waitUntilTableExists } = await sdk.dynamodb();
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    logger.info({ table }, 'created the state table');
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 120, minDelay: 1 }, { TableName: table });
}

/** Checks the state table, creating it first when it is missing and `create` is set; its account. */
export async function ensureStateTable(
  dynamodb: DynamoDBClient,
  table: string,
  options: { create: boolean; logger: Logger },
): Promise<{ arn: string; accountId: string }> {
  try {
    return await describeStateTable(dynamodb, table);
  } catch (error) {
    if (!(error instanceof ConfigError) || !options.create) throw error;
    await createStateTable(dynamodb, table, options.logger);
    return describeStateTable(dynamodb, table);
  }
}
