import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});
