import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionEventInvokeConfigCommand,
  ListEventSourceMappingsCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPolicyDir, parsePolicySources } from '../../src/policy/loader.js';
import type { PolicySet } from '../../src/policy/model.js';
import { reconcileOnce, testSeeder, useCleanEmulator } from '../support/harness.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';
import type { Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

const reconcile = async (policies?: PolicySet) =>
  reconcileOnce(policies ?? (await loadPolicyDir(SANDBOX_POLICY_DIR)));

const ARN = 'arn:aws:sqs:us-east-1:123456789012';

describe('the Lambda side of the sandbox against the emulator', () => {
  it('fixes stream mappings, partial batch responses of opted-in functions, async configs and the idempotency store; tickets the rest; then converges', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const { report } = await reconcile();

    const mappings =
      (await seed.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    const mappingOf = (fn: string) => mappings.find((m) => m.FunctionArn?.endsWith(`:function:${fn}`));

    // The poison-pill streams: bisect, bounded retries and age, failures to a queue edaguard made.
    for (const fn of ['clickstream-indexer', 'orders-projector']) {
      expect(mappingOf(fn), fn).toMatchObject({
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: `${ARN}:${fn}-failures` } },
      });
      const tags = await seed.sqs.send(
        new ListQueueTagsCommand({ QueueUrl: `${process.env.AWS_ENDPOINT_URL}/123456789012/${fn}-failures` }),
      );
      expect(tags.Tags).toEqual({
        'edaguard.dev/managed-by': 'edaguard',
        'edaguard.dev/failure-destination-for': `arn:aws:lambda:us-east-1:123456789012:function:${fn}`,
      });
    }
    // Partial batch responses: on for the functions that opted in, untouched (a ticket) for the others.
    expect(mappingOf('orders-projector')?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mappingOf('order-processor')?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mappingOf('invoice-processor')?.FunctionResponseTypes ?? []).toEqual([]);
    expect(mappingOf('clickstream-indexer')?.FunctionResponseTypes ?? []).toEqual([]);
    const tickets = report.results.filter((r) => r.status === 'ticket');
    expect(tickets.map((t) => t.rule).sort()).toEqual([
      'dlq-not-empty',
      'esm-partial-batch-response',
      'esm-partial-batch-response',
      'sqs-fifo-ordering',
    ]);
    expect(tickets.find((t) => t.rule === 'sqs-fifo-ordering')?.message).toContain('MessageGroupId');

    // The SNS → Lambda async path: bounded retries and age, and an on-failure destination.
    const config = await seed.lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'order-notifier' }),
    );
    expect(config).toMatchObject({
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: `${ARN}:order-notifier-failures` } },
    });

    // The idempotency store: TTL on the policy's attribute, on-demand billing (the policy says fix).
    const ttl = await seed.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'orders-idempotency' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    const table = await seed.dynamodb.send(new DescribeTableCommand({ TableName: 'orders-idempotency' }));
    expect(table.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    // A table no policy selects keeps its settings.
    const other = await seed.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'orders' }));
    expect(other.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');

    const again = await reconcile();
    expect(again.writes).toBe(0);
    expect(again.report.summary).toMatchObject({ drifted: 0, failed: 0, deferred: 0, tickets: 4 });
  });

  it('PutFunctionEventInvokeConfig sends the whole config: an OnSuccess destination it does not own is kept', async () => {
    seed = testSeeder();
    const fn = await seed.fn('audit-writer', 10, { team: 'orders' });
    const success = await seed.queue('audit-writer-succeeded');
    await seed.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'audit-writer',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: { OnSuccess: { Destination: success.arn } },
      }),
    );
    const policies = parsePolicySources([
      {
        file: 'p.yaml',
        text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: async }
spec:
  enforcement: enforce
  match: { resourceTypes: [lambda:function], tags: { team: orders } }
  rules:
    lambda-async-invoke-config:
      appliesTo: all-selected
      maxRetryAttempts: 0
      maxEventAgeSeconds: 600
      onFailure: { create: { nameSuffix: -failed } }
`,
      },
    ]);
    const { report } = await reconcile(policies);
    expect(report.results.find((r) => r.resource === fn)).toMatchObject({
      status: 'fixed',
      rule: 'lambda-async-invoke-config',
    });
    const config = await seed.lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'audit-writer' }),
    );
    expect(config).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: {
        OnFailure: { Destination: `${ARN}:audit-writer-failed` },
        OnSuccess: { Destination: success.arn },
      },
    });
    expect((await reconcile(policies)).writes).toBe(0);
  });
});
