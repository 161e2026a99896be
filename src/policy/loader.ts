import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  visit,
} from 'yaml';
import type { z } from 'zod';
import { type PolicyIssue, PolicyValidationError } from '../errors.js';
import { findCertainConflicts } from './conflicts.js';
import { decodeUtf8, MAX_POLICY_FILE_BYTES } from './fileText.js';
import type { Policy, PolicySet, SourceLocation } from './model.js';
import {
  type ReliabilityPolicyDocument,
  ReliabilityPolicySchema,
  type ResourceType,
  RULE_IDS,
  RULE_RESOURCE_TYPES,
  type RuleId,
} from './schema.js';

const POLICY_FILE = /\.ya?ml$/i;

/**
 * Every YAML file under `dir`, recursively, sorted so that load order (and error order) is stable.
 * Hidden entries (a segment starting with `.`) are skipped and a symlink to a file counts as the
 * file: a Kubernetes ConfigMap volume shows each file as a symlink into a hidden `..<timestamp>`
 * directory, and a git-sync checkout carries `.git`.
 */
export async function listPolicyFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    if (!POLICY_FILE.test(e.name)) continue;
    const file = path.join(e.parentPath, e.name);
    if (
      path
        .relative(dir, file)
        .split(path.sep)
        .some((segment) => segment.startsWith('.'))
    )
      continue;
    if (e.isFile() || (e.isSymbolicLink() && (await stat(file).catch(() => undefined))?.isFile()))
      files.push(file);
  }
  return files.sort();
}

/**
 * Reads and validates every policy under `dir`. Throws PolicyValidationError listing every
 * problem in every file at once; returns only when the whole set is valid.
 */
export async function loadPolicyDir(dir: string): Promise<PolicySet> {
  let files: string[];
  try {
    files = await listPolicyFiles(dir);
  } catch (error) {
    throw new PolicyValidationError([
      { file: dir, line: 1, column: 1, path: '', message: `cannot read policy directory: ${String(error)}` },
    ]);
  }
  if (files.length === 0) {
    throw new PolicyValidationError([
      { file: dir, line: 1, column: 1, path: '', message: 'no policy files (*.yaml, *.yml) found' },
    ]);
  }
  const issues: PolicyIssue[] = [];
  const sources: Array<{ file: string; text: string }> = [];
  for (const read of await Promise.all(files.map(readPolicyFile))) {
    if ('issue' in read) issues.push(read.issue);
    else sources.push(read);
  }
  let set: PolicySet | undefined;
  try {
    set = parsePolicySources(sources);
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0) throw new PolicyValidationError(sortIssues(issues));
  if (set && set.policies.length === 0) {
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
  return set as PolicySet;
}

/** One file's text, or an issue: too large, not UTF-8, or unreadable (e.g. removed since listed). */
async function readPolicyFile(
  file: string,
): Promise<{ file: string; text: string } | { issue: PolicyIssue }> {
  const shown = path.relative(process.cwd(), file) || file;
  const issueAt = (where: { line: number; column: number }, message: string) => ({
    issue: { file: shown, ...where, path: '', message },
  });
  try {
    // Checked before reading, so a huge file is never loaded into memory.
    const { size } = await stat(file);
    if (size > MAX_POLICY_FILE_BYTES) {
      return issueAt(
        { line: 1, column: 1 },
        `file is ${size} bytes; a policy file may hold at most ${MAX_POLICY_FILE_BYTES} bytes (1 MiB)`,
      );
    }
    const decoded = decodeUtf8(await readFile(file));
    return 'error' in decoded ? issueAt(decoded.at, decoded.error) : { file: shown, text: decoded.text };
  } catch (error) {
    return issueAt({ line: 1, column: 1 }, `cannot read policy file: ${(error as Error).message}`);
  }
}

/** Pure: validates policy texts (file name → YAML) into a PolicySet or throws with every issue. */
export function parsePolicySources(sources: ReadonlyArray<{ file: string; text: string }>): PolicySet {
  const issues: PolicyIssue[] = [];
  const policies: Policy[] = [];
  for (const { file, text } of sources) {
    try {
      parseFile(file, text, issues, policies);
    } catch (error) {
      // A safety net: whatever yaml or zod throw on a strange input is that file's issue, not a crash.
      const e = error as { name?: string; message?: string };
      issues.push({
        file,
        line: 1,
        column: 1,
        path: '',
        message: `cannot parse: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
      });
    }
  }
  issues.push(...findDuplicateNames(policies));
  if (issues.length === 0) issues.push(...findCertainConflicts(policies));
  if (issues.length > 0) throw new PolicyValidationError(sortIssues(issues));
  return { policies, files: sources.map((s) => s.file) };
}

/** Parses one file's documents into `policies`, or its problems into `issues`. */
function parseFile(file: string, text: string, issues: PolicyIssue[], policies: Policy[]): void {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    // Warnings (e.g. a list used as a key) would go to the process's stderr; the schema reports them.
    logLevel: 'error',
  });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const at = (offset: number): { line: number; column: number } => {
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    };
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        // Name the duplicated key: yaml's own message does not.
        const key =
          err.code === 'DUPLICATE_KEY' ? ` ("${/^[^:\n]*/.exec(text.slice(err.pos[0]))?.[0].trim()}")` : '';
        issues.push({
          file,
          ...at(err.pos[0]),
          path: '',
          message: `YAML: ${err.message.split('\n')[0]}${key}`,
        });
      }
      continue;
    }
    // An empty document, e.g. after a trailing `---`: yaml gives it no contents or a null scalar.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    if (!isMap(doc.contents)) {
      const got = isSeq(doc.contents)
        ? 'a list'
        : isScalar(doc.contents)
          ? `a ${typeof doc.contents.value}`
          : 'an alias';
      issues.push({
        file,
        ...at(nodeOffset(doc, [])),
        path: '',
        message: `a policy document is a mapping (apiVersion, kind, metadata, spec), not ${got}`,
      });
      continue;
    }
    const js = toPlainValue(doc);
    if ('issue' in js) {
      issues.push({ file, ...at(js.issue.offset), path: '', message: js.issue.message });
      continue;
    }
    const parsed = ReliabilityPolicySchema.safeParse(js.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push(...locateZodIssue(file, doc, issue, at));
      continue;
    }
    policies.push(toPolicy(file, doc, parsed.data, at));
  }
}

type At = (offset: number) => { line: number; column: number };

/** yaml's alias limit: expanding more aliases than this is a "billion laughs" attack, not a policy. */
export const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. yaml throws (a ReferenceError) for an alias bomb or an alias
 * without its anchor; both become an issue at the first alias instead of a crash.
 */
function toPlainValue(doc: Document): { value: unknown } | { issue: { offset: number; message: string } } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const reason = (error as Error).message;
    const message = /excessive alias count/i.test(reason)
      ? `YAML: the aliases expand to too much data (more than ${MAX_ALIAS_COUNT} alias references): refusing a resource-exhaustion ("billion laughs") document`
      : `YAML: ${reason}`;
    return { issue: { offset, message } };
  }
}

function toPolicy(file: string, doc: Document, data: ReliabilityPolicyDocument, at: At): Policy {
  const ruleIds = RULE_IDS.filter((id) => data.spec.rules[id] !== undefined);
  const resourceTypes: ResourceType[] = data.spec.match.resourceTypes ?? [
    ...new Set(ruleIds.flatMap((id) => RULE_RESOURCE_TYPES[id])),
  ];
  const ruleLocations: Partial<Record<RuleId, SourceLocation>> = {};
  for (const id of ruleIds) ruleLocations[id] = { file, ...at(nodeOffset(doc, ['spec', 'rules', id])) };
  return {
    name: data.metadata.name,
    enforcement: data.spec.enforcement,
    resourceTypes,
    matchTags: data.spec.match.tags,
    excludeTags: data.spec.exclude.tags,
    ticketWhenTagged: data.spec.ownership?.ticketWhenTagged ?? [],
    rules: data.spec.rules,
    source: { file, ...at(nodeOffset(doc, [])) },
    nameLocation: { file, ...at(nodeOffset(doc, ['metadata', 'name'])) },
    ruleLocations,
    document: data,
  };
}

/** Offset of the node at `fieldPath`, or of its nearest existing ancestor (for a missing field). */
function nodeOffset(doc: Document, fieldPath: ReadonlyArray<PropertyKey>): number {
  for (let depth = fieldPath.length; depth >= 0; depth--) {
    const node = doc.getIn(fieldPath.slice(0, depth), true) as Node | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return 0;
}

/** Offset of a mapping's key (for "unknown field" errors, which point at the key itself). */
function keyOffset(doc: Document, parentPath: ReadonlyArray<PropertyKey>, key: string): number | undefined {
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (!isMap(parent)) return undefined;
  for (const pair of parent.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return pair.key.range[0];
  }
  return undefined;
}

function locateZodIssue(file: string, doc: Document, issue: z.core.$ZodIssue, at: At): PolicyIssue[] {
  const fieldPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const dotted = (p: ReadonlyArray<PropertyKey>) => p.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const isRules = dotted(fieldPath) === 'spec.rules';
      return {
        file,
        ...at(keyOffset(doc, fieldPath, key) ?? nodeOffset(doc, fieldPath)),
        path: dotted([...fieldPath, key]),
        message: isRules
          ? `unknown rule "${key}" (known rules: ${RULE_IDS.join(', ')})`
          : `unknown field "${key}"`,
      };
    });
  }
  const exists = doc.getIn(fieldPath, true) !== undefined || fieldPath.length === 0;
  const message = exists
    ? issue.message
    : `required field is missing (${issue.message.replace(/^Invalid input: /, '')})`;
  return [{ file, ...at(nodeOffset(doc, fieldPath)), path: dotted(fieldPath), message }];
}

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

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
