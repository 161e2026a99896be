import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../src/errors.js';
import { listPolicyFiles, loadPolicyDir } from '../../../src/policy/loader.js';
import { dlqPolicy } from '../../support/runtime.js';

/** How a ConfigMap volume looks on disk: files are symlinks into a hidden, timestamped directory. */
async function configMapVolume(dir: string, files: Record<string, string>, stamp: string) {
  await mkdir(path.join(dir, stamp));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, stamp, name), text);
  await rm(path.join(dir, '..data'), { force: true });
  await symlink(stamp, path.join(dir, '..data'));
  for (const name of Object.keys(files)) {
    await rm(path.join(dir, name), { force: true });
    await symlink(path.join('..data', name), path.join(dir, name));
  }
}

describe('policy directory mounted from a ConfigMap or synced by git-sync', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edaguard-volume-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the visible files (symlinks) once, never the hidden timestamped copies', async () => {
    await configMapVolume(dir, { 'orders.yaml': dlqPolicy({ name: 'orders' }) }, '..2030_01_01_00_00_00.1');
    // Mid-update, kubelet briefly keeps the previous timestamped directory next to the new one.
    await configMapVolume(
      dir,
      { 'orders.yaml': dlqPolicy({ name: 'orders', enforcement: 'audit' }) },
      '..2030_01_01_00_01_00.2',
    );
    expect(await listPolicyFiles(dir)).toEqual([path.join(dir, 'orders.yaml')]);
    const set = await loadPolicyDir(dir);
    expect(set.policies.map((p) => [p.name, p.enforcement])).toEqual([['orders', 'audit']]);
  });

  it('skips .git and other hidden directories of a checkout', async () => {
    await mkdir(path.join(dir, '.git', 'refs'), { recursive: true });
    await writeFile(path.join(dir, '.git', 'refs', 'x.yaml'), 'not: a policy');
    await mkdir(path.join(dir, 'team'));
    await writeFile(path.join(dir, 'team', 'runtime.yaml'), dlqPolicy());
    await symlink(path.join(dir, 'missing.yaml'), path.join(dir, 'dangling.yaml'));
    expect(await listPolicyFiles(dir)).toEqual([path.join(dir, 'team', 'runtime.yaml')]);
  });

  it('a git-sync checkout: the directory is reached through its link, and links inside it work', async () => {
    // git-sync v4: <root>/.worktrees/<commit>/ holds the checkout, <root>/<link> points at it.
    const checkout = path.join(dir, '.worktrees', '0123abc');
    await mkdir(path.join(checkout, 'policies', 'templates'), { recursive: true });
    await mkdir(path.join(checkout, 'policies', 'team'));
    // A link inside the repository: the target itself is no policy file (not *.yaml).
    await writeFile(
      path.join(checkout, 'policies', 'templates', 'orders.tmpl'),
      dlqPolicy({ name: 'orders' }),
    );
    await symlink(
      path.join('..', 'templates', 'orders.tmpl'),
      path.join(checkout, 'policies', 'team', 'orders.yml'),
    );
    await writeFile(
      path.join(checkout, 'policies', 'billing.yaml'),
      dlqPolicy({ name: 'billing', team: 'billing' }),
    );
    await symlink(path.join('.worktrees', '0123abc'), path.join(dir, 'current'));

    for (const policies of [path.join(dir, 'current', 'policies'), path.join(dir, 'current')]) {
      const set = await loadPolicyDir(policies);
      expect(set.policies.map((p) => p.name).sort()).toEqual(['billing', 'orders']);
    }
  });

  it('a symlink that resolves outside the directory is refused, naming the link and its target', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'edaguard-outside-'));
    try {
      await writeFile(path.join(outside, 'other.yaml'), dlqPolicy({ name: 'other' }));
      await writeFile(path.join(dir, 'orders.yaml'), dlqPolicy({ name: 'orders', team: 'orders' }));
      await symlink(path.join(outside, 'other.yaml'), path.join(dir, 'other.yaml'));
      await symlink(path.join('..', path.basename(outside), 'other.yaml'), path.join(dir, 'relative.yaml'));
      const error = await loadPolicyDir(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolicyValidationError);
      const shown = (file: string) => path.relative(process.cwd(), path.join(dir, file));
      const target = path.join(await realpath(outside), 'other.yaml');
      const realDir = await realpath(dir);
      expect((error as PolicyValidationError).issues).toEqual(
        ['other.yaml', 'relative.yaml'].map((file) => ({
          file: shown(file),
          line: 1,
          column: 1,
          path: '',
          message: `is a symlink to ${target}, outside the policy directory ${realDir}: refused (links must stay inside the directory, as a ConfigMap's ..data and git-sync's links do)`,
        })),
      );
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
