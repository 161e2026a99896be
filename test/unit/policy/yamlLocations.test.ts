import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { ReliabilityPolicySchema } from '../../../src/policy/schema.js';
import { type At, locateZodIssue, nodeOffset } from '../../../src/policy/yamlLocations.js';

const TEXT = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata:
  name: Orders
spec:
  match: {}
  colour: blue
  rules:
    sqs-dlq-retention: { minSeconds: 1 }
`;

function located(text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const at: At = (offset) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return { doc, at };
}

describe('yamlLocations', () => {
  it("finds a field's node, or its nearest existing ancestor when the field is missing", () => {
    const { doc, at } = located(TEXT);
    expect(at(nodeOffset(doc, ['metadata', 'name']))).toEqual({ line: 4, column: 9 });
    expect(at(nodeOffset(doc, ['spec', 'match', 'tags']))).toEqual({ line: 6, column: 10 });
  });

  it('points each zod issue at its field: an unknown key at the key, a missing field at its parent', () => {
    const { doc, at } = located(TEXT);
    const parsed = ReliabilityPolicySchema.safeParse(doc.toJS());
    expect(parsed.success).toBe(false);
    const issues = parsed.success
      ? []
      : parsed.error.issues.flatMap((issue) => locateZodIssue('p.yaml', doc, issue, at));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['spec.colour']).toMatchObject({
      line: 7,
      column: 3,
      message:
        'unknown field "colour" (known fields: enforcement, match, exclude, ownership, rules, exceptions)',
    });
    expect(byPath['metadata.name']).toMatchObject({ line: 4, column: 9 });
    expect(byPath['spec.rules.sqs-dlq-retention.minSeconds']).toMatchObject({ line: 9, file: 'p.yaml' });
  });
});
