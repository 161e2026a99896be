import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, visit } from 'yaml';
import type { z } from 'zod';
import { type PolicyIssue, PolicyValidationError } from '../errors.js';
import { findCertainConflicts } from './conflicts.js';
import { IssueList, POLICY_LIMITS } from './limits.js';
import type { Policy, PolicySet, SourceLocation } from './model.js';
import { listPolicyFiles, readPolicyFiles } from './policyFiles.js';
import {
  type ReliabilityPolicyDocument,
  ReliabilityPolicySchema,
  type ResourceType,
  RULE_IDS,
  RULE_RESOURCE_TYPES,
  type RuleId,
} from './schema.js';
import {
  type BudgetStop,
  budgetedDocuments,
  duplicateKeyOffsets,
  type TokenBudget,
} from './yamlDocuments.js';

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
      documents += parseFile(file, text, issues, policies, { budget, room });
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

/** What stopped a file's documents, in words. */
function stopMessage(stop: BudgetStop, room: number): string {
  switch (stop.kind) {
    case 'file-tokens':
      return `more than ${POLICY_LIMITS.yamlTokensPerFile} YAML tokens in this file; a policy file may hold at most ${POLICY_LIMITS.yamlTokensPerFile}: the rest was not read`;
    case 'directory-tokens':
      return `more than ${POLICY_LIMITS.yamlTokensPerDirectory} YAML tokens in the policy directory's files together; a directory may hold at most ${POLICY_LIMITS.yamlTokensPerDirectory}: the rest was not read`;
    default:
      return room < POLICY_LIMITS.documentsPerFile
        ? `more than ${POLICY_LIMITS.documentsPerDirectory} YAML documents in the policy directory's files together; a directory may hold at most ${POLICY_LIMITS.documentsPerDirectory}: the rest was not read`
        : `more than ${POLICY_LIMITS.documentsPerFile} YAML documents in this file; a policy file may hold at most ${POLICY_LIMITS.documentsPerFile}: the rest was not read`;
  }
}

/** Parses one file's documents into `policies`, or its problems into `issues`. */
function parseFile(
  file: string,
  text: string,
  issues: IssueList,
  policies: Policy[],
  limits: { budget: TokenBudget; room: number },
): number {
  const lineCounter = new LineCounter();
  const at = (offset: number): { line: number; column: number } => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const maxDocuments = Math.min(POLICY_LIMITS.documentsPerFile, limits.room);
  const docs = budgetedDocuments(
    text,
    {
      lineCounter,
      composer: {
        prettyErrors: false,
        // Checked by duplicateKeyOffsets, in linear time.
        uniqueKeys: false,
        // Warnings (e.g. a list used as a key) would go to the process's stderr; the schema reports them.
        logLevel: 'error',
      },
    },
    { maxDocuments, maxFileTokens: POLICY_LIMITS.yamlTokensPerFile, directory: limits.budget },
    (stop) => issues.pin({ file, ...at(stop.offset), path: '', message: stopMessage(stop, maxDocuments) }),
  );
  let count = 0;
  for (const doc of docs) {
    count += 1;
    const duplicates = duplicateKeyOffsets(doc);
    if (doc.errors.length > 0 || duplicates.length > 0) {
      for (const err of doc.errors) {
        issues.add({ file, ...at(err.pos[0]), path: '', message: `YAML: ${err.message.split('\n')[0]}` });
      }
      for (const offset of duplicates) {
        // Name the duplicated key: yaml's own message does not.
        const key = /^[^:\n]*/.exec(text.slice(offset, offset + 200))?.[0].trim();
        issues.add({ file, ...at(offset), path: '', message: `YAML: Map keys must be unique ("${key}")` });
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
      issues.add({
        file,
        ...at(nodeOffset(doc, [])),
        path: '',
        message: `a policy document is a mapping (apiVersion, kind, metadata, spec), not ${got}`,
      });
      continue;
    }
    const js = toPlainValue(doc);
    if ('issue' in js) {
      issues.add({ file, ...at(js.issue.offset), path: '', message: js.issue.message });
      continue;
    }
    const parsed = ReliabilityPolicySchema.safeParse(js.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.addAll(locateZodIssue(file, doc, issue, at));
      continue;
    }
    policies.push(toPolicy(file, doc, parsed.data, at));
  }
  return count;
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

/**
 * Offsets of a mapping's keys (for "unknown field" errors, which point at the key itself), the
 * first of each: one pass, however many unknown keys the mapping has.
 */
function keyOffsets(doc: Document, parentPath: ReadonlyArray<PropertyKey>): Map<string, number> {
  const offsets = new Map<string, number>();
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (!isMap(parent)) return offsets;
  for (const pair of parent.items) {
    if (!isScalar(pair.key) || !pair.key.range) continue;
    const key = String(pair.key.value);
    if (!offsets.has(key)) offsets.set(key, pair.key.range[0]);
  }
  return offsets;
}

function locateZodIssue(file: string, doc: Document, issue: z.core.$ZodIssue, at: At): PolicyIssue[] {
  const fieldPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const dotted = (p: ReadonlyArray<PropertyKey>) => p.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const offsets = keyOffsets(doc, fieldPath);
    const isRules = dotted(fieldPath) === 'spec.rules';
    return issue.keys.map((key) => {
      return {
        file,
        ...at(offsets.get(key) ?? nodeOffset(doc, fieldPath)),
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
