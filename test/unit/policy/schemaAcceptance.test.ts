/**
 * policies/schema.json (what an editor checks) accepts exactly what the CLI accepts, document by
 * document: the same verdict for each case below, except the cross-field comparisons that JSON
 * Schema cannot state (min <= max and the like), which only `validate` catches (README).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PolicyValidationError } from '../../../src/errors.js';
import { parsePolicySources } from '../../../src/policy/loader.js';
import { schemaErrors } from '../../support/jsonSchemaSubset.js';

const schema = JSON.parse(readFileSync(new URL('../../../policies/schema.json', import.meta.url), 'utf8'));

const doc = (spec: string) => `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
${spec}`;

const withRules = (rules: string, match = '  match: { tags: { team: orders } }') =>
  doc(`${match}\n  rules:\n${rules}`);

const cliAccepts = (text: string): boolean => {
  try {
    parsePolicySources([{ file: 'p.yaml', text }]);
    return true;
  } catch (error) {
    if (error instanceof PolicyValidationError) return false;
    throw error;
  }
};

const schemaAccepts = (text: string) => schemaErrors(schema, parse(text)).length === 0;

/** A policy of sqs-dlq-retention with one exception of these rules and fields. */
const waived = (rules: string, fields: string, reason = 'reason: r, ') =>
  doc(
    `  match: {}\n  rules:\n    sqs-dlq-retention: {}\n  exceptions:\n    - { resources: [orders], rules: ${rules}, ${reason}${fields} }`,
  );

const alarm = (period: string) => withRules(`    sqs-dlq-alarm: { periodSeconds: ${period} }`);

/** [case, document, accepted] */
const CASES: Array<[string, string, boolean]> = [
  ['a minimal policy', withRules('    sqs-dlq-retention: {}'), true],
  ['periodSeconds 10', alarm('10'), true],
  ['periodSeconds 30', alarm('30'), true],
  ['periodSeconds 86400', alarm('86400'), true],
  ['periodSeconds 45 (not 10, 30 or a multiple of 60)', alarm('45'), false],
  ['periodSeconds 90', alarm('90'), false],
  ['periodSeconds 86460 (over a day)', alarm('86460'), false],
  ['periodSeconds 0', alarm('0'), false],
  ['rules: {} (no rule)', doc('  match: {}\n  rules: {}'), false],
  ['a rule set to null', withRules('    sqs-dlq-retention:'), false],
  ['optInTag with one tag', withRules('    esm-partial-batch-response: { optInTag: { a: b } }'), true],
  ['optInTag with no tag', withRules('    esm-partial-batch-response: { optInTag: {} }'), false],
  ['orderingTag with two tags', withRules('    sqs-fifo-ordering: { orderingTag: { a: b, c: d } }'), false],
  [
    'a queue rule under match.resourceTypes [lambda:function]',
    withRules('    sqs-dead-letter-queue: {}', '  match: { resourceTypes: [lambda:function] }'),
    false,
  ],
  [
    'a function rule under match.resourceTypes [sqs:queue, sns:topic]',
    withRules('    esm-partial-batch-response: {}', '  match: { resourceTypes: [sqs:queue, sns:topic] }'),
    false,
  ],
  [
    'a DLQ rule under match.resourceTypes [lambda:function] (the DLQs of functions)',
    withRules('    sqs-dlq-alarm: {}', '  match: { resourceTypes: [lambda:function] }'),
    true,
  ],
  [
    'dlq-delivery-permission under [events:rule]',
    withRules('    dlq-delivery-permission: {}', '  match: { resourceTypes: [events:rule] }'),
    true,
  ],
  ['an unknown rule', withRules('    sqs-dlq-alarms: {}'), false],
  ['an unknown field', withRules('    sqs-dlq-retention: { minSecond: 60 }'), false],
  ['retention below the SQS minimum', withRules('    sqs-dlq-retention: { minSeconds: 59 }'), false],
  [
    'a tag key of 129 characters',
    withRules('    sqs-dlq-retention: {}', `  match: { tags: { ${'k'.repeat(129)}: v } }`),
    false,
  ],
  ['an empty resourceTypes', withRules('    sqs-dlq-retention: {}', '  match: { resourceTypes: [] }'), false],
  ['a waiver', waived('[sqs-dlq-retention]', 'expires: 2026-06-30'), true],
  ['a waiver without reason', waived('[sqs-dlq-retention]', 'expires: 2026-06-30', ''), false],
  ['a waiver without expires', waived('[sqs-dlq-retention]', 'ticket: OPS-1'), false],
  ['a waiver expiring 2026-02-30', waived('[sqs-dlq-retention]', 'expires: 2026-02-30'), false],
  ['a waiver of a rule the policy lacks', waived('[sqs-dlq-alarm]', 'expires: 2026-06-30'), false],
  ['a waiver of an unknown rule', waived('[sqs-dlq-retentoin]', 'expires: 2026-06-30'), false],
];

describe('policies/schema.json accepts what the CLI accepts', () => {
  it.each(CASES)('%s', (_name, text, accepted) => {
    expect(cliAccepts(text), 'CLI').toBe(accepted);
    expect(schemaAccepts(text), `schema: ${schemaErrors(schema, parse(text)).join('; ')}`).toBe(accepted);
  });

  const examples = ['policies/example', 'examples/sandbox/policies'].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(dir, f)),
  );
  it.each(examples)('the example %s: every document valid for both', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(cliAccepts(text)).toBe(true);
    for (const document of text.split(/^---$/m).filter((d) => d.trim() !== '')) {
      expect(schemaErrors(schema, parse(document))).toEqual([]);
    }
  });

  // Comparisons between two fields: JSON Schema has no way to say them; validate (and plan) do.
  it.each([
    [
      'maxReceiveCount min > max',
      withRules('    sqs-dead-letter-queue: { maxReceiveCount: { min: 5, max: 3, default: 4 } }'),
    ],
    [
      'maxReceiveCount default outside [min, max]',
      withRules('    sqs-dead-letter-queue: { maxReceiveCount: { min: 3, max: 5, default: 9 } }'),
    ],
    [
      'create.retentionSeconds below sqs-dlq-retention.minSeconds',
      withRules(
        '    sqs-dead-letter-queue: { create: { retentionSeconds: 600 } }\n    sqs-dlq-retention: { minSeconds: 1200 }',
      ),
    ],
  ])('only the CLI rejects: %s', (_name, text) => {
    expect(cliAccepts(text)).toBe(false);
    expect(schemaAccepts(text)).toBe(true);
  });
});
