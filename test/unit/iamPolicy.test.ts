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
};

/** Where the IAM action is not named after the API operation. */
const IAM_ACTION_OF: Record<string, string> = {
  's3:GetBucketNotificationConfiguration': 's3:GetBucketNotification',
  's3:ListBuckets': 's3:ListAllMyBuckets',
};

/** Permissions a call needs besides its own action (AWS documents these per API). */
const ALSO_NEEDS: Record<string, string[]> = {
  // CreateQueue with tags also needs sqs:TagQueue.
  'sqs:CreateQueue': ['sqs:TagQueue'],
  // PutMetricAlarm with tags also needs cloudwatch:TagResource.
  'cloudwatch:PutMetricAlarm': ['cloudwatch:TagResource'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every `XxxCommand` imported from an SDK client in src/, as IAM actions. */
function actionsUsedBySource(): Set<string> {
  const actions = new Set<string>();
  for (const file of sourceFiles('src')) {
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

describe('deploy/iam/edaguard-policy.json', () => {
  it('grants exactly the actions the code calls', () => {
    const policy = JSON.parse(readFileSync('deploy/iam/edaguard-policy.json', 'utf8')) as {
      Statement: Array<{ Effect: string; Action: string[] }>;
    };
    const granted = new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
    const used = actionsUsedBySource();
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((a) => !granted.has(a)).sort(), 'used by src/ but not granted').toEqual([]);
    expect([...granted].filter((a) => !used.has(a)).sort(), 'granted but never called').toEqual([]);
  });
});
