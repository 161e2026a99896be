/**
 * Several accounts in one moto server: a client acting in an account through an assumed role
 * (moto takes the account from the role's credentials), and the "orders" fixture the many-target
 * tests share: a policy giving tagged queues a DLQ, and what the queue's redrive policy became.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { emulatorEndpoint } from './harness.js';

const BASE = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** An SQS client acting in `accountId` (a `seeder` role assumed there); the caller destroys it. */
export function sqsInAccount(accountId: string, region: string): SQSClient {
  return new SQSClient({
    region,
    endpoint: emulatorEndpoint(),
    credentials: fromTemporaryCredentials({
      masterCredentials: BASE,
      params: { RoleArn: `arn:aws:iam::${accountId}:role/seeder`, RoleSessionName: 'seed' },
      clientConfig: { region, endpoint: emulatorEndpoint() },
    }),
  });
}

/** The queue `orders`' RedrivePolicy, or undefined when it has none. */
export async function ordersRedrive(sqs: SQSClient): Promise<string | undefined> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }));
  return out.Attributes?.RedrivePolicy;
}

/** Writes the policy directory `<dir>/policies`: queues tagged team=orders get a DLQ (-dlq, maxReceiveCount 3). */
export async function writeOrdersPolicy(dir: string): Promise<string> {
  const policies = path.join(dir, 'policies');
  await mkdir(policies);
  await writeFile(
    path.join(policies, 'orders.yaml'),
    `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: orders } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
`,
  );
  return policies;
}
