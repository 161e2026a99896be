/** #14 "Runnable": EDAGUARD_POLICIES for plan and reconcile, validate on files, no SDK Node warning. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, testSeeder, useCleanEmulator } from '../support/harness.js';
import { REPO_ROOT } from '../support/runtime.js';
import { SANDBOX_POLICY_DIR, seedSandbox } from '../support/sandbox.js';
import { type Seeder, snapshotAccount } from '../support/seed.js';

useCleanEmulator();

let seed: Seeder;
afterEach(() => seed?.destroy());

const policy = (name: string, rules = 'sqs-dead-letter-queue: {}') => `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: ${name} }
spec:
  match: { tags: { team: ${name} } }
  rules:
    ${rules}
`;

/** A temporary directory, named relative to the working directory (as a pre-commit hook names files). */
async function relativeTemp(): Promise<string> {
  return path.relative(process.cwd(), await mkdtemp(path.join(tmpdir(), 'edaguard-files-')));
}

describe('EDAGUARD_POLICIES for plan and reconcile', () => {
  it('is read when --policies is not given, as by run; writes nothing on plan and --dry-run', async () => {
    seed = testSeeder();
    await seedSandbox(seed);
    const before = await snapshotAccount(seed);
    const env = { EDAGUARD_POLICIES: SANDBOX_POLICY_DIR };
    const plan = await cli(['plan'], env);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toContain('CreateQueue orders-dlq');
    const dry = await cli(['reconcile', '--once', '--dry-run', '--output', 'json'], env);
    expect(dry.code, dry.stderr).toBe(1);
    expect(JSON.parse(dry.stdout)).toMatchObject({ kind: 'DriftReport', dryRun: true });
    expect(await snapshotAccount(seed)).toEqual(before);
  });

  it('--policies wins over the variable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-broken-'));
    await writeFile(path.join(dir, 'a.yaml'), 'kind: nope\n');
    const run = await cli(['plan', '--policies', dir], { EDAGUARD_POLICIES: SANDBOX_POLICY_DIR });
    expect(run.code).toBe(2);
  });

  it('neither given: a usage error naming both, exit 2', async () => {
    for (const args of [['plan'], ['reconcile', '--once']]) {
      const run = await cli(args, { EDAGUARD_POLICIES: '' });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toBe(
        'edaguard: no policy directory: pass --policies <dir> or set EDAGUARD_POLICIES (the same variable `run` reads)\n',
      );
    }
  });
});

describe('validate takes files and directories, several at once', () => {
  it('files one by one and a directory: paths printed as given', async () => {
    const dir = await relativeTemp();
    await mkdir(path.join(dir, 'more'));
    const good = path.join(dir, 'good.yaml');
    const broken = `./${path.join(dir, 'broken.yaml')}`;
    await writeFile(good, policy('good'));
    await writeFile(
      broken,
      policy('broken', 'sqs-dead-letter-queue: { maxReceiveCount: { min: 9, max: 3 } }'),
    );
    await writeFile(path.join(dir, 'more', 'other.yaml'), policy('other'));

    const ok = await cli(['validate', good, path.join(dir, 'more'), '--format', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      valid: true,
      policies: ['good', 'other'],
      files: [good, path.join(dir, 'more', 'other.yaml')],
    });
    const text = await cli(['validate', good, path.join(dir, 'more')]);
    expect(text.stdout).toBe('2 policies in 2 file(s): valid\n');

    const bad = await cli(['validate', good, broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`^${broken.replace(/[./]/g, '\\$&')}:7:`));
  });

  it('a file that is not YAML, or missing, is an issue of its own', async () => {
    const dir = await relativeTemp();
    const notes = path.join(dir, 'notes.md');
    await writeFile(notes, '# notes\n');
    const run = await cli(['validate', notes, path.join(dir, 'missing.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${notes}:1:1 not a policy file (*.yaml, *.yml) nor a directory`);
    expect(run.stderr).toContain(`${path.join(dir, 'missing.yaml')}:1:1 cannot read policy file`);
  });

  it('a file given by name may not be a symlink out of its own directory', async () => {
    const outside = await relativeTemp();
    const dir = await relativeTemp();
    await writeFile(path.join(outside, 'real.yaml'), policy('real'));
    const link = path.join(dir, 'link.yaml');
    await symlink(path.resolve(outside, 'real.yaml'), link);
    const run = await cli(['validate', link]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${link}:1:1 is a symlink to`);
    expect(run.stderr).toContain('outside the policy directory');
  });

  it('files given one by one count against the limits of one directory', async () => {
    const dir = await relativeTemp();
    const files: string[] = [];
    for (let i = 0; i < 201; i++) {
      const file = path.join(dir, `p${i}.yaml`);
      await writeFile(file, policy(`p${i}`));
      files.push(file);
    }
    const run = await cli(['validate', ...files]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'more than 200 policy files (*.yaml, *.yml) given; one run may read at most 200: nothing was read',
    );
    const some = await cli(['validate', ...files.slice(0, 150), dir]);
    expect(some.code).toBe(2);
    expect(some.stderr).toContain('more than 200 policy files');
    // The same file twice (a directory and a file in it) is read once.
    const twice = await cli(['validate', dir, files[0] as string]);
    expect(twice.stderr).toContain('more than 200 policy files');
    const once = await cli(['validate', ...files.slice(0, 3), files[0] as string]);
    expect(once.stdout).toBe('3 policies in 3 file(s): valid\n');
  });
});

describe('no SDK Node-version warning', () => {
  const exec = promisify(execFile);
  const planThroughMain = async (env: NodeJS.ProcessEnv) => {
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _, ...rest } = process.env;
    return exec(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', 'plan', '--policies', SANDBOX_POLICY_DIR],
      {
        cwd: REPO_ROOT,
        env: { ...rest, NODE_OPTIONS: '', ...env },
      },
    ).catch((error: { stdout: string; stderr: string; code: number }) => error);
  };

  it.skipIf(Number.parseInt(process.versions.node, 10) >= 22)(
    'plan builds clients and prints no NodeVersionSupportWarning (the SDK prints it when asked to)',
    async () => {
      const quiet = await planThroughMain({});
      expect(quiet.stdout).toContain('Plan for');
      expect(quiet.stderr).not.toContain('NodeVersionSupportWarning');
      const loud = await planThroughMain({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
      expect(loud.stderr).toContain('NodeVersionSupportWarning');
    },
  );
});
