/**
 * `edaguard graph` against moto through the real SDK: a queue redriving to a DLQ that has an
 * edaguard alarm, and a topic whose subscription redrives to a DLQ without one.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SetSubscriptionAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { dlqAlarmName } from '../../src/reconcile/rules/alarms.js';
import { cli, testClients, testSeeder, useCleanEmulator } from '../support/harness.js';
import { redrive, type Seeder, snapshotAccount } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
let aws: AwsClients | undefined;
afterEach(() => {
  seed?.destroy();
  aws?.destroy();
});

const ACCOUNT = 'arn:aws:sqs:us-east-1:123456789012';

/** Selects the team's queues and topics; no rule of it reads alarms: `graph` reads them anyway. */
async function policyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-graph-'));
  await writeFile(
    path.join(dir, 'orders.yaml'),
    `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: audit
  match: { resourceTypes: [sqs:queue, sns:topic], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 1, max: 10, default: 5 }
    sns-subscription-dlq: {}
`,
  );
  return dir;
}

async function seedAccount(): Promise<void> {
  seed = testSeeder();
  const team = { team: 'orders' };
  const ordersDlq = await seed.queue('orders-dlq');
  await seed.queue('orders', { attributes: { RedrivePolicy: redrive(ordersDlq.arn, 5) }, tags: team });
  await seed.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: dlqAlarmName('orders-dlq'),
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'orders-dlq' }],
      Statistic: 'Maximum',
      Threshold: 0,
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await seed.queue('orders-events-consumer');
  await seed.queue('orders-events-dlq');
  aws = testClients();
  const { sns } = aws;
  const topic = await sns.send(
    new CreateTopicCommand({ Name: 'orders-events', Tags: [{ Key: 'team', Value: 'orders' }] }),
  );
  const sub = await sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: 'sqs',
      Endpoint: `${ACCOUNT}:orders-events-consumer`,
      ReturnSubscriptionArn: true,
    }),
  );
  await sns.send(
    new SetSubscriptionAttributesCommand({
      SubscriptionArn: sub.SubscriptionArn,
      AttributeName: 'RedrivePolicy',
      AttributeValue: JSON.stringify({ deadLetterTargetArn: `${ACCOUNT}:orders-events-dlq` }),
    }),
  );
}

describe('edaguard graph', () => {
  it('prints source → DLQ → alarm as a table, mermaid, dot and json, and writes nothing', async () => {
    await seedAccount();
    const dir = await policyDir();
    const before = await snapshotAccount(seed);

    const table = await cli(['graph', '--policies', dir]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const rows = table.stdout.split('\n');
    expect(rows[0]).toMatch(/^SOURCE +DLQ +ALARM +EDGE$/);
    expect(rows).toContainEqual(
      expect.stringMatching(/^sqs:orders +→ sqs:orders-dlq +→ edaguard-dlq-depth-orders-dlq +sqs-redrive$/),
    );
    expect(rows).toContainEqual(
      expect.stringMatching(/^sns:orders-events +→ sqs:orders-events-dlq +→ \(no alarm\) +sns-subscription$/),
    );

    const mermaid = await cli(['graph', '--policies', dir, '--format', 'mermaid']);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid.stdout).toContain('  sqs_orders -->|sqs-redrive| sqs_orders_dlq\n');
    expect(mermaid.stdout).toContain('  sns_orders_events -->|sns-subscription| sqs_orders_events_dlq\n');
    expect(mermaid.stdout).toContain('  sqs_orders_dlq -.-> alarm_edaguard_dlq_depth_orders_dlq\n');
    expect(mermaid.stdout).toContain('  class sqs_orders_events_dlq noAlarm\n');

    const dot = await cli(['graph', '--policies', dir, '--format', 'dot']);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph [A-Za-z_][A-Za-z0-9_]* \{\n[\s\S]*\n\}\n$/);
    expect(dot.stdout).toContain(`"${ACCOUNT}:orders" -> "${ACCOUNT}:orders-dlq" [label="sqs-redrive"];`);
    expect(dot.stdout).toContain(
      `"arn:aws:sns:us-east-1:123456789012:orders-events" -> "${ACCOUNT}:orders-events-dlq" [label="sns-subscription"];`,
    );
    // Every statement line is a node, an edge or a graph attribute (a light parse of the digraph).
    for (const line of dot.stdout.trim().split('\n').slice(1, -1))
      expect(line).toMatch(/^ {2}("[^"]*"( -> "[^"]*")? \[.*\]|rankdir=LR|node \[shape=box\]);$/);

    const json = await cli(['graph', '--policies', dir, '-o', 'json']);
    expect(json.code).toBe(0);
    const { edges } = JSON.parse(json.stdout) as { edges: { kind: string; dlq: string; alarms: string[] }[] };
    expect(edges.map((e) => [e.kind, e.dlq, e.alarms])).toEqual([
      ['sns-subscription', `${ACCOUNT}:orders-events-dlq`, []],
      ['sqs-redrive', `${ACCOUNT}:orders-dlq`, ['edaguard-dlq-depth-orders-dlq']],
    ]);

    expect(await snapshotAccount(seed)).toEqual(before);
  });

  it('an invalid policy or format exits 2 before reading the account', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-graph-bad-'));
    await writeFile(path.join(dir, 'bad.yaml'), 'apiVersion: edaguard.dev/v1alpha1\nkind: Nope\n');
    const bad = await cli(['graph', '--policies', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.yaml');
    const format = await cli(['graph', '--policies', await policyDir(), '--format', 'svg']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("argument 'svg' is invalid");
  });
});
