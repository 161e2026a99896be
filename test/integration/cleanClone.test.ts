/**
 * #14: a fresh clone runs. Clones the repository's committed HEAD into a temporary directory,
 * `npm ci --prefer-offline` (whose `prepare` builds dist/), then `npx edaguard --version`.
 * It takes about a minute with the npm cache the outer `npm ci` warmed (the registry otherwise);
 * EDAGUARD_CLEAN_CLONE_TEST=0 skips it (offline, or iterating on uncommitted work: what is not
 * committed is not in the clone).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runtime.js';

const exec = promisify(execFile);
const MINUTES = 60_000;

describe.skipIf(process.env.EDAGUARD_CLEAN_CLONE_TEST === '0')('a clean clone', () => {
  it(
    'npm ci && npx edaguard --version prints the version of package.json',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-clone-'));
      try {
        await exec('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, dir]);
        const env = { ...process.env, NODE_OPTIONS: '', npm_config_audit: 'false', npm_config_fund: 'false' };
        await exec('npm', ['ci', '--prefer-offline'], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
        const { stdout, stderr } = await exec('npx', ['--no-install', 'edaguard', '--version'], {
          cwd: dir,
          env,
        });
        const { version } = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
          version: string;
        };
        expect(stdout.split('\n')[0]).toBe(`edaguard ${version}`);
        expect(stdout).toContain(`Node.js ${process.version}`);
        expect(stderr).not.toContain('NodeVersionSupportWarning');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    20 * MINUTES,
  );
});
