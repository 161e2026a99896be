import { type Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import type { PolicyIssue } from '../errors.js';
import { expectedForm, knownFields, plainMessage, schemaAt, unknownName } from './plainMessages.js';
import { RULE_IDS } from './ruleSettings.js';
import { ReliabilityPolicySchema } from './schema.js';

/** A YAML text's line and column (1-based) at an offset. */
export type At = (offset: number) => { line: number; column: number };

/** Offset of the node at `fieldPath`, or of its nearest existing ancestor (for a missing field). */
export function nodeOffset(doc: Document, fieldPath: ReadonlyArray<PropertyKey>): number {
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

/** Where in the file a zod issue points: the field it names, or the nearest field that exists. */
export function locateZodIssue(file: string, doc: Document, issue: z.core.$ZodIssue, at: At): PolicyIssue[] {
  const fieldPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const dotted = (p: ReadonlyArray<PropertyKey>) => p.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const offsets = keyOffsets(doc, fieldPath);
    const isRules = dotted(fieldPath) === 'spec.rules';
    const fields = isRules ? RULE_IDS : knownFields(ReliabilityPolicySchema, fieldPath);
    return issue.keys.map((key) => {
      return {
        file,
        ...at(offsets.get(key) ?? nodeOffset(doc, fieldPath)),
        path: dotted([...fieldPath, key]),
        message: unknownName(isRules ? 'rule' : 'field', key, fields),
      };
    });
  }
  const node = fieldPath.length === 0 ? doc.contents : doc.getIn(fieldPath, true);
  const exists = node !== undefined || fieldPath.length === 0;
  const message = exists
    ? plainMessage(issue, plainOf(node), String(fieldPath.at(-1) ?? ''), descriptionAt(fieldPath))
    : `required field is missing (${expectedForm(issue)})`;
  return [{ file, ...at(nodeOffset(doc, fieldPath)), path: dotted(fieldPath), message }];
}

/** A YAML node as much as a message needs of it: a scalar's value, or an empty list or mapping. */
function plainOf(node: unknown): unknown {
  if (isSeq(node)) return [];
  if (isMap(node)) return {};
  if (isScalar(node)) return node.value;
  return node;
}

type Described = { description?: string; _zod: { def: { type: string; innerType?: Described } } };

/** The schema's description of the field at `path`, the innermost (what the value is), if any. */
function descriptionAt(path: ReadonlyArray<PropertyKey>): string | undefined {
  const parent = schemaAt(ReliabilityPolicySchema, path.slice(0, -1)) as
    | { _zod: { def: { type: string; shape?: Record<string, Described> } } }
    | undefined;
  const key = path.at(-1);
  if (parent?._zod.def.type !== 'object' || key === undefined) return undefined;
  let description: string | undefined;
  for (let node = parent._zod.def.shape?.[String(key)]; node; node = node._zod.def.innerType)
    description = node.description ?? description;
  return description;
}
