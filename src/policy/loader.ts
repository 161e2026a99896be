import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type PolicyIssue, PolicyValidationError } from '../errors.js';
import { findCertainConflicts } from './conflicts.js';
import { IssueList, POLICY_LIMITS } from './limits.js';
import type { Policy, PolicySet } from './model.js';
import { parsePolicyFile } from './parsePolicyFile.js';
import { listPolicyFiles, readPolicyEntries, readPolicyFiles } from './policyFiles.js';
import type { TokenBudget } from './yamlDocuments.js';

export { listPolicyFiles } from './policyFiles.js';

/**
 * Reads and validates every policy under `dir`. Throws PolicyValidationError listing the problems
 * of every file at once (the first POLICY_LIMITS.listedIssues of them, then how many more);
 * returns only when the whole set is valid. The directory's limits (src/policy/limits.ts) are
 * checked before reading where they can be: file count and sizes, then YAML tokens and documents.
 */
export async function loadPolicyDir(dir: string): Promise<PolicySet> {
  const whole = (message: string) =>
    new PolicyValidationError([{ file: dir, line: 1, column: 1, path: '', message }]);
  let files: string[];
  try {
    files = await listPolicyFiles(dir, POLICY_LIMITS.filesPerDirectory);
  } catch (error) {
    throw whole(`cannot read policy directory: ${String(error)}`);
  }
  if (files.length === 0) throw whole('no policy files (*.yaml, *.yml) found');
  if (files.length > POLICY_LIMITS.filesPerDirectory) {
    throw whole(
      `more than ${POLICY_LIMITS.filesPerDirectory} policy files (*.yaml, *.yml); a policy directory may hold at most ${POLICY_LIMITS.filesPerDirectory}: nothing was read`,
    );
  }
  const issues = new IssueList();
  const sources: Array<{ file: string; text: string }> = [];
  for (const read of await readPolicyFiles(dir, files)) {
    if ('issue' in read) issues.add(read.issue);
    else sources.push(read);
  }
  const set = collectPolicies(sources, issues);
  if (issues.total > 0) throw new PolicyValidationError(issues.listed());
  if (set.policies.length === 0) {
    // Files that are all empty or comments: a run would select nothing, which is never what was meant.
    throw new PolicyValidationError(
      set.files.map((file) => ({
        file,
        line: 1,
        column: 1,
        path: '',
        message: 'no policy document in this file, nor in any other file of the directory',
      })),
    );
  }
  return set;
}

/**
 * As loadPolicyDir, for several paths, each a directory (read as loadPolicyDir reads one) or a
 * policy file (as pre-commit hooks pass them). The limits of one directory hold for all of them
 * together: files given one by one count against the same file and byte limits. A file given by
 * name may be a symlink inside its own directory, as in a policy directory.
 */
export async function loadPolicyPaths(paths: readonly string[]): Promise<PolicySet> {
  const [only] = paths;
  if (paths.length === 1 && only !== undefined && (await isDirectory(only))) return loadPolicyDir(only);
  const label = only ?? '.';
  const limit = POLICY_LIMITS.filesPerDirectory;
  const issues = new IssueList();
  const entries = new Map<string, { file: string; dir: string }>();
  for (const given of paths) {
    if (entries.size > limit) break;
    const at = { file: given, line: 1, column: 1, path: '' };
    if (await isDirectory(given)) {
      const listed = await listPolicyFiles(given, limit).catch((error: unknown) => {
        issues.add({ ...at, message: `cannot read policy directory: ${String(error)}` });
        return [];
      });
      for (const file of listed) entries.set(path.resolve(file), { file, dir: given });
    } else if (!/\.ya?ml$/i.test(given)) {
      issues.add({ ...at, message: 'not a policy file (*.yaml, *.yml) nor a directory' });
    } else entries.set(path.resolve(given), { file: given, dir: path.dirname(given) });
  }
  if (entries.size > limit) {
    throw new PolicyValidationError([
      {
        file: label,
        line: 1,
        column: 1,
        path: '',
        message: `more than ${limit} policy files (*.yaml, *.yml) given; one run may read at most ${limit}: nothing was read`,
      },
    ]);
  }
  const sources: Array<{ file: string; text: string }> = [];
  for (const read of await readPolicyEntries(label, [...entries.values()])) {
    if ('issue' in read) issues.add(read.issue);
    else sources.push(read);
  }
  const set = collectPolicies(sources, issues);
  if (issues.total > 0) throw new PolicyValidationError(issues.listed());
  if (set.policies.length === 0) {
    throw new PolicyValidationError([
      { file: label, line: 1, column: 1, path: '', message: 'no policy document in the files given' },
    ]);
  }
  return set;
}

const isDirectory = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

/** Pure: validates policy texts (file name → YAML) into a PolicySet or throws with its issues. */
export function parsePolicySources(sources: ReadonlyArray<{ file: string; text: string }>): PolicySet {
  const issues = new IssueList();
  const set = collectPolicies(sources, issues);
  if (issues.total > 0) throw new PolicyValidationError(issues.listed());
  return set;
}

/** The policies of `sources`; every problem goes to `issues` (the set is only valid without any). */
function collectPolicies(
  sources: ReadonlyArray<{ file: string; text: string }>,
  issues: IssueList,
): PolicySet {
  const policies: Policy[] = [];
  const budget: TokenBudget = { remaining: POLICY_LIMITS.yamlTokensPerDirectory };
  let documents = 0;
  for (const { file, text } of sources) {
    try {
      const room = POLICY_LIMITS.documentsPerDirectory - documents;
      documents += parsePolicyFile(file, text, issues, policies, { budget, room });
    } catch (error) {
      // A safety net: whatever yaml or zod throw on a strange input is that file's issue, not a crash.
      const e = error as { name?: string; message?: string };
      issues.add({
        file,
        line: 1,
        column: 1,
        path: '',
        message: `cannot parse: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
      });
    }
  }
  issues.addAll(findDuplicateNames(policies));
  if (issues.total === 0) {
    // Pair by pair (the same pairs, in the same order, as one call): the issues go to the bounded
    // list as they come, so a directory of policies that all conflict cannot exhaust memory.
    for (let i = 0; i < policies.length; i++) {
      for (let j = i + 1; j < policies.length; j++) {
        issues.addAll(findCertainConflicts([policies[i] as Policy, policies[j] as Policy]));
      }
    }
  }
  return { policies, files: sources.map((s) => s.file) };
}

/** A policy name defined twice: the second and later definitions, each pointing at the first. */
function findDuplicateNames(policies: readonly Policy[]): PolicyIssue[] {
  const seen = new Map<string, Policy>();
  const issues: PolicyIssue[] = [];
  for (const policy of policies) {
    const first = seen.get(policy.name);
    if (first) {
      issues.push({
        ...policy.nameLocation,
        path: 'metadata.name',
        message: `duplicate policy name "${policy.name}" (first defined at ${first.source.file}:${first.source.line})`,
      });
    } else seen.set(policy.name, policy);
  }
  return issues;
}
