import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Document, isMap, isScalar, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { type PolicyIssue, PolicyValidationError } from '../errors.js';
import { findCertainConflicts } from './conflicts.js';
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
  const sources = await Promise.all(
    files.map(async (file) => ({
      file: path.relative(process.cwd(), file) || file,
      text: await readFile(file, 'utf8'),
    })),
  );
  return parsePolicySources(sources);
}

/** Pure: validates policy texts (file name → YAML) into a PolicySet or throws with every issue. */
export function parsePolicySources(sources: ReadonlyArray<{ file: string; text: string }>): PolicySet {
  const issues: PolicyIssue[] = [];
  const policies: Policy[] = [];
  for (const { file, text } of sources) {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [];
    for (const doc of list) {
      const at = (offset: number): { line: number; column: number } => {
        const pos = lineCounter.linePos(offset);
        return { line: pos.line, column: pos.col };
      };
      if (doc.errors.length > 0) {
        for (const err of doc.errors) {
          issues.push({ file, ...at(err.pos[0]), path: '', message: `YAML: ${err.message.split('\n')[0]}` });
        }
        continue;
      }
      // An empty document, e.g. after a trailing `---`: yaml gives it no contents or a null scalar.
      if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
      const parsed = ReliabilityPolicySchema.safeParse(doc.toJS());
      if (!parsed.success) {
        for (const issue of parsed.error.issues) issues.push(...locateZodIssue(file, doc, issue, at));
        continue;
      }
      policies.push(toPolicy(file, doc, parsed.data, at));
    }
  }
  issues.push(...findDuplicateNames(policies));
  if (issues.length === 0) issues.push(...findCertainConflicts(policies));
  if (issues.length > 0) throw new PolicyValidationError(sortIssues(issues));
  return { policies, files: sources.map((s) => s.file) };
}

type At = (offset: number) => { line: number; column: number };

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
