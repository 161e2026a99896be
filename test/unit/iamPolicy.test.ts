import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** SDK client package → IAM service prefix. */
const PREFIX: Record<string, string> = {
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-resource-groups-tagging-api': 'tag',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-kinesis': 'kinesis',
  // DynamoDB Streams' IAM actions carry the dynamodb prefix (dynamodb:GetRecords, …).
  '@aws-sdk/client-dynamodb-streams': 'dynamodb',
};

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
const OPERATOR_DIRS = ['src/redrive', 'src/replay', 'src/gameday'].map((d) => path.normalize(d) + path.sep);
const OPERATOR_FILES = [path.normalize('src/cli/operatorCommands.ts')];
const isOperatorFile = (file: string) =>
  OPERATOR_FILES.includes(path.normalize(file)) ||
  OPERATOR_DIRS.some((d) => path.normalize(file).startsWith(d));

/** Every `XxxCommand` imported from an SDK client in the given files, as IAM actions. */
function actionsUsedBy(files: string[]): Set<string> {
  const actions = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'/g)) {
      const prefix = PREFIX[match[2] as string];
      if (!prefix) throw new Error(`${file} imports ${match[2]}: add its IAM prefix to this test`);
      for (const name of (match[1] as string).split(',').map((s) => s.replace(/^type\s+/, '').trim())) {
        const command = /^(\w+)Command$/.exec(name);
        if (!command) continue;
        const operation = `${prefix}:${command[1]}`;
        const action = IAM_ACTION_OF[operation] ?? operation;
        actions.add(action);
        for (const extra of ALSO_NEEDS[action] ?? []) actions.add(extra);
      }
    }
  }
  return actions;
}

function grantedBy(file: string): Set<string> {
  const policy = JSON.parse(readFileSync(file, 'utf8')) as {
    Statement: Array<{ Effect: string; Action: string[] }>;
  };
  return new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
}

describe('deploy/iam/edaguard-policy.json', () => {
  it('grants exactly the actions the controller code calls', () => {
    const granted = grantedBy('deploy/iam/edaguard-policy.json');
    const used = actionsUsedBy(sourceFiles('src').filter((f) => !isOperatorFile(f)));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((a) => !granted.has(a)).sort(), 'used by src/ but not granted').toEqual([]);
    expect([...granted].filter((a) => !used.has(a)).sort(), 'granted but never called').toEqual([]);
  });
});

describe('deploy/iam/edaguard-operator-policy.json', () => {
  it('grants exactly the actions redrive, replay and gameday call', () => {
    const granted = grantedBy('deploy/iam/edaguard-operator-policy.json');
    const files = sourceFiles('src').filter(isOperatorFile);
    expect(files.length).toBeGreaterThan(5);
    const used = actionsUsedBy(files);
    expect(used.has('sqs:SendMessage') && used.has('lambda:InvokeFunction')).toBe(true);
    expect([...used].filter((a) => !granted.has(a)).sort(), 'used by operator tools but not granted').toEqual(
      [],
    );
    expect([...granted].filter((a) => !used.has(a)).sort(), 'granted but never called').toEqual([]);
  });
});
