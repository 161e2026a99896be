/**
 * The IAM policies against the code: the actions are derived from the SDK command classes each
 * source file's code actually reaches, found by bundling the file with esbuild (the SDK's ES
 * modules inlined and tree-shaken, `sideEffects: false`): an aliased or namespace import, a
 * paginator (its module imports the List… command) or a waiter (the Describe… command) counts as
 * what it calls; a type-only or unused import counts for nothing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_PREFIX } from '../../src/discovery/inventory.js';
import { MANAGED_BY_VALUE, TAGS } from '../../src/policy/schema.js';
import { dlqAlarmName, iteratorAgeAlarmName } from '../../src/reconcile/rules/alarms.js';
import { sdkOperationsReachedBy } from '../support/sdkOperations.js';

/** Where the IAM action is not named after the API operation. */
const IAM_ACTION_OF: Record<string, string> = {
  's3:GetBucketNotificationConfiguration': 's3:GetBucketNotification',
  's3:ListBuckets': 's3:ListAllMyBuckets',
  // Batch calls are authorised by the single-message action.
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** Permissions a call needs besides its own action (AWS documents these per API). */
const ALSO_NEEDS: Record<string, string[]> = {
  // CreateQueue with tags also needs sqs:TagQueue.
  'sqs:CreateQueue': ['sqs:TagQueue'],
  // PutMetricAlarm with tags also needs cloudwatch:TagResource.
  'cloudwatch:PutMetricAlarm': ['cloudwatch:TagResource'],
  // UpdatePipe sends the pipe's role back: iam:PassRole (to pipes.amazonaws.com).
  'pipes:UpdatePipe': ['iam:PassRole'],
  // PutTargets sends a target's RoleArn back: iam:PassRole (to events.amazonaws.com).
  'events:PutTargets': ['iam:PassRole'],
  // A move task reads and deletes from the DLQ and sends to the destination as the caller.
  'sqs:StartMessageMoveTask': [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:SendMessage',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/**
 * Operator tools (redrive, replay, gameday) run as a person or a runbook role, not as the
 * controller: their calls are granted by deploy/iam/edaguard-operator-policy.json instead.
 */
const OPERATOR_DIRS = ['src/redrive', 'src/replay', 'src/gameday', 'src/cli/operator'].map(
  (d) => path.normalize(d) + path.sep,
);
const OPERATOR_FILES: string[] = [];
const isOperatorFile = (file: string) =>
  OPERATOR_FILES.includes(path.normalize(file)) ||
  OPERATOR_DIRS.some((d) => path.normalize(file).startsWith(d));

/**
 * Commands the SDK's client classes construct themselves, for features edaguard does not use:
 * DynamoDB endpoint discovery (off unless enabled) and S3 Express sessions (directory buckets).
 */
const CLIENT_INTERNAL = new Set(['dynamodb:DescribeEndpoints', 's3:CreateSession']);

/** Only at development time, with --create-state-table: granted by edaguard-dev-policy.json. */
const DEVELOPMENT_ONLY = new Set(['dynamodb:CreateTable']);

/** `prefix:Operation` for every SDK command class the file's code reaches, client-internal ones aside. */
async function operationsReachedBy(file: string): Promise<string[]> {
  return (await sdkOperationsReachedBy(file)).filter((o) => !CLIENT_INTERNAL.has(o));
}

/** The IAM actions the calls need (an operation's own action, under its IAM name, and what it implies). */
function actionsOf(operations: Iterable<string>): Set<string> {
  const actions = new Set<string>();
  for (const operation of operations) {
    const action = IAM_ACTION_OF[operation] ?? operation;
    actions.add(action);
    for (const extra of ALSO_NEEDS[action] ?? []) actions.add(extra);
  }
  return actions;
}

/** Every source file's reached operations, bundled once for all the tests below. */
const reachedBySource: Promise<Map<string, string[]>> = Promise.all(
  sourceFiles('src').map(async (f) => [f, await operationsReachedBy(f)] as const),
).then((entries) => new Map(entries));

/** Calls the SDK makes for a file through a credential provider (no command class of ours to find). */
const CALLED_FOR: Record<string, string[]> = {
  [path.normalize('src/targets/credentials.ts')]: ['sts:AssumeRole'],
};

async function actionsUsedBy(files: string[]): Promise<Set<string>> {
  const reached = await reachedBySource;
  return actionsOf(
    files.flatMap((f) => [...(reached.get(f) ?? []), ...(CALLED_FOR[path.normalize(f)] ?? [])]),
  );
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const statementsOf = (file: string) =>
  (JSON.parse(readFileSync(file, 'utf8')) as { Statement: Statement[] }).Statement;

function grantedBy(file: string): Set<string> {
  return new Set(
    statementsOf(file)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => s.Action),
  );
}

/** The Allow statements of a policy that grant an action. */
const granting = (file: string, action: string) =>
  statementsOf(file).filter((s) => s.Effect === 'Allow' && s.Action.includes(action));

const POLICY = 'deploy/iam/edaguard-policy.json';
const DEV_POLICY = 'deploy/iam/edaguard-dev-policy.json';
const OPERATOR_POLICY = 'deploy/iam/edaguard-operator-policy.json';

describe('deploy/iam/edaguard-policy.json', () => {
  it('grants exactly the actions the controller code calls, except the development-only ones', async () => {
    const granted = grantedBy(POLICY);
    const all = await actionsUsedBy(sourceFiles('src').filter((f) => !isOperatorFile(f)));
    const used = new Set([...all].filter((a) => !DEVELOPMENT_ONLY.has(a)));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((a) => !granted.has(a)).sort(), 'used by src/ but not granted').toEqual([]);
    expect([...granted].filter((a) => !used.has(a)).sort(), 'granted but never called').toEqual([]);
  });

  it('lets the controller write alarms only under the name prefix it uses', () => {
    expect(
      dlqAlarmName('q').startsWith(ALARM_PREFIX) && iteratorAgeAlarmName('f').startsWith(ALARM_PREFIX),
    ).toBe(true);
    for (const action of ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource']) {
      const statements = granting(POLICY, action);
      expect(statements.length, action).toBeGreaterThan(0);
      for (const s of statements)
        expect(s.Resource, action).toBe(`arn:aws:cloudwatch:*:*:alarm:${ALARM_PREFIX}*`);
    }
  });

  it('lets the controller create and tag only queues that carry its managed-by tag in the request', () => {
    for (const action of ['sqs:CreateQueue', 'sqs:TagQueue']) {
      const statements = granting(POLICY, action);
      expect(statements.length, action).toBeGreaterThan(0);
      for (const s of statements) {
        expect(s.Condition, action).toEqual({
          StringEquals: { [`aws:RequestTag/${TAGS.managedBy}`]: MANAGED_BY_VALUE },
        });
      }
    }
  });

  it('assumes only the member-account role named edaguard (targets.roleName)', () => {
    const statements = granting(POLICY, 'sts:AssumeRole');
    expect(statements.map((s) => s.Resource)).toEqual(['arn:aws:iam::*:role/edaguard']);
  });

  it('keeps the development-only actions in edaguard-dev-policy.json, never in the production policy', () => {
    for (const action of DEVELOPMENT_ONLY) expect(granting(POLICY, action), action).toEqual([]);
    expect(grantedBy(DEV_POLICY)).toEqual(DEVELOPMENT_ONLY);
    for (const s of statementsOf(DEV_POLICY)) {
      expect(s.Sid).toMatch(/^DevelopmentOnly/);
      expect(s.Resource).toBe('arn:aws:dynamodb:*:*:table/edaguard-state');
    }
  });
});

/** KMS rights SQS uses on the caller's behalf (customer-key queues): no call of ours, granted via SQS only. */
const viaSqs = (s: Statement) => s.Condition?.StringLike?.['kms:ViaService'] === 'sqs.*.amazonaws.com';

describe('deploy/iam/edaguard-operator-policy.json', () => {
  it('grants KMS only for SQS to use on the caller’s behalf (kms:ViaService)', () => {
    const kms = statementsOf(OPERATOR_POLICY).filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    expect(kms.flatMap((s) => s.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    for (const s of kms) expect(viaSqs(s), s.Sid).toBe(true);
  });

  it('grants exactly the actions redrive, replay and gameday call', async () => {
    const granted = new Set(
      statementsOf(OPERATOR_POLICY)
        .filter((s) => s.Effect === 'Allow' && !viaSqs(s))
        .flatMap((s) => s.Action),
    );
    const files = sourceFiles('src').filter(isOperatorFile);
    expect(files.length).toBeGreaterThan(5);
    const used = await actionsUsedBy(files);
    expect(used.has('sqs:SendMessage') && used.has('lambda:InvokeFunction')).toBe(true);
    expect([...used].filter((a) => !granted.has(a)).sort(), 'used by operator tools but not granted').toEqual(
      [],
    );
    expect([...granted].filter((a) => !used.has(a)).sort(), 'granted but never called').toEqual([]);
  });
});

describe('deriving the actions from the code', () => {
  /** Small source files, one import form each, bundled like the project's. */
  const FIXTURES: Record<string, { source: string; reaches: string[] }> = {
    'aliased.ts': {
      source: `import { CreateQueueCommand as MakeQueue, type SQSClient } from '@aws-sdk/client-sqs';
export const make = (sqs: SQSClient) => sqs.send(new MakeQueue({ QueueName: 'q' }));`,
      reaches: ['sqs:CreateQueue'],
    },
    'namespace.ts': {
      source: `import * as sqs from '@aws-sdk/client-sqs';
export const drop = (client: sqs.SQSClient) => client.send(new sqs.DeleteQueueCommand({ QueueUrl: 'u' }));`,
      reaches: ['sqs:DeleteQueue'],
    },
    'paginator.ts': {
      source: `import { paginateListQueues, type SQSClient } from '@aws-sdk/client-sqs';
export async function* all(client: SQSClient) { yield* paginateListQueues({ client }, {}); }`,
      reaches: ['sqs:ListQueues'],
    },
    'waiter.ts': {
      source: `import { type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
export const ready = (client: DynamoDBClient) => waitUntilTableExists({ client, maxWaitTime: 5 }, { TableName: 't' });`,
      reaches: ['dynamodb:DescribeTable'],
    },
    'typeOnly.ts': {
      source: `import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
export const input: SendMessageCommandInput = { QueueUrl: 'u', MessageBody: 'b' };`,
      reaches: [],
    },
  };

  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'edaguard-iam-'));
    for (const [name, { source }] of Object.entries(FIXTURES)) writeFileSync(path.join(dir, name), source);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.entries(FIXTURES))('%s: finds the commands its code reaches', async (name, { reaches }) => {
    expect(await operationsReachedBy(path.join(dir, name))).toEqual(reaches);
  });
});
