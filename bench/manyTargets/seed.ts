/**
 * Seeds the many-targets bench: in each account the `edaguard` role (trusting the controller's
 * account, with edaguard's IAM policy), and in each of its regions the same drifted shape of
 * tagged queues. Everything goes through the real SDK with the account's own credentials: one
 * moto server holds every account, and an assumed role's calls act in that role's account.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import pLimit from 'p-limit';
import type { TargetRef } from '../../src/targets/targetRef.js';
import { ROOT } from '../reconcile/parameters.js';

/** The drift of one target, the same in every target. */
export interface TargetShape {
  /** Tagged queues (team=orders). */
  queues: number;
  /** Of them, those whose redrive policy names the shared DLQ with maxReceiveCount 50 (out of range). */
  withSharedDlq: number;
}

export const SHARED_DLQ = 'orders-shared-dlq';
/** Four days: shorter than the policy's 14 (sqs-dlq-retention). */
export const SHARED_DLQ_RETENTION = 345_600;
export const OUT_OF_RANGE_RECEIVES = 50;
/** The controller's own account (every plain access key is this account in moto). */
export const CONTROLLER_ACCOUNT = '123456789012';
const BASE = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** How an administrator acts in a member account: its organization access role. */
function adminCredentials(endpoint: string, accountId: string) {
  return fromTemporaryCredentials({
    masterCredentials: BASE,
    params: {
      RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'bench-seed',
    },
    clientConfig: { region: 'us-east-1', endpoint },
  });
}

async function createEdaguardRole(iam: IAMClient, roleName: string): Promise<void> {
  await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${CONTROLLER_ACCOUNT}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'edaguard',
      PolicyDocument: readFileSync(path.join(ROOT, 'deploy/iam/edaguard-policy.json'), 'utf8'),
    }),
  );
}

/** Seeds every target; returns how many queues it created. */
export async function seedTargets(
  endpoint: string,
  targets: readonly TargetRef[],
  shape: TargetShape,
  roleName: string,
): Promise<number> {
  const limit = pLimit(16);
  const clients: Array<{ destroy(): void }> = [];
  try {
    const accounts = [...new Set(targets.map((t) => t.accountId))];
    await Promise.all(
      accounts.map((accountId) =>
        limit(async () => {
          const iam = new IAMClient({
            region: 'us-east-1',
            endpoint,
            credentials: adminCredentials(endpoint, accountId),
          });
          clients.push(iam);
          await createEdaguardRole(iam, roleName);
        }),
      ),
    );
    let created = 0;
    await Promise.all(
      targets.map(async (t) => {
        const sqs = new SQSClient({
          region: t.region,
          endpoint,
          credentials: adminCredentials(endpoint, t.accountId),
        });
        clients.push(sqs);
        const create = async (name: string, attributes: Record<string, string>, tagged: boolean) => {
          await sqs.send(
            new CreateQueueCommand({
              QueueName: name,
              Attributes: attributes,
              ...(tagged ? { tags: { team: 'orders' } } : {}),
            }),
          );
          created += 1;
        };
        await limit(() =>
          create(SHARED_DLQ, { MessageRetentionPeriod: String(SHARED_DLQ_RETENTION) }, false),
        );
        const redrive = JSON.stringify({
          deadLetterTargetArn: `arn:aws:sqs:${t.region}:${t.accountId}:${SHARED_DLQ}`,
          maxReceiveCount: OUT_OF_RANGE_RECEIVES,
        });
        await Promise.all(
          Array.from({ length: shape.queues }, (_, i) =>
            limit(() =>
              create(`orders-${i}`, i < shape.withSharedDlq ? { RedrivePolicy: redrive } : {}, true),
            ),
          ),
        );
      }),
    );
    return created;
  } finally {
    for (const c of clients) c.destroy();
  }
}
