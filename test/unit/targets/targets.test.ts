import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../../src/config/file.js';
import { ConfigError } from '../../../src/errors.js';
import { buildDriftReport } from '../../../src/report/driftReport.js';
import {
  combinePlans,
  combineReports,
  multiExitCode,
  multiPlanExitCode,
  renderMultiReportTable,
  targetErrorReport,
} from '../../../src/report/multiTarget.js';
import { cachedProvider, roleArn, roleSessionName } from '../../../src/targets/credentials.js';
import {
  crossTargets,
  parseTargetConcurrency,
  selectTargets,
  toTarget,
} from '../../../src/targets/targetRef.js';

const errorsOf = (text: string): string => {
  try {
    parseConfigFile('edaguard.yaml', text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('targets in the config file', () => {
  it('accepts accounts or an organization, next to flat settings', () => {
    const file = parseConfigFile(
      'edaguard.yaml',
      `region: us-east-1
targets:
  regions: [us-east-1, eu-west-1]
  roleName: edaguard
  externalId: from-env
  accounts: ["111111111111", "222222222222"]
`,
    );
    expect(file.env).toEqual({ AWS_REGION: 'us-east-1' });
    expect(file.targets).toEqual({
      regions: ['us-east-1', 'eu-west-1'],
      roleName: 'edaguard',
      externalId: 'from-env',
      accounts: ['111111111111', '222222222222'],
    });
    const org = parseConfigFile(
      'edaguard.yaml',
      `targets:
  regions: [us-east-1]
  roleName: edaguard
  organization: { parentIds: [ou-abcd-11111111], accountTags: { edaguard: enabled } }
`,
    );
    expect(org.targets?.organization).toEqual({
      parentIds: ['ou-abcd-11111111'],
      accountTags: { edaguard: 'enabled' },
    });
  });

  it('a file without targets parses as before', () => {
    expect(parseConfigFile('c.yaml', 'region: eu-west-1\n')).toEqual({
      path: 'c.yaml',
      env: { AWS_REGION: 'eu-west-1' },
    });
  });

  it('names file, line and field of each problem', () => {
    const message = errorsOf(`targets:
  regions: []
  roleName: edaguard
  externalId: s3cret
  accounts: ["111111111111", 22222222222, "12345"]
`);
    expect(message).toContain('edaguard.yaml:2:');
    expect(message).toContain('targets.regions: needs at least one region');
    expect(message).toContain('edaguard.yaml:4:15: targets.externalId: must be "from-env"');
    expect(message).toMatch(/edaguard\.yaml:5:\d+: targets\.accounts\.1: must be a quoted 12-digit/);
    expect(message).toMatch(/edaguard\.yaml:5:\d+: targets\.accounts\.2: must be a 12-digit account id/);
  });

  it('wants accounts XOR organization, and a role name', () => {
    expect(
      errorsOf(`targets:
  regions: [us-east-1]
  roleName: edaguard
  accounts: ["111111111111"]
  organization: { parentIds: [r-ab12] }
`),
    ).toContain('edaguard.yaml:2:3: targets: give either accounts or organization');
    expect(errorsOf('targets:\n  regions: [us-east-1]\n  accounts: ["111111111111"]\n')).toContain(
      'targets.roleName',
    );
    expect(errorsOf('targets:\n  regions: [us-east-1]\n  roleName: x\n')).toContain(
      'give either accounts or organization',
    );
    expect(
      errorsOf('targets:\n  regions: [moon-1]\n  roleName: x\n  accounts: ["111111111111"]\n'),
    ).toContain('edaguard.yaml:2:13: targets.regions.0: must be a region');
    expect(
      errorsOf('targets:\n  regions: [us-east-1]\n  roleName: x\n  organization: { parentIds: [nope] }\n'),
    ).toMatch(/edaguard\.yaml:4:\d+: targets\.organization\.parentIds\.0: must be a root or OU id/);
  });
});

describe('--target and --target-concurrency', () => {
  const all = crossTargets(['111111111111', '222222222222'], ['us-east-1', 'eu-west-1']);

  it('every account in every region, once', () => {
    expect(all.map((t) => `${t.accountId}/${t.region}`)).toEqual([
      '111111111111/us-east-1',
      '111111111111/eu-west-1',
      '222222222222/us-east-1',
      '222222222222/eu-west-1',
    ]);
    expect(crossTargets(['111111111111', '111111111111'], ['us-east-1'])).toHaveLength(1);
  });

  it('restricts to the named targets; an unknown one is bad input listing the known', () => {
    expect(selectTargets(all, undefined)).toEqual(all);
    expect(selectTargets(all, ['222222222222/eu-west-1'])).toEqual([
      { accountId: '222222222222', region: 'eu-west-1' },
    ]);
    expect(() => selectTargets(all, ['333333333333/us-east-1'])).toThrow(ConfigError);
    expect(() => selectTargets(all, ['333333333333/us-east-1'])).toThrow(
      /unknown target\(s\) "333333333333\/us-east-1"; known targets: 111111111111\/us-east-1, 111111111111\/eu-west-1/,
    );
  });

  it('target concurrency: 1 to 64, default 4', () => {
    expect(parseTargetConcurrency(undefined, {})).toBe(4);
    expect(parseTargetConcurrency('8', {})).toBe(8);
    expect(parseTargetConcurrency(undefined, { EDAGUARD_TARGET_CONCURRENCY: '2' })).toBe(2);
    expect(() => parseTargetConcurrency('0', {})).toThrow(
      /--target-concurrency: must be an integer from 1 to 64/,
    );
    expect(() => parseTargetConcurrency(undefined, { EDAGUARD_TARGET_CONCURRENCY: '65' })).toThrow(
      /EDAGUARD_TARGET_CONCURRENCY/,
    );
  });
});

describe('credentials', () => {
  it('the session name names the process, at most 64 valid characters', () => {
    expect(roleSessionName('ip-10-0-1-2.ec2.internal', 4242)).toBe('edaguard-ip-10-0-1-2.ec2.internal-4242');
    const long = roleSessionName('a'.repeat(200), 123456);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^edaguard-a+-123456$/);
    expect(roleSessionName('my host/ü', 1)).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(roleArn('111111111111', 'edaguard', 'cn-north-1')).toBe(
      'arn:aws-cn:iam::111111111111:role/edaguard',
    );
  });

  it('the provider is asked once until the credentials near expiry; a failure is not kept', async () => {
    let now = 0;
    let calls = 0;
    let fail = true;
    const provider = cachedProvider(
      async () => {
        calls += 1;
        if (fail) throw new Error('AccessDenied');
        return { accessKeyId: 'a', secretAccessKey: 'b', expiration: new Date(now + 3_600_000) };
      },
      () => now,
    );
    await expect(provider()).rejects.toThrow('AccessDenied');
    fail = false;
    await Promise.all([provider(), provider(), provider()]);
    expect(calls).toBe(2);
    now = 3_600_000 - 6 * 60_000;
    await provider();
    expect(calls).toBe(2);
    now = 3_600_000 - 4 * 60_000;
    await provider();
    expect(calls).toBe(3);
  });
});

describe('the report of many targets', () => {
  const ok = buildDriftReport({
    target: toTarget({ accountId: '111111111111', region: 'us-east-1' }),
    startedAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: new Date('2026-01-01T00:00:01Z'),
    dryRun: false,
    results: [],
    awsCalls: [{ service: 'SQS', operation: 'ListQueues', outcome: 'success', count: 2 }],
  });
  const down = targetErrorReport(
    { accountId: '222222222222', region: 'eu-west-1' },
    { operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'not authorized' },
    new Date('2026-01-01T00:00:02Z'),
    false,
  );

  it('one JSON document: every result carries its target, a summary per target', () => {
    const combined = combineReports([ok, down], false);
    expect(combined.kind).toBe('DriftReport');
    expect(combined.results).toEqual([
      expect.objectContaining({
        target: '222222222222/eu-west-1',
        resource: '222222222222/eu-west-1',
        rule: 'read-error',
        status: 'failed',
      }),
    ]);
    expect(combined.targets.map((t) => [t.target, t.summary.failed])).toEqual([
      ['111111111111/us-east-1', 0],
      ['222222222222/eu-west-1', 1],
    ]);
    expect(combined.summary.failed).toBe(1);
    expect(combined.awsCalls).toEqual(ok.awsCalls);
    expect(combined.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(multiExitCode([ok])).toBe(0);
    expect(multiExitCode([ok, down])).toBe(1);
    expect(multiExitCode([ok, down], 'never')).toBe(0);
  });

  it('the exit code is the worst of the targets: 1 over 3 over 0, per --fail-on', () => {
    const tickets = { ...ok, results: down.results.map((r) => ({ ...r, status: 'ticket' as const })) };
    expect(multiExitCode([ok, tickets])).toBe(3);
    expect(multiExitCode([ok, tickets], 'drift')).toBe(0);
    expect(multiExitCode([tickets, down])).toBe(1);
  });

  it('the table groups by target, within the width', () => {
    const text = renderMultiReportTable([ok, down], { width: 80 });
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(text).toMatch(/^== 111111111111\/us-east-1 ==\nReconciled 111111111111\/us-east-1/);
    expect(text).toContain('== 222222222222/eu-west-1 ==');
    expect(text).toContain('unreachable');
  });

  it('plan: an unreachable target is a failed read-error result of resource <account>/<region>', () => {
    const ref = { accountId: '222222222222', region: 'eu-west-1' };
    const json = combinePlans([
      { ref, failure: { operation: 'discovery', code: 'ECONNREFUSED', message: 'x' } },
    ]);
    expect(json).toMatchObject({ kind: 'DriftReport', dryRun: true });
    expect(json.results).toEqual([
      expect.objectContaining({
        target: '222222222222/eu-west-1',
        resource: '222222222222/eu-west-1',
        rule: 'read-error',
        status: 'failed',
      }),
    ]);
    expect(json.targets[0]).toMatchObject({ target: '222222222222/eu-west-1', accountId: '222222222222' });
  });

  it('plan exit code: the worst over the targets; an unreachable one is an error (1)', () => {
    const ref = { accountId: '111111111111', region: 'us-east-1' };
    const planOf = (...statuses: Array<'pass' | 'ticket' | 'drift' | 'busy'>) => ({
      ref,
      value: { target: toTarget(ref), findings: statuses.map((status) => ({ status }) as never) },
    });
    const unreachable = { ref, failure: { operation: 'discovery', code: 'ECONNREFUSED', message: 'x' } };
    expect(multiPlanExitCode([planOf('pass'), planOf()])).toBe(0);
    expect(multiPlanExitCode([planOf('pass'), planOf('ticket')])).toBe(3);
    expect(multiPlanExitCode([planOf('ticket'), planOf('busy')])).toBe(1);
    expect(multiPlanExitCode([planOf('ticket'), planOf('drift')], 'drift')).toBe(1);
    expect(multiPlanExitCode([planOf('ticket')], 'drift')).toBe(0);
    expect(multiPlanExitCode([planOf('ticket'), unreachable])).toBe(1);
    expect(multiPlanExitCode([unreachable], 'never')).toBe(0);
  });
});
