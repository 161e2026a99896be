import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../src/errors.js';
import { loadPolicyPaths } from '../../../src/policy/loader.js';

const policy = (name: string, padding = '') => `# ${padding}
apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: ${name} }
spec:
  match: { tags: { team: ${name} } }
  rules: { dlq-not-empty: {} }
`;

async function issuesOf(paths: string[]): Promise<string[]> {
  try {
    await loadPolicyPaths(paths);
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.issues.map((i) => `${i.file}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('loadPolicyPaths: files and directories, with the limits of one directory', () => {
  it('reads files given one by one, and a directory given alone as loadPolicyDir does', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-paths-'));
    await writeFile(path.join(dir, 'a.yaml'), policy('a'));
    await writeFile(path.join(dir, 'b.yml'), policy('b'));
    const files = await loadPolicyPaths([path.join(dir, 'b.yml'), path.join(dir, 'a.yaml')]);
    expect(files.policies.map((p) => p.name).sort()).toEqual(['a', 'b']);
    expect((await loadPolicyPaths([dir])).policies).toHaveLength(2);
  });

  it('the byte limit holds for the files given together: nothing is read past 4 MiB', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-paths-'));
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      const file = path.join(dir, `p${i}.yaml`);
      await writeFile(file, policy(`p${i}`, 'x'.repeat(1_000_000)));
      files.push(file);
    }
    expect(await issuesOf(files)).toEqual([
      `${files[0]}: the policy files hold ${5 * policy('p0', 'x'.repeat(1_000_000)).length} bytes together; a policy directory may hold at most 4194304 bytes (4 MiB): nothing was read`,
    ]);
  });

  it('duplicate policy names across files given are found as in one directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-paths-'));
    await writeFile(path.join(dir, 'a.yaml'), policy('same'));
    await writeFile(path.join(dir, 'b.yaml'), policy('same'));
    const issues = await issuesOf([path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/duplicate policy name "same"/);
  });
});
