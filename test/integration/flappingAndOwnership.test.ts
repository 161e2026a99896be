import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicySources } from '../../src/policy/loader.js';
import { DynamoFixHistoryStore } from '../../src/state/fixHistory.js';
import { reconcileOnce, testSeeder, useCleanEmulator } from '../support/harness.js';
import { redrive, type Seeder } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

const policies = (ownership = '') =>
  parsePolicySources([
    {
      file: 'p.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: enforce
  match: { tags: { team: orders } }
${ownership}  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
`,
    },
  ]);

describe('flapping and IaC ownership against the emulator', () => {
  it('stops fixing what keeps being reverted, remembering across a restart through the state table', async () => {
    seed = testSeeder();
    await seed.dynamodb.send(
      new CreateTableCommand({
        TableName: 'edaguard-state',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const dlq = await seed.queue('shipping-dlq');
    const q = await seed.queue('shipping', {
      attributes: { RedrivePolicy: redrive(dlq.arn, 50) },
      tags: { team: 'orders' },
    });
    const revert = () =>
      seed.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: q.url,
          Attributes: { RedrivePolicy: redrive(dlq.arn, 50) },
        }),
      );

    // Each cycle runs with fresh clients and a fresh store, as after a restart of the controller.
    const cycle = async () => {
      const flapping = { flapMaxFixes: 2, flapWindowSeconds: 3600 };
      const { report, log } = await reconcileOnce(policies(), {
        settings: flapping,
        fixHistory: (aws) => new DynamoFixHistoryStore(aws.dynamodb, 'edaguard-state'),
      });
      const sqsWrites = log.lines().filter((l) => l.decision === 'write').length;
      return { result: report.results.find((r) => r.resource === q.arn), writes: sqsWrites };
    };

    expect((await cycle()).result?.status).toBe('fixed');
    await revert();
    expect((await cycle()).result?.status).toBe('fixed');
    await revert();
    const third = await cycle();
    expect(third.result?.status).toBe('ticket');
    expect(third.result?.message).toMatch(/^flapping: fixed 2 times/);
    expect(third.writes).toBe(0);
    expect(JSON.parse((await seed.attributes(q.url)).RedrivePolicy ?? '{}').maxReceiveCount).toBe(50);
  });

  it('a resource owned by CloudFormation gets a ticket instead of a fix', async () => {
    seed = testSeeder();
    const dlq = await seed.queue('billing-dlq');
    const owned = await seed.queue('billing', {
      attributes: { RedrivePolicy: redrive(dlq.arn, 50) },
      tags: { team: 'orders', 'aws:cloudformation:stack-name': 'billing-prod' },
    });
    const free = await seed.queue('refunds', {
      attributes: { RedrivePolicy: redrive(dlq.arn, 50) },
      tags: { team: 'orders' },
    });
    const { report } = await reconcileOnce(
      policies('  ownership: { ticketWhenTagged: [aws:cloudformation:stack-name] }\n'),
    );
    expect(report.results.find((r) => r.resource === owned.arn)).toMatchObject({
      status: 'ticket',
      message: expect.stringMatching(/^owned by aws:cloudformation:stack-name=billing-prod: change it there/),
    });
    expect(report.results.find((r) => r.resource === free.arn)?.status).toBe('fixed');
    expect(JSON.parse((await seed.attributes(owned.url)).RedrivePolicy ?? '{}').maxReceiveCount).toBe(50);
  });
});
