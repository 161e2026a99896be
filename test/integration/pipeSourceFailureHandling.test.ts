/**
 * pipe-source-failure-handling against the emulator: a tagged pipe reading a Kinesis stream (found
 * by ListPipes and DescribePipe, as moto's tagging API does not list pipes) is read with AWS's
 * defaults and planned an UpdatePipe. moto has no UpdatePipe (its PUT /v1/pipes/{Name} answers an
 * HTML 500): the write itself is unit-tested (test/unit/apply/updatePipe.test.ts), and here a
 * reconcile in enforce mode must report that write's failure on that pipe and fix the rest.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { CreatePipeCommand, DescribePipeCommand, UpdatePipeCommand } from '@aws-sdk/client-pipes';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { discover } from '../../src/discovery/discover.js';
import { parsePolicySources } from '../../src/policy/loader.js';
import { plan } from '../../src/reconcile/plan.js';
import { cli, emulatorEndpoint, reconcileOnce, testClients, useCleanEmulator } from '../support/harness.js';

useCleanEmulator();

const ACCOUNT = '123456789012';
const STREAM = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/orders-events`;
const TARGET = `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-target`;
const PIPE_DLQ = `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-pipe-dlq`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-pipe`;
const pipeArn = (name: string) => `arn:aws:pipes:us-east-1:${ACCOUNT}:pipe/${name}`;

const POLICY = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: pipes }
spec:
  enforcement: enforce
  match: { resourceTypes: [pipes:pipe], tags: { team: orders } }
  rules:
    pipe-source-failure-handling:
      deadLetter: { arn: ${PIPE_DLQ} }
`;
const QUEUES = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: queues }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue: { create: {} }
`;

let aws: AwsClients | undefined;
afterEach(() => {
  aws?.destroy();
  aws = undefined;
});

/** A stream, the pipe's SQS target and DLQ, and three pipes reading the stream: two tagged, one not. */
async function seedPipes(options: { drifted?: boolean } = {}): Promise<AwsClients> {
  const clients = testClients();
  aws = clients;
  await clients.kinesis.send(new CreateStreamCommand({ StreamName: 'orders-events', ShardCount: 1 }));
  for (const name of ['orders-target', 'orders-pipe-dlq'])
    await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const create = (
    name: string,
    tags: Record<string, string> | undefined,
    extra: Record<string, unknown> = {},
  ) =>
    clients.pipes.send(
      new CreatePipeCommand({
        Name: name,
        Source: STREAM,
        Target: TARGET,
        RoleArn: ROLE,
        SourceParameters: {
          KinesisStreamParameters: { StartingPosition: 'LATEST', BatchSize: 10, ...extra },
        },
        ...(tags ? { Tags: tags } : {}),
      }),
    );
  // AWS's defaults: no limits (-1), no bisect, no DLQ.
  if (options.drifted ?? true) await create('orders-projector', { team: 'orders' });
  // Already as the policy wants it.
  await create(
    'orders-audit',
    { team: 'orders' },
    {
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
      DeadLetterConfig: { Arn: PIPE_DLQ },
    },
  );
  await create('billing-projector', undefined);
  return clients;
}

const pipeCalls = (clients: AwsClients, operation: string) =>
  clients.counter
    .snapshot()
    .filter((c) => c.service === 'Pipes' && c.operation === operation)
    .reduce((n, c) => n + c.count, 0);

describe('pipe-source-failure-handling against the emulator', () => {
  it('discovery reads the tagged pipes with AWS’s defaults (-1) and their tags; the untagged one only by DescribePipe', async () => {
    const clients = await seedPipes();
    const policies = parsePolicySources([{ file: 'p.yaml', text: POLICY }]);
    const seedWrites = clients.counter.writes();
    const inventory = await discover(policies, clients, {
      region: 'us-east-1',
      endpoint: emulatorEndpoint(),
    });

    expect([...(inventory.pipes?.keys() ?? [])]).toEqual([
      pipeArn('orders-audit'),
      pipeArn('orders-projector'),
    ]);
    expect(inventory.pipes?.get(pipeArn('orders-projector'))).toEqual({
      arn: pipeArn('orders-projector'),
      name: 'orders-projector',
      tags: { team: 'orders' },
      sourceArn: STREAM,
      sourceKind: 'kinesis',
      currentState: 'RUNNING',
      roleArn: ROLE,
      streamSource: {
        maximumRetryAttempts: -1,
        maximumRecordAgeInSeconds: -1,
        raw: { StartingPosition: 'LATEST', BatchSize: 10 },
      },
    });
    expect(inventory.pipes?.get(pipeArn('orders-audit'))?.streamSource).toMatchObject({
      maximumRetryAttempts: 3,
      deadLetterArn: PIPE_DLQ,
      onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
    });
    expect(inventory.readErrors).toEqual([]);
    // One ListPipes, one DescribePipe per pipe (the untagged one included, for its tags), no write.
    expect(pipeCalls(clients, 'ListPipes')).toBe(1);
    expect(pipeCalls(clients, 'DescribePipe')).toBe(3);
    expect(clients.counter.writes()).toBe(seedWrites);

    const findings = plan(policies, inventory).findings.filter(
      (f) => f.rule === 'pipe-source-failure-handling',
    );
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      [pipeArn('orders-audit'), 'pass'],
      [pipeArn('orders-projector'), 'drift'],
    ]);
    expect(findings[1]?.actions).toEqual([
      {
        kind: 'UpdatePipe',
        pipeArn: pipeArn('orders-projector'),
        pipeName: 'orders-projector',
        roleArn: ROLE,
        sourceKind: 'kinesis',
        observedSource: { StartingPosition: 'LATEST', BatchSize: 10 },
        changes: {
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          MaximumRetryAttempts: 3,
          MaximumRecordAgeInSeconds: 3600,
          DeadLetterConfig: { Arn: PIPE_DLQ },
        },
      },
    ]);
  });

  it('`edaguard plan` shows the UpdatePipe of the drifted pipe only, exits 1, and writes nothing', async () => {
    const clients = await seedPipes();
    const dir = mkdtempSync(path.join(tmpdir(), 'edaguard-pipes-'));
    writeFileSync(path.join(dir, 'pipes.yaml'), POLICY);
    const before = await clients.pipes.send(new DescribePipeCommand({ Name: 'orders-projector' }));

    const run = await cli(['plan', '--policies', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('UpdatePipe orders-projector');
    expect(run.stdout).not.toContain('UpdatePipe orders-audit');
    expect(run.stdout).not.toContain('billing-projector');

    const after = await clients.pipes.send(new DescribePipeCommand({ Name: 'orders-projector' }));
    expect(after.SourceParameters).toEqual(before.SourceParameters);
  });

  it('moto gap: moto has no UpdatePipe (an HTML 500), so the SDK call fails', async () => {
    // When this fails, moto implements UpdatePipe: assert the write and the converged cycle here.
    const clients = await seedPipes();
    await expect(
      clients.pipes.send(
        new UpdatePipeCommand({
          Name: 'orders-projector',
          RoleArn: ROLE,
          SourceParameters: { KinesisStreamParameters: { MaximumRetryAttempts: 3 } },
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
  });

  it('moto gap: enforce reports the UpdatePipe failure on that pipe and still fixes the other resources', async () => {
    const clients = await seedPipes();
    const queue = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: 'orders-work', tags: { team: 'orders' } }),
    );
    const policies = parsePolicySources([
      { file: 'p.yaml', text: POLICY },
      { file: 'q.yaml', text: QUEUES },
    ]);

    const first = await reconcileOnce(policies);
    const byResource = new Map(first.report.results.map((r) => [`${r.rule} ${r.resource}`, r]));
    const failed = byResource.get(`pipe-source-failure-handling ${pipeArn('orders-projector')}`);
    expect(failed?.status).toBe('failed');
    expect(failed?.message).toMatch(/UpdatePipe/);
    const updates = first.report.awsCalls.filter(
      (c) => c.service === 'Pipes' && c.operation === 'UpdatePipe',
    );
    expect(updates.map((c) => c.outcome)).toEqual(['error']);
    expect(byResource.get(`pipe-source-failure-handling ${pipeArn('orders-audit')}`)?.status).toBe('pass');
    expect(byResource.get(`sqs-dead-letter-queue arn:aws:sqs:us-east-1:${ACCOUNT}:orders-work`)?.status).toBe(
      'fixed',
    );
    const redrive = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    expect(JSON.parse(redrive.Attributes?.RedrivePolicy ?? '{}')).toMatchObject({
      deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-work-dlq`,
    });
    // The untagged pipe is never written; the failed one is left as it was.
    for (const name of ['billing-projector', 'orders-projector']) {
      const pipe = await clients.pipes.send(new DescribePipeCommand({ Name: name }));
      expect(pipe.SourceParameters?.KinesisStreamParameters).toEqual({
        StartingPosition: 'LATEST',
        BatchSize: 10,
      });
    }
  });

  it('a converged pipe gets zero writes from an enforce reconcile', async () => {
    await seedPipes({ drifted: false });
    const policies = parsePolicySources([{ file: 'p.yaml', text: POLICY }]);
    const cycle = await reconcileOnce(policies);
    expect(
      cycle.report.results
        .filter((r) => r.rule === 'pipe-source-failure-handling')
        .map((r) => [r.resource, r.status]),
    ).toEqual([[pipeArn('orders-audit'), 'pass']]);
    expect(cycle.writes).toBe(0);
  });
});
