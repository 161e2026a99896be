import { opendir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PolicyIssue } from '../errors.js';
import { decodeUtf8 } from './fileText.js';
import { POLICY_LIMITS } from './limits.js';

const POLICY_FILE = /\.ya?ml$/i;

/**
 * Every YAML file under `dir`, recursively, sorted so that load order (and error order) is stable.
 * Hidden entries (a name starting with `.`) are skipped, and not descended into; a symlink to a
 * file counts as the file, a symlink to a directory is not followed: a Kubernetes ConfigMap
 * volume shows each file as a symlink into a hidden `..<timestamp>` directory, and a git-sync
 * checkout carries `.git`. Stops after `limit` + 1 files, so that a huge tree is not walked whole.
 */
export async function listPolicyFiles(dir: string, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const files: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const subdirectories: string[] = [];
    for await (const e of await opendir(current)) {
      if (e.name.startsWith('.')) continue;
      const entry = path.join(current, e.name);
      if (e.isDirectory()) subdirectories.push(entry);
      else if (POLICY_FILE.test(e.name)) {
        if (e.isFile() || (e.isSymbolicLink() && (await stat(entry).catch(() => undefined))?.isFile()))
          files.push(entry);
      }
      if (files.length > limit) return;
    }
    for (const sub of subdirectories.sort()) {
      if (files.length > limit) return;
      await walk(sub);
    }
  };
  await walk(dir);
  return files.sort();
}

export type PolicyFileRead = { file: string; text: string } | { issue: PolicyIssue };

/** A path as the user gave it when relative; an absolute one relative to the working directory. */
const shownPath = (file: string) =>
  path.isAbsolute(file) ? path.relative(process.cwd(), file) || file : file;

/**
 * Reads the listed files of `dir` as text, or gives each one's issue: a symlink that resolves
 * outside the directory, too large, not UTF-8, unreadable (e.g. removed since listed). When the
 * files together are over the directory's byte limit, nothing is read and that is the one issue.
 */
export async function readPolicyFiles(dir: string, files: readonly string[]): Promise<PolicyFileRead[]> {
  return readPolicyEntries(
    dir,
    files.map((file) => ({ file, dir })),
  );
}

/**
 * As readPolicyFiles, for files that each name the directory their symlinks must stay inside (the
 * directory given, or a file's own directory when the file was given by name); `label` is where
 * the issue of the files together goes. One byte limit for all of them, as for one directory.
 */
export async function readPolicyEntries(
  label: string,
  entries: ReadonlyArray<{ file: string; dir: string }>,
): Promise<PolicyFileRead[]> {
  const realDirs = new Map<string, Promise<string>>();
  const realDirOf = (dir: string): Promise<string> => {
    const known = realDirs.get(dir);
    if (known) return known;
    // A directory that cannot be resolved: its files then fail their own realpath, each an issue.
    const real = realpath(dir).catch(() => path.resolve(dir));
    realDirs.set(dir, real);
    return real;
  };
  const checked = await Promise.all(
    entries.map(async ({ file, dir }) => checkPolicyFile(file, await realDirOf(dir))),
  );
  const total = checked.reduce((sum, c) => sum + ('size' in c ? c.size : 0), 0);
  if (total > POLICY_LIMITS.directoryBytes) {
    return [
      {
        issue: atStart(
          label,
          `the policy files hold ${total} bytes together; a policy directory may hold at most ${POLICY_LIMITS.directoryBytes} bytes (4 MiB): nothing was read`,
        ),
      },
    ];
  }
  return Promise.all(checked.map((c) => ('issue' in c ? c : readChecked(c.file))));
}

const atStart = (file: string, message: string): PolicyIssue => ({
  file,
  line: 1,
  column: 1,
  path: '',
  message,
});

/** Where the file really is, and its size; checked before any byte is read. */
async function checkPolicyFile(
  file: string,
  realDir: string,
): Promise<{ file: string; size: number } | { issue: PolicyIssue }> {
  const shown = shownPath(file);
  try {
    const real = await realpath(file);
    const inside = path.relative(realDir, real);
    if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
      return {
        issue: atStart(
          shown,
          `is a symlink to ${real}, outside the policy directory ${realDir}: refused (links must stay inside the directory, as a ConfigMap's ..data and git-sync's links do)`,
        ),
      };
    }
    const { size } = await stat(real);
    if (size > POLICY_LIMITS.fileBytes) {
      return {
        issue: atStart(
          shown,
          `file is ${size} bytes; a policy file may hold at most ${POLICY_LIMITS.fileBytes} bytes (1 MiB)`,
        ),
      };
    }
    return { file, size };
  } catch (error) {
    return { issue: atStart(shown, `cannot read policy file: ${(error as Error).message}`) };
  }
}

async function readChecked(file: string): Promise<PolicyFileRead> {
  const shown = shownPath(file);
  try {
    const bytes = await readFile(file);
    // It may have grown since it was checked.
    if (bytes.length > POLICY_LIMITS.fileBytes) {
      return {
        issue: atStart(
          shown,
          `file is ${bytes.length} bytes; a policy file may hold at most ${POLICY_LIMITS.fileBytes} bytes (1 MiB)`,
        ),
      };
    }
    const decoded = decodeUtf8(bytes);
    if ('error' in decoded)
      return { issue: { file: shown, ...decoded.at, path: '', message: decoded.error } };
    return { file: shown, text: decoded.text };
  } catch (error) {
    return { issue: atStart(shown, `cannot read policy file: ${(error as Error).message}`) };
  }
}
