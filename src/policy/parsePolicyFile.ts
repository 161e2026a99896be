import { type Document, isMap, isScalar, isSeq, LineCounter } from 'yaml';
import type { PolicyIssue } from '../errors.js';
import { exceptionRuleProblems } from './exceptions.js';
import { type IssueList, POLICY_LIMITS } from './limits.js';
import type { Policy, SourceLocation } from './model.js';
import { defaultResourceTypes, type ResourceType, RULE_IDS, type RuleId } from './ruleSettings.js';
import { type ReliabilityPolicyDocument, ReliabilityPolicySchema } from './schema.js';
import {
  type BudgetStop,
  budgetedDocuments,
  duplicateKeyOffsets,
  type TokenBudget,
  toPlainValue,
} from './yamlDocuments.js';
import { type At, locateZodIssue, nodeOffset } from './yamlLocations.js';

/**
 * Parses one file's documents into `policies`, or its problems into `issues`, within the file's
 * and the directory's limits; returns how many documents it read.
 */
export function parsePolicyFile(
  file: string,
  text: string,
  issues: IssueList,
  policies: Policy[],
  limits: { budget: TokenBudget; room: number },
): number {
  const lineCounter = new LineCounter();
  const at: At = (offset) => {
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
    const parsed = policyOfDocument(file, text, doc, at);
    if ('issues' in parsed) issues.addAll(parsed.issues);
    else if (parsed.policy) policies.push(parsed.policy);
  }
  return count;
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

/** One YAML document as a policy, or its problems; an empty document is neither. */
function policyOfDocument(
  file: string,
  text: string,
  doc: Document.Parsed,
  at: At,
): { policy?: Policy } | { issues: PolicyIssue[] } {
  const duplicates = duplicateKeyOffsets(doc);
  if (doc.errors.length > 0 || duplicates.length > 0) {
    const issues: PolicyIssue[] = doc.errors.map((err) => ({
      file,
      ...at(err.pos[0]),
      path: '',
      message: `YAML: ${err.message.split('\n')[0]}`,
    }));
    for (const offset of duplicates) {
      // Name the duplicated key: yaml's own message does not.
      const key = /^[^:\n]*/.exec(text.slice(offset, offset + 200))?.[0].trim();
      issues.push({ file, ...at(offset), path: '', message: `YAML: Map keys must be unique ("${key}")` });
    }
    return { issues };
  }
  // An empty document, e.g. after a trailing `---`: yaml gives it no contents or a null scalar.
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return {};
  if (!isMap(doc.contents)) {
    const got = isSeq(doc.contents)
      ? 'a list'
      : isScalar(doc.contents)
        ? `a ${typeof doc.contents.value}`
        : 'an alias';
    const message = `a policy document is a mapping (apiVersion, kind, metadata, spec), not ${got}`;
    return { issues: [{ file, ...at(nodeOffset(doc, [])), path: '', message }] };
  }
  const js = toPlainValue(doc);
  if ('issue' in js) {
    return { issues: [{ file, ...at(js.issue.offset), path: '', message: js.issue.message }] };
  }
  const parsed = ReliabilityPolicySchema.safeParse(js.value);
  if (!parsed.success) {
    return {
      issues: plainIssues(parsed.error.issues.flatMap((issue) => locateZodIssue(file, doc, issue, at))),
    };
  }
  const waiverProblems = exceptionRuleProblems(parsed.data.spec);
  if (waiverProblems.length > 0) {
    return {
      issues: waiverProblems.map((p) => ({
        file,
        ...at(nodeOffset(doc, p.path)),
        path: p.path.join('.'),
        message: p.message,
      })),
    };
  }
  return { policy: toPolicy(file, doc, parsed.data, at) };
}

/**
 * Each issue once (a field can fail two checks that say the same, e.g. an alarm period's), and no
 * "at least one rule is required" when the rules there are misspelled: the unknown rule says it.
 */
function plainIssues(issues: PolicyIssue[]): PolicyIssue[] {
  const seen = new Set<string>();
  const misspelledRule = issues.some(
    (i) => i.path.startsWith('spec.rules.') && i.message.startsWith('unknown rule'),
  );
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return !(misspelledRule && issue.path === 'spec.rules' && issue.message.startsWith('at least one rule'));
  });
}

function toPolicy(file: string, doc: Document, data: ReliabilityPolicyDocument, at: At): Policy {
  const ruleIds = RULE_IDS.filter((id) => data.spec.rules[id] !== undefined);
  const resourceTypes: ResourceType[] = data.spec.match.resourceTypes ?? [
    ...new Set(ruleIds.flatMap((id) => defaultResourceTypes(id))),
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
    exceptions: data.spec.exceptions.map(({ ticket, ...exception }, i) => ({
      ...exception,
      ...(ticket === undefined ? {} : { ticket }),
      expiresAt: { file, ...at(nodeOffset(doc, ['spec', 'exceptions', i, 'expires'])) },
    })),
  };
}
