/**
 * `edaguard reconcile` with notifications configured by the environment, against the emulator:
 * a drift report to Slack once, a ticket for what needs a person, closed when it is fixed;
 * nothing repeated across runs (state file); bad settings stop before any write; a dead Slack
 * does not change the cycle; no secret in any log line or output.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { TagQueueCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderSlackText } from '../../src/notify/slackText.js';
import { createStateTable } from '../../src/runtime/stateTable.js';
import { fakeSlack, fakeTicketWebhook } from '../support/fakeApis.js';
import { cli, recordingLogger, testClients, testSeeder, useCleanEmulator } from '../support/harness.js';
import { expectNoSecrets } from '../support/notifyHarness.js';
import { deadEndpoint, type RecordingServer, startRecordingServer } from '../support/recordingServer.js';
import { ACCOUNT, type Seeder, snapshotAccount } from '../support/seed.js';

useCleanEmulator();

const SLACK_SECRET = 'xoxb-cli-secret-0a1b2c';
const HOOK_SECRET = 'hook-cli-secret-3d4e5f';

let seed: Seeder;
let server: RecordingServer;
let policies: string;
let stateFile: string;
let env: Record<string, string>;
let slackUrl: string;
let hookUrl: string;

beforeEach(async () => {
  seed = testSeeder();
  server = await startRecordingServer();
  slackUrl = fakeSlack(server, SLACK_SECRET).url;
  hookUrl = fakeTicketWebhook(server, HOOK_SECRET).url;
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-notify-cli-'));
  policies = path.join(dir, 'policies');
  await mkdir(policies);
  await writeFile(
    path.join(policies, 'notify.yaml'),
    `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: notify }
spec:
  enforcement: enforce
  match: { resourceTypes: [sqs:queue], tags: { team: notify } }
  rules:
    sqs-dead-letter-queue:
      maxReceiveCount: { min: 3, max: 5, default: 3 }
      create: { nameSuffix: -dlq }
`,
  );
  stateFile = path.join(dir, 'state', 'notify.json');
  env = {
    EDAGUARD_SLACK_WEBHOOK_URL: slackUrl,
    EDAGUARD_TICKETS: 'webhook',
    EDAGUARD_TICKET_WEBHOOK_URL: hookUrl,
    EDAGUARD_NOTIFY_STATE_FILE: stateFile,
  };
});
afterEach(async () => {
  seed.destroy();
  await server.close();
});

const slackPosts = () => server.find('POST', '/services/:team/:bot/:secret');
const ticketEvents = () =>
  server.find('POST', `/hooks/${HOOK_SECRET}`).map((r) => {
    const b = r.body as { event: string; ticket?: { resource: string } };
    return `${b.event}`;
  });
const secrets = () => [slackUrl, hookUrl, SLACK_SECRET, HOOK_SECRET];

async function seedDrift(): Promise<{ reportsDlqUrl: string }> {
  await seed.queue('orders', { tags: { team: 'notify' } });
  // A queue named like the DLQ edaguard would create, which edaguard did not create: a person must act.
  await seed.queue('reports', { tags: { team: 'notify' } });
  const reportsDlq = await seed.queue('reports-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
  return { reportsDlqUrl: reportsDlq.url };
}

describe('reconcile with notifications', () => {
  it('reports to Slack once, opens a ticket for what needs a person, and closes it when fixed', async () => {
    const { reportsDlqUrl } = await seedDrift();
    const args = ['reconcile', '--once', '--policies', policies];

    const first = await cli(args, env);
    // orders fixed; only the ticket remains: exit 3.
    expect(first.code).toBe(3);
    expect(slackPosts()).toHaveLength(1);
    const message = renderSlackText(slackPosts()[0]?.body as never);
    expect(message).toContain('Needs a person (1)\n• new reports sqs-dead-letter-queue');
    expect(message).toContain('https://tickets.example/T-1');
    expect(message).toContain('Fixed since the last report (1)\n• orders sqs-dead-letter-queue');
    expect(ticketEvents()).toEqual(['open']);

    // Same drift, a new process: nothing new to say, no second ticket.
    const second = await cli(args, env);
    expect(second.code).toBe(3);
    expect(slackPosts()).toHaveLength(1);
    expect(ticketEvents()).toEqual(['open']);

    // The person tags the queue for adoption; edaguard attaches it and closes the ticket.
    await seed.sqs.send(
      new TagQueueCommand({ QueueUrl: reportsDlqUrl, Tags: { 'edaguard.dev/managed-by': 'edaguard' } }),
    );
    const third = await cli(args, env);
    expect(third.code).toBe(0);
    expect(ticketEvents()).toEqual(['open', 'resolve']);
    expect(slackPosts()).toHaveLength(2);
    const resolved = renderSlackText(slackPosts()[1]?.body as never);
    expect(resolved).toContain('Fixed since the last report (1)\n• reports sqs-dead-letter-queue');

    for (const run of [first, second, third]) {
      expectNoSecrets(JSON.stringify(run.logLines()), secrets());
      expectNoSecrets(`${run.stdout}${run.stderr}`, secrets());
    }
  });

  it('with EDAGUARD_STATE_TABLE and no state file, the state lives in the table: a new process does not re-post', async () => {
    await seedDrift();
    const aws = testClients();
    try {
      await createStateTable(aws.dynamodb, 'edaguard-state', recordingLogger().logger);
      const { EDAGUARD_NOTIFY_STATE_FILE: _file, ...withoutFile } = env;
      const tableEnv = { ...withoutFile, EDAGUARD_STATE_TABLE: 'edaguard-state' };
      const args = ['reconcile', '--once', '--policies', policies];
      expect((await cli(args, tableEnv)).code).toBe(3);
      expect((await cli(args, tableEnv)).code).toBe(3);
      expect(slackPosts()).toHaveLength(1);
      expect(ticketEvents()).toEqual(['open']);
      const items = await aws.dynamodb.send(new ScanCommand({ TableName: 'edaguard-state' }));
      expect(items.Items?.map((i) => i.pk?.S)).toContain(`notify#${ACCOUNT}/us-east-1`);
    } finally {
      aws.destroy();
    }
  });

  it('invalid notification settings exit 2 before any write, without echoing secrets', async () => {
    await seedDrift();
    const before = await snapshotAccount(seed);
    const run = await cli(['reconcile', '--once', '--policies', policies], {
      EDAGUARD_SLACK_WEBHOOK_URL: slackUrl,
      EDAGUARD_TICKETS: 'github',
      GITHUB_TOKEN: 'ghp_cliTokenNeverPrinted',
      EDAGUARD_GITHUB_REPO: 'not-a-repo',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('EDAGUARD_GITHUB_REPO must be owner/name');
    expect(await snapshotAccount(seed)).toEqual(before);
    expectNoSecrets(`${run.stderr}${JSON.stringify(run.logLines())}`, [
      ...secrets(),
      'ghp_cliTokenNeverPrinted',
    ]);
  });

  it('a dead Slack does not change the cycle or its exit code', async () => {
    await seed.queue('orders', { tags: { team: 'notify' } });
    const dead = `${await deadEndpoint()}/services/T/B/${SLACK_SECRET}`;
    const run = await cli(['reconcile', '--once', '--policies', policies], {
      EDAGUARD_SLACK_WEBHOOK_URL: dead,
      EDAGUARD_NOTIFY_ATTEMPTS: '2',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 fixed');
    const failure = run
      .logLines()
      .find((l) => l.msg === 'Slack post failed; the same changes are posted again next cycle');
    expect(failure).toMatchObject({ sink: 'slack', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expectNoSecrets(JSON.stringify(run.logLines()), [dead, SLACK_SECRET]);
  });
});
