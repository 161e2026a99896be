/**
 * Many accounts and regions in one moto server: calls made with an assumed role's credentials act
 * in that role's account.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import { CreateQueueCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { countWrites } from '../../src/aws/callCounter.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { prepareTargets, reconcileTargets, targetScope } from '../../src/cli/multiTarget.js';
import { loadPolicyDir } from '../../src/policy/loader.js';
import type { DriftReport } from '../../src/report/driftReport.js';
import { TargetClientSets } from '../../src/targets/clientSets.js';
import { resolveTargets } from '../../src/targets/resolve.js';
import { ordersRedrive, sqsInAccount, writeOrdersPolicy } from '../support/accounts.js';
import {
  cli,
  emulatorEndpoint,
  recordingLogger,
  testSettings,
  useCleanEmulator,
} from '../support/harness.js';

useCleanEmulator();

const A = '111111111111';
const B = '222222222222';
const UNLISTED = '333333333333';
const REGIONS = ['us-east-1', 'eu-west-1'];
const base = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const open: Array<{ destroy(): void }> = [];
afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});

function sqsIn(accountId: string, region: string): SQSClient {
  const client = sqsInAccount(accountId, region);
  open.push(client);
  return client;
}

/** In every account and region: a queue of team orders without a DLQ (drift). */
async function seedDrift(): Promise<void> {
  for (const account of [A, B, UNLISTED])
    for (const region of REGIONS)
      await sqsIn(account, region).send(
        new CreateQueueCommand({ QueueName: 'orders', tags: { team: 'orders' } }),
      );
}

async function redriveOf(account: string, region: string): Promise<string | undefined> {
  return ordersRedrive(sqsIn(account, region));
}

async function fixture(targets: string): Promise<{ policies: string; config: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-targets-'));
  const policies = await writeOrdersPolicy(dir);
  const config = path.join(dir, 'edaguard.yaml');
  await writeFile(config, `region: us-east-1\ntargets:\n${targets}`);
  return { policies, config };
}

const LISTED = `  regions: [us-east-1, eu-west-1]
  roleName: edaguard
  externalId: from-env
  accounts: ["${A}", "${B}"]
`;

describe('many accounts and regions', () => {
  it('one reconcile --once --config fixes all four targets; an unlisted account stays untouched', async () => {
    await seedDrift();
    const { policies, config } = await fixture(LISTED);
    // Drift on every target: plan exits 1, unless the CI job says --fail-on never.
    const planArgs = ['plan', '--policies', policies, '--config', config];
    expect((await cli(planArgs, { EDAGUARD_EXTERNAL_ID: 'shared-secret' })).code).toBe(1);
    const lenient = await cli([...planArgs, '--fail-on', 'never'], { EDAGUARD_EXTERNAL_ID: 'shared-secret' });
    expect(lenient.code).toBe(0);
    const run = await cli(
      ['reconcile', '--once', '--policies', policies, '--config', config, '--output', 'json'],
      {
        EDAGUARD_EXTERNAL_ID: 'shared-secret',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.kind).toBe('DriftReport');
    expect(report.targets.map((t: { target: string }) => t.target)).toEqual([
      `${A}/us-east-1`,
      `${A}/eu-west-1`,
      `${B}/us-east-1`,
      `${B}/eu-west-1`,
    ]);
    for (const t of report.targets) expect(t.summary.fixed, t.target).toBe(1);
    const fixed = report.results.filter((r: { status: string }) => r.status === 'fixed');
    expect(
      fixed.map((r: { target: string; resource: string }) => `${r.target} ${r.resource}`).sort(),
    ).toEqual(
      [A, B]
        .flatMap((acct) => REGIONS.map((region) => `${acct}/${region} arn:aws:sqs:${region}:${acct}:orders`))
        .sort(),
    );
    for (const account of [A, B])
      for (const region of REGIONS)
        expect(JSON.parse((await redriveOf(account, region)) ?? '{}'), `${account}/${region}`).toEqual({
          deadLetterTargetArn: `arn:aws:sqs:${region}:${account}:orders-dlq`,
          maxReceiveCount: 3,
        });
    for (const region of REGIONS) {
      expect(await redriveOf(UNLISTED, region)).toBeUndefined();
      const queues = await sqsIn(UNLISTED, region).send(new ListQueuesCommand({}));
      expect(queues.QueueUrls).toHaveLength(1);
    }

    // The table groups by target; --target restricts; an unknown target is bad input.
    const table = await cli(
      ['plan', '--policies', policies, '--config', config, '--target', `${B}/eu-west-1`],
      { EDAGUARD_EXTERNAL_ID: 'shared-secret' },
    );
    expect(table.code).toBe(0);
    // Resources, counted as reconcile counts them: all compliant after the fix.
    const counts = String.raw`\d+ resource\(s\): \d+ compliant, 0 fixed, 0 drifted`;
    expect(table.stdout).toMatch(new RegExp(`^== ${B}/eu-west-1 ==\\nPlan for ${B}/eu-west-1: ${counts}`));
    expect(table.stdout).not.toContain(`== ${A}/`);
    const unknown = await cli(
      ['plan', '--policies', policies, '--config', config, '--target', `${UNLISTED}/us-east-1`],
      {
        EDAGUARD_EXTERNAL_ID: 'shared-secret',
      },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      `known targets: ${A}/us-east-1, ${A}/eu-west-1, ${B}/us-east-1, ${B}/eu-west-1`,
    );
  });

  it('within one process, a second cycle makes zero writes and zero AssumeRole calls', async () => {
    await seedDrift();
    const { policies, config } = await fixture(LISTED);
    const io = { stdout: () => {}, stderr: () => {}, env: { ...process.env, EDAGUARD_EXTERNAL_ID: 'x' } };
    const scope = await targetScope(io, { config, targetConcurrency: '2' });
    const run = {
      settings: testSettings(),
      logger: recordingLogger().logger,
      policySet: await loadPolicyDir(policies),
      output: 'json',
      dryRun: false,
      concurrency: scope.concurrency,
    };
    const { selected, clientSets } = await prepareTargets(scope, run);
    try {
      const writes = (reports: DriftReport[]) => reports.map((r) => countWrites(r.awsCalls));
      const first = await reconcileTargets(selected, clientSets, run);
      expect(first.map((r) => r.summary.fixed)).toEqual([1, 1, 1, 1]);
      // One AssumeRole per account, shared by its regions.
      expect(clientSets.stsCounter.total({ operation: 'AssumeRole' })).toBe(2);
      const second = await reconcileTargets(selected, clientSets, run);
      expect(writes(second)).toEqual([0, 0, 0, 0]);
      expect(second.map((r) => r.summary.compliant)).toEqual([1, 1, 1, 1]);
      expect(clientSets.stsCounter.total({ operation: 'AssumeRole' })).toBe(2);
    } finally {
      clientSets.destroy();
    }
  });

  it('edaguard run with targets refuses --no-leader-election: the leases are how replicas share targets', async () => {
    const { policies, config } = await fixture(LISTED);
    const run = await cli(['run', '--policies', policies, '--config', config, '--no-leader-election'], {
      EDAGUARD_EXTERNAL_ID: 'x',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('leader election must stay on');
  });

  it('moto gap: AssumeRole of a role that does not exist succeeds (so a refused role cannot be seeded)', async () => {
    const sts = new STSClient({ region: 'us-east-1', endpoint: emulatorEndpoint(), credentials: base });
    open.push(sts);
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${B}:role/no-such-role`, RoleSessionName: 's' }),
    );
    expect(out.Credentials?.AccessKeyId).toBeDefined();
  });

  it('an unreachable target is reported as its own error; the others are fixed', async () => {
    await seedDrift();
    const { policies } = await fixture(LISTED);
    const settings = testSettings({ maxAttempts: 1 });
    const clientSets = new TargetClientSets({
      settings,
      assumeRole: { roleName: 'edaguard', sessionName: 'edaguard-test-1' },
      // B in eu-west-1 answers nothing (a region not enabled, a dead endpoint).
      create: (s, target) =>
        createAwsClients(
          target.accountId === B && target.region === 'eu-west-1'
            ? { ...s, endpoint: 'http://127.0.0.1:9' }
            : s,
        ),
    });
    try {
      const reports = await reconcileTargets(
        await resolveTargets({ regions: REGIONS, roleName: 'edaguard', accounts: [A, B] }, settings),
        clientSets,
        {
          settings,
          logger: recordingLogger().logger,
          policySet: await loadPolicyDir(policies),
          output: 'json',
          dryRun: false,
          concurrency: 4,
        },
      );
      expect(
        reports.map((r) => `${r.target.accountId}/${r.target.region}:${r.summary.fixed}/${r.summary.failed}`),
      ).toEqual([`${A}/us-east-1:1/0`, `${A}/eu-west-1:1/0`, `${B}/us-east-1:1/0`, `${B}/eu-west-1:0/1`]);
      expect(reports[3]?.results).toEqual([
        expect.objectContaining({ resource: `${B}/eu-west-1`, rule: 'read-error', status: 'failed' }),
      ]);
      expect(await redriveOf(B, 'us-east-1')).toBeDefined();
      expect(await redriveOf(B, 'eu-west-1')).toBeUndefined();
    } finally {
      clientSets.destroy();
    }
  });

  it("an AssumeRole that fails is reported as that target's sts:AssumeRole error", async () => {
    const { policies } = await fixture(LISTED);
    // STS does not answer (moto assumes any role, so a refusal cannot be seeded); the services do.
    const settings = testSettings({ maxAttempts: 1 });
    const clientSets = new TargetClientSets({
      settings: { ...settings, endpoint: 'http://127.0.0.1:9' },
      assumeRole: { roleName: 'edaguard', sessionName: 'edaguard-test-1' },
      create: (s) => createAwsClients({ ...s, endpoint: emulatorEndpoint() }),
    });
    try {
      const reports = await reconcileTargets([{ accountId: A, region: 'us-east-1' }], clientSets, {
        settings,
        logger: recordingLogger().logger,
        policySet: await loadPolicyDir(policies),
        output: 'json',
        dryRun: false,
        concurrency: 1,
      });
      expect(reports[0]?.results).toEqual([
        expect.objectContaining({
          resource: `${A}/us-east-1`,
          rule: 'read-error',
          status: 'failed',
          observed: expect.objectContaining({ operation: 'sts:AssumeRole' }),
        }),
      ]);
      expect(clientSets.stsCounter.total({ operation: 'AssumeRole' })).toBeGreaterThan(0);
    } finally {
      clientSets.destroy();
    }
  });

  it('organization: exactly the ACTIVE accounts with the tags, under the OU and the OUs beneath', async () => {
    const org = new OrganizationsClient({
      region: 'us-east-1',
      endpoint: emulatorEndpoint(),
      credentials: base,
    });
    open.push(org);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const ou = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'workloads' })))
      .OrganizationalUnit?.Id as string;
    const nested = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: ou, Name: 'team' })))
      .OrganizationalUnit?.Id as string;
    const account = async (name: string, parent: string, tagged: boolean) => {
      const out = await org.send(
        new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
      );
      const id = out.CreateAccountStatus?.AccountId as string;
      await org.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: parent }),
      );
      if (tagged)
        await org.send(
          new TagResourceCommand({ ResourceId: id, Tags: [{ Key: 'edaguard', Value: 'enabled' }] }),
        );
      return id;
    };
    const tagged = await account('tagged', ou, true);
    await account('untagged', ou, false);
    const deep = await account('deep', nested, true);
    const closed = await account('closed', ou, true);
    await org.send(new CloseAccountCommand({ AccountId: closed }));
    await account('elsewhere', rootId, true);

    const targets = await resolveTargets(
      {
        regions: ['us-east-1'],
        roleName: 'edaguard',
        organization: { parentIds: [ou], accountTags: { edaguard: 'enabled' } },
      },
      testSettings(),
    );
    expect(targets).toEqual([tagged, deep].sort().map((accountId) => ({ accountId, region: 'us-east-1' })));
  });
});
