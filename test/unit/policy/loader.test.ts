import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatPolicyIssue, type PolicyIssue, PolicyValidationError } from '../../../src/errors.js';
import { listPolicyFiles, loadPolicyDir, parsePolicySources } from '../../../src/policy/loader.js';
import type { PolicySet } from '../../../src/policy/model.js';

const EXAMPLE_FILE = fileURLToPath(
  new URL('../../../examples/sandbox/policies/orders.yaml', import.meta.url),
);
const KNOWN_RULES =
  'sqs-dead-letter-queue, sqs-dlq-retention, sqs-visibility-timeout, sqs-fifo-ordering, esm-stream-failure-handling, esm-partial-batch-response, lambda-async-invoke-config, idempotency-store, sqs-dlq-alarm, stream-iterator-age-alarm, dlq-not-empty, stream-retention, sns-subscription-dlq, eventbridge-target-dlq, dlq-delivery-permission, pipe-source-failure-handling, failure-metric-alarms';

/** YAML from lines, so that line numbers in the tables can be read off the array index + 1. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** A valid policy; each invalid case below changes one line of it. */
const VALID = [
  'apiVersion: edaguard.dev/v1alpha1', // 1
  'kind: ReliabilityPolicy', // 2
  'metadata:', // 3
  '  name: orders', // 4
  'spec:', // 5
  '  match:', // 6
  '    tags: { team: orders }', // 7
  '  rules:', // 8
  '    sqs-dead-letter-queue:', // 9
  '      maxReceiveCount: { min: 3, max: 5, default: 3 }', // 10
] as const;

/** VALID with line `n` (1-based) replaced by `replacement` (several lines, or none). */
function withLine(n: number, ...replacement: string[]): string {
  const lines: string[] = [...VALID];
  lines.splice(n - 1, 1, ...replacement);
  return yaml(...lines);
}

function issuesOf(sources: ReadonlyArray<{ file: string; text: string }>): readonly PolicyIssue[] {
  try {
    parsePolicySources(sources);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyValidationError);
    return (error as PolicyValidationError).issues;
  }
  throw new Error('expected the policies to be rejected');
}

const load = (text: string, file = 'p.yaml'): PolicySet => parsePolicySources([{ file, text }]);

describe('parsePolicySources: the example policy', () => {
  it('is accepted and means exactly its values', async () => {
    const text = await readFile(EXAMPLE_FILE, 'utf8');
    const set = load(text, 'orders.yaml');
    expect(set.files).toEqual(['orders.yaml']);
    expect(set.policies).toHaveLength(1);
    const [policy] = set.policies;
    expect(policy).toMatchObject({
      name: 'orders',
      enforcement: 'enforce',
      resourceTypes: ['sqs:queue'],
      matchTags: { team: 'orders' },
      excludeTags: { stage: 'dev' },
      source: { file: 'orders.yaml', line: 1, column: 1 },
    });
    expect(policy?.rules).toStrictEqual({
      'sqs-dead-letter-queue': {
        maxReceiveCount: { min: 3, max: 5, default: 3 },
        create: { nameSuffix: '-dlq' },
      },
      'sqs-dlq-retention': { minSeconds: 1_209_600 },
      'sqs-visibility-timeout': { lambdaTimeoutMultiple: 6 },
    });
    // Each rule's settings start on the line after the rule's key, indented by 6.
    expect(policy?.ruleLocations).toEqual({
      'sqs-dead-letter-queue': { file: 'orders.yaml', line: 14, column: 7 },
      'sqs-dlq-retention': { file: 'orders.yaml', line: 17, column: 7 },
      'sqs-visibility-timeout': { file: 'orders.yaml', line: 19, column: 7 },
    });
    expect(policy?.document.metadata.name).toBe('orders');
  });
});

describe('parsePolicySources: defaults', () => {
  const minimal = (rules: string[], extra: string[] = []) =>
    yaml(
      'apiVersion: edaguard.dev/v1alpha1',
      'kind: ReliabilityPolicy',
      'metadata: { name: minimal }',
      'spec:',
      ...extra,
      '  match: {}',
      '  rules:',
      ...rules.map((r) => `    ${r}`),
    );

  it.each([
    {
      rule: 'sqs-dead-letter-queue: {}',
      expected: { 'sqs-dead-letter-queue': { maxReceiveCount: { min: 3, max: 10, default: 5 } } },
    },
    {
      rule: 'sqs-dead-letter-queue: { create: {} }',
      expected: {
        'sqs-dead-letter-queue': {
          maxReceiveCount: { min: 3, max: 10, default: 5 },
          create: { nameSuffix: '-dlq' },
        },
      },
    },
    {
      rule: 'sqs-dead-letter-queue: { create: { retentionSeconds: 86400 } }',
      expected: {
        'sqs-dead-letter-queue': {
          maxReceiveCount: { min: 3, max: 10, default: 5 },
          create: { nameSuffix: '-dlq', retentionSeconds: 86_400 },
        },
      },
    },
    { rule: 'sqs-dlq-retention: {}', expected: { 'sqs-dlq-retention': { minSeconds: 1_209_600 } } },
    {
      rule: 'sqs-visibility-timeout: {}',
      expected: { 'sqs-visibility-timeout': { lambdaTimeoutMultiple: 6 } },
    },
  ])('$rule is filled with its defaults', ({ rule, expected }) => {
    const [policy] = load(minimal([rule])).policies;
    expect(policy?.rules).toStrictEqual(expected);
  });

  it('enforcement defaults to audit, match.tags and exclude.tags to {}, resourceTypes to the rules’ types', () => {
    const [policy] = load(minimal(['sqs-dlq-retention: {}'])).policies;
    expect(policy).toMatchObject({
      enforcement: 'audit',
      matchTags: {},
      excludeTags: {},
      resourceTypes: ['sqs:queue'],
    });
  });

  it.each(['enforce', 'audit'] as const)('enforcement: %s is kept', (mode) => {
    const [policy] = load(minimal(['sqs-dlq-retention: {}'], [`  enforcement: ${mode}`])).policies;
    expect(policy?.enforcement).toBe(mode);
  });

  it('an empty file, or one with only comments, adds no policy', () => {
    const set = parsePolicySources([
      { file: 'empty.yaml', text: '' },
      { file: 'comments.yaml', text: '# nothing yet\n' },
    ]);
    expect(set.policies).toEqual([]);
    expect(set.files).toEqual(['empty.yaml', 'comments.yaml']);
  });

  it('a document end marker (...) after the last document is fine', () => {
    expect(load(`${withLine(4, '  name: one')}...\n`).policies.map((p) => p.name)).toEqual(['one']);
  });

  // yaml gives an empty trailing document a null Scalar rather than null contents.
  it.each([
    ['a trailing ---', `${withLine(4, '  name: one')}---\n`],
    ['a trailing --- with a comment after it', `${withLine(4, '  name: one')}---\n# next policy goes here\n`],
  ])('%s adds no policy and no error', (_, text) => {
    expect(load(text).policies.map((p) => p.name)).toEqual(['one']);
  });

  it('reads several documents from one file, each located at its own first line', () => {
    const text = `${withLine(4, '  name: first')}---\n${withLine(4, '  name: second').replace('team: orders', 'team: billing')}`;
    const set = load(text, 'two.yaml');
    expect(set.policies.map((p) => [p.name, p.source])).toEqual([
      ['first', { file: 'two.yaml', line: 1, column: 1 }],
      ['second', { file: 'two.yaml', line: 12, column: 1 }],
    ]);
    expect(set.policies[1]?.ruleLocations['sqs-dead-letter-queue']).toEqual({
      file: 'two.yaml',
      line: 21,
      column: 7,
    });
  });
});

describe('parsePolicySources: each invalid input gives one located issue', () => {
  it.each<{ name: string; text: string; issue: Omit<PolicyIssue, 'file' | 'message'>; message: RegExp }>([
    {
      name: 'YAML syntax error (duplicate key)',
      text: withLine(4, '  name: orders', '  name: again'),
      issue: { line: 5, column: 3, path: '' },
      message: /^YAML: Map keys must be unique/,
    },
    {
      name: 'YAML syntax error (tab indentation)',
      text: withLine(4, '\tname: orders'),
      issue: { line: 4, column: 1, path: '' },
      message: /^YAML: Tabs are not allowed as indentation/,
    },
    {
      name: 'unknown top-level field',
      text: withLine(2, 'kind: ReliabilityPolicy', 'status: {}'),
      issue: { line: 3, column: 1, path: 'status' },
      message: /^unknown field "status" \(known fields: apiVersion, kind, metadata, spec\)$/,
    },
    {
      name: 'unknown field in spec',
      text: withLine(6, '  matches: {}', '  match:'),
      issue: { line: 6, column: 3, path: 'spec.matches' },
      message: /^unknown field "matches": did you mean "match"\?$/,
    },
    {
      name: 'unknown field inside a rule',
      text: withLine(10, '      maxRecieveCount: 4'),
      issue: { line: 10, column: 7, path: 'spec.rules.sqs-dead-letter-queue.maxRecieveCount' },
      message: /^unknown field "maxRecieveCount": did you mean "maxReceiveCount"\?$/,
    },
    {
      name: 'unknown rule id',
      text: withLine(10, '      maxReceiveCount: { min: 3, max: 5, default: 3 }', '    sqs-dlq-alarms: {}'),
      issue: { line: 11, column: 5, path: 'spec.rules.sqs-dlq-alarms' },
      message: /^unknown rule "sqs-dlq-alarms": did you mean "sqs-dlq-alarm"\?$/,
    },
    {
      name: 'wrong type (string for an integer)',
      text: withLine(10, '      maxReceiveCount: { min: "3", max: 5, default: 3 }'),
      issue: { line: 10, column: 31, path: 'spec.rules.sqs-dead-letter-queue.maxReceiveCount.min' },
      message: /^expected a number, got "3"$/,
    },
    {
      name: 'wrong type (fraction for an integer)',
      text: withLine(10, '      maxReceiveCount: { min: 3, max: 5, default: 3.5 }'),
      issue: { line: 10, column: 51, path: 'spec.rules.sqs-dead-letter-queue.maxReceiveCount.default' },
      message: /^expected a whole number, got 3\.5$/,
    },
    {
      name: 'wrong type (list for a map)',
      text: withLine(7, '    tags: [team, orders]'),
      issue: { line: 7, column: 11, path: 'spec.match.tags' },
      message: /^`tags` is a map \(key: value\), e\.g\. \{ team: billing \}, not a list$/,
    },
    {
      name: 'value outside an enum',
      text: withLine(5, 'spec:', '  enforcement: always'),
      issue: { line: 6, column: 16, path: 'spec.enforcement' },
      message: /^expected one of enforce, audit; got "always"$/,
    },
    {
      name: 'misspelled enum value',
      text: withLine(5, 'spec:', '  enforcement: enforse'),
      issue: { line: 6, column: 16, path: 'spec.enforcement' },
      message: /^expected one of enforce, audit; got "enforse": did you mean "enforce"\?$/,
    },
    {
      name: 'wrong apiVersion',
      text: withLine(1, 'apiVersion: edaguard.dev/v1'),
      issue: { line: 1, column: 13, path: 'apiVersion' },
      message: /^expected "edaguard\.dev\/v1alpha1", got "edaguard\.dev\/v1"$/,
    },
    {
      name: 'missing required field (kind)',
      text: withLine(2),
      issue: { line: 1, column: 1, path: 'kind' },
      message: /^required field is missing \(expected "ReliabilityPolicy"\)$/,
    },
    {
      name: 'missing required field (spec.match), located at its parent',
      text: withLine(6).replace('    tags: { team: orders }\n', ''),
      issue: { line: 6, column: 3, path: 'spec.match' },
      message: /^required field is missing \(a mapping\)$/,
    },
    {
      name: 'bad metadata.name (upper case and "_")',
      text: withLine(4, '  name: Orders_Team'),
      issue: { line: 4, column: 9, path: 'metadata.name' },
      message: /DNS label/,
    },
    {
      name: 'bad metadata.name (ends with "-")',
      text: withLine(4, '  name: orders-'),
      issue: { line: 4, column: 9, path: 'metadata.name' },
      message: /DNS label/,
    },
    {
      name: 'bad metadata.name (64 characters)',
      text: withLine(4, `  name: ${'a'.repeat(64)}`),
      issue: { line: 4, column: 9, path: 'metadata.name' },
      message: /DNS label/,
    },
    {
      name: 'maxReceiveCount default above max',
      text: withLine(10, '      maxReceiveCount: { min: 3, max: 5, default: 6 }'),
      issue: { line: 10, column: 51, path: 'spec.rules.sqs-dead-letter-queue.maxReceiveCount.default' },
      message: /^default must lie within \[min, max\]$/,
    },
    {
      name: 'maxReceiveCount default below min',
      text: withLine(10, '      maxReceiveCount: { min: 3, max: 5, default: 2 }'),
      issue: { line: 10, column: 51, path: 'spec.rules.sqs-dead-letter-queue.maxReceiveCount.default' },
      message: /^default must lie within \[min, max\]$/,
    },
    {
      name: 'maxReceiveCount above the SQS limit of 1000',
      text: withLine(10, '      maxReceiveCount: { min: 3, max: 1001, default: 3 }'),
      issue: { line: 10, column: 39, path: 'spec.rules.sqs-dead-letter-queue.maxReceiveCount.max' },
      message: /^must be at most 1000, got 1001$/,
    },
    {
      name: 'minSeconds below 60',
      text: withLine(
        10,
        '      maxReceiveCount: { min: 3, max: 5, default: 3 }',
        '    sqs-dlq-retention:',
        '      minSeconds: 59',
      ),
      issue: { line: 12, column: 19, path: 'spec.rules.sqs-dlq-retention.minSeconds' },
      message: /^must be at least 60, got 59$/,
    },
    {
      name: 'minSeconds above 14 days',
      text: withLine(
        10,
        '      maxReceiveCount: { min: 3, max: 5, default: 3 }',
        '    sqs-dlq-retention: { minSeconds: 1209601 }',
      ),
      issue: { line: 11, column: 38, path: 'spec.rules.sqs-dlq-retention.minSeconds' },
      message: /^must be at most 1209600, got 1209601$/,
    },
    {
      name: 'create.retentionSeconds below 60',
      text: withLine(10, '      create: { retentionSeconds: 30 }'),
      issue: { line: 10, column: 35, path: 'spec.rules.sqs-dead-letter-queue.create.retentionSeconds' },
      message: /^must be at least 60, got 30$/,
    },
    {
      name: 'nameSuffix with a character SQS rejects',
      text: withLine(10, '      create: { nameSuffix: .dlq }'),
      issue: { line: 10, column: 29, path: 'spec.rules.sqs-dead-letter-queue.create.nameSuffix' },
      message: /letters, digits/,
    },
    {
      name: 'lambdaTimeoutMultiple above 20',
      text: withLine(9, '    sqs-visibility-timeout: { lambdaTimeoutMultiple: 21 }').replace(
        '      maxReceiveCount: { min: 3, max: 5, default: 3 }\n',
        '',
      ),
      issue: { line: 9, column: 54, path: 'spec.rules.sqs-visibility-timeout.lambdaTimeoutMultiple' },
      message: /^must be at most 20, got 21$/,
    },
    {
      name: 'empty rules object',
      text: withLine(8, '  rules: {}').replace(
        '    sqs-dead-letter-queue:\n      maxReceiveCount: { min: 3, max: 5, default: 3 }\n',
        '',
      ),
      issue: { line: 8, column: 10, path: 'spec.rules' },
      message: new RegExp(`^at least one rule is required \\(known rules: ${KNOWN_RULES}\\)$`),
    },
    {
      name: 'unknown resource type',
      text: withLine(7, '    resourceTypes: [sqs:topic]'),
      issue: { line: 7, column: 21, path: 'spec.match.resourceTypes.0' },
      message: /sqs:queue/,
    },
    {
      name: 'a document that is not a map',
      text: yaml('just a string'),
      issue: { line: 1, column: 1, path: '' },
      message: /a policy document is a mapping .* not a string/,
    },
  ])('$name', ({ text, issue, message }) => {
    const issues = issuesOf([{ file: 'policies/bad.yaml', text }]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'policies/bad.yaml', ...issue });
    expect(issues[0]?.message).toMatch(message);
  });

  it('min > max is reported at min (and the default, which can then lie in no range)', () => {
    const issues = issuesOf([
      { file: 'bad.yaml', text: withLine(10, '      maxReceiveCount: { min: 6, max: 5, default: 5 }') },
    ]);
    expect(issues).toContainEqual({
      file: 'bad.yaml',
      line: 10,
      column: 31,
      path: 'spec.rules.sqs-dead-letter-queue.maxReceiveCount.min',
      message: 'min must be <= max',
    });
    expect(issues.map((i) => i.path)).toEqual([
      'spec.rules.sqs-dead-letter-queue.maxReceiveCount.min',
      'spec.rules.sqs-dead-letter-queue.maxReceiveCount.default',
    ]);
  });

  it('min = max = default is a valid (single-value) range', () => {
    const [policy] = load(withLine(10, '      maxReceiveCount: { min: 4, max: 4, default: 4 }')).policies;
    expect(policy?.rules['sqs-dead-letter-queue']?.maxReceiveCount).toEqual({ min: 4, max: 4, default: 4 });
  });

  it.each([
    [60, 'the SQS minimum'],
    [1_209_600, 'the SQS maximum'],
  ])('minSeconds %i (%s) is accepted', (seconds) => {
    const text = withLine(8, '  rules:', `    sqs-dlq-retention: { minSeconds: ${seconds} }`).replace(
      '    sqs-dead-letter-queue:\n      maxReceiveCount: { min: 3, max: 5, default: 3 }\n',
      '',
    );
    expect(load(text).policies[0]?.rules['sqs-dlq-retention']).toEqual({ minSeconds: seconds });
  });
});

describe('parsePolicySources: every error at once', () => {
  it('lists every error of one document', () => {
    const text = yaml(
      'apiVersion: edaguard.dev/v1alpha1',
      'kind: ReliabilityPolicy',
      'metadata:',
      '  name: Bad_Name',
      'spec:',
      '  enforcement: sometimes',
      '  match: {}',
      '  rules:',
      '    sqs-nope: {}',
      '    sqs-dlq-retention: { minSeconds: 1 }',
    );
    const issues = issuesOf([{ file: 'one.yaml', text }]);
    expect(issues.map(({ line, column, path }) => ({ line, column, path }))).toEqual([
      { line: 4, column: 9, path: 'metadata.name' },
      { line: 6, column: 16, path: 'spec.enforcement' },
      { line: 9, column: 5, path: 'spec.rules.sqs-nope' },
      { line: 10, column: 38, path: 'spec.rules.sqs-dlq-retention.minSeconds' },
    ]);
  });

  it('lists issues from every file with errors, sorted by file, line and column', () => {
    const issues = issuesOf([
      { file: 'b.yaml', text: withLine(10, '      maxReceiveCount: { min: 3, max: 5, default: 9 }') },
      { file: 'a.yaml', text: withLine(4, '  name: A') },
      { file: 'ok.yaml', text: withLine(4, '  name: fine') },
      { file: 'c.yaml', text: `${withLine(4, '  name: c1')}---\nkind: [oops\n` },
    ]);
    expect(issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.path}`)).toEqual([
      'a.yaml:4:9 metadata.name',
      'b.yaml:10:51 spec.rules.sqs-dead-letter-queue.maxReceiveCount.default',
      'c.yaml:13:1 ',
    ]);
  });

  it('the error message lists every issue, and the code is POLICY_INVALID', () => {
    let caught: unknown;
    try {
      parsePolicySources([
        { file: 'a.yaml', text: withLine(4, '  name: A') },
        { file: 'b.yaml', text: withLine(7, '    tags: { team: orders }', '    color: blue') },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyValidationError);
    const error = caught as PolicyValidationError;
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.issues).toHaveLength(2);
    expect(error.message).toBe(
      [
        '2 policy error(s):',
        '  a.yaml:4:9 metadata.name: lower-case letters, digits and "-" (a DNS label)',
        '  b.yaml:8:5 spec.match.color: unknown field "color" (known fields: resourceTypes, tags)',
      ].join('\n'),
    );
  });

  it('formatPolicyIssue leaves out an empty path', () => {
    expect(formatPolicyIssue({ file: 'f.yaml', line: 2, column: 3, path: '', message: 'YAML: bad' })).toBe(
      'f.yaml:2:3 YAML: bad',
    );
  });
});

describe('parsePolicySources: duplicate names', () => {
  it('a name used in two files is reported on the later one, naming the first', () => {
    const issues = issuesOf([
      { file: 'a.yaml', text: withLine(7, '    tags: { team: a }') },
      { file: 'b.yaml', text: withLine(7, '    tags: { team: b }') },
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      file: 'b.yaml',
      path: 'metadata.name',
      message: 'duplicate policy name "orders" (first defined at a.yaml:1)',
    });
  });

  it('a name used twice in one file is reported on the second document', () => {
    const text = `${withLine(7, '    tags: { team: a }')}---\n${withLine(7, '    tags: { team: b }')}`;
    const issues = issuesOf([{ file: 'both.yaml', text }]);
    expect(issues.map((i) => [i.file, i.line, i.path])).toEqual([['both.yaml', 15, 'metadata.name']]);
  });

  it('is listed together with the other errors', () => {
    const issues = issuesOf([
      { file: 'a.yaml', text: withLine(7, '    tags: { team: a }') },
      { file: 'b.yaml', text: withLine(7, '    tags: { team: b }') },
      { file: 'c.yaml', text: withLine(4, '  name: C') },
    ]);
    expect(issues.map((i) => `${i.file} ${i.path}`)).toEqual([
      'b.yaml metadata.name',
      'c.yaml metadata.name',
    ]);
  });

  it('points at the metadata.name value, like every other issue with that path', () => {
    const issues = issuesOf([
      { file: 'a.yaml', text: withLine(7, '    tags: { team: a }') },
      { file: 'b.yaml', text: withLine(7, '    tags: { team: b }') },
    ]);
    expect(issues[0]).toMatchObject({ file: 'b.yaml', line: 4, column: 9, path: 'metadata.name' });
  });
});

describe('parsePolicySources: certain conflicts', () => {
  /** A policy whose `rules:` block is `rules` (lines, already indented); `rules:` is line 6 or 7. */
  const policyText = (name: string, match: string, rules: string[], exclude?: string) =>
    yaml(
      'apiVersion: edaguard.dev/v1alpha1', // 1
      'kind: ReliabilityPolicy', // 2
      `metadata: { name: ${name} }`, // 3
      'spec:', // 4
      `  match: { tags: ${match} }`, // 5
      ...(exclude ? [`  exclude: { tags: ${exclude} }`] : []),
      '  rules:',
      ...rules,
    );
  /** The dead-letter rule in block style: its settings start on the line after its key, column 7. */
  const dlq = (defaultCount: number) => [
    '    sqs-dead-letter-queue:',
    `      maxReceiveCount: { min: 3, max: 5, default: ${defaultCount} }`,
  ];
  const broad = (d: number) => policyText('broad', '{}', dlq(d));
  const narrow = (d: number) => policyText('narrow', '{ team: orders }', dlq(d));

  it('a policy covering another with different settings: error at the later policy’s rule settings', () => {
    const issues = issuesOf([
      { file: 'a-broad.yaml', text: broad(3) },
      { file: 'b-narrow.yaml', text: narrow(4) },
    ]);
    expect(issues).toEqual([
      {
        file: 'b-narrow.yaml',
        line: 8,
        column: 7,
        path: 'spec.rules.sqs-dead-letter-queue',
        message:
          'conflicts with policy "broad" (a-broad.yaml:1): both select the same resources and set sqs-dead-letter-queue differently',
      },
    ]);
  });

  it('the same, loaded in the other order: the error is on the later (broad) policy', () => {
    const issues = issuesOf([
      { file: 'a-narrow.yaml', text: narrow(4) },
      { file: 'b-broad.yaml', text: broad(3) },
    ]);
    expect(issues.map((i) => [i.file, i.line, i.column, i.path])).toEqual([
      ['b-broad.yaml', 8, 7, 'spec.rules.sqs-dead-letter-queue'],
    ]);
    expect(issues[0]?.message).toContain('policy "narrow" (a-narrow.yaml:1)');
  });

  it('flow-style rule settings are pointed at on the rule’s own line', () => {
    const inline = (name: string, match: string, multiple: number) =>
      yaml(
        'apiVersion: edaguard.dev/v1alpha1',
        'kind: ReliabilityPolicy',
        `metadata: { name: ${name} }`,
        'spec:',
        `  match: { tags: ${match} }`,
        '  rules:',
        '    sqs-dlq-retention: {}',
        `    sqs-visibility-timeout: { lambdaTimeoutMultiple: ${multiple} }`,
      );
    const issues = issuesOf([
      { file: 'a.yaml', text: inline('a', '{ team: orders }', 6) },
      { file: 'b.yaml', text: inline('b', '{ team: orders }', 3) },
    ]);
    expect(issues.map((i) => [i.file, i.line, i.column, i.path])).toEqual([
      ['b.yaml', 8, 29, 'spec.rules.sqs-visibility-timeout'],
    ]);
  });

  it.each([
    { name: 'identical settings', a: broad(3), b: narrow(3) },
    {
      name: 'settings equal once defaults are filled',
      a: policyText('broad', '{}', ['    sqs-dead-letter-queue: {}']),
      b: policyText('narrow', '{ team: orders }', [
        '    sqs-dead-letter-queue: { maxReceiveCount: { default: 5, max: 10, min: 3 } }',
      ]),
    },
    {
      name: 'partially overlapping selectors (different tag keys)',
      a: policyText('by-team', '{ team: orders }', dlq(3)),
      b: policyText('by-tier', '{ tier: critical }', dlq(4)),
    },
    {
      name: 'disjoint selectors (same key, different values)',
      a: policyText('orders', '{ team: orders }', dlq(3)),
      b: policyText('billing', '{ team: billing }', dlq(4)),
    },
    {
      name: 'the broad policy excludes what the narrow one requires',
      a: policyText('broad', '{}', dlq(3), '{ stage: dev }'),
      b: policyText('dev', '{ stage: dev }', dlq(4)),
    },
    {
      name: 'covering selectors but different rules',
      a: broad(3),
      b: policyText('narrow', '{ team: orders }', ['    sqs-dlq-retention: {}']),
    },
  ])('no load error: $name', ({ a, b }) => {
    const set = parsePolicySources([
      { file: 'a.yaml', text: a },
      { file: 'b.yaml', text: b },
    ]);
    expect(set.policies).toHaveLength(2);
  });

  it('a broad policy with an exclude covers a narrower one that requires another value of that tag', () => {
    const issues = issuesOf([
      { file: 'a.yaml', text: policyText('orders', '{ team: orders }', dlq(3), '{ stage: dev }') },
      { file: 'b.yaml', text: policyText('orders-prod', '{ team: orders, stage: prod }', dlq(4)) },
    ]);
    expect(issues.map((i) => [i.file, i.line, i.path])).toEqual([
      ['b.yaml', 8, 'spec.rules.sqs-dead-letter-queue'],
    ]);
  });

  it('each differing rule is its own issue', () => {
    const rules = (multiple: number, minSeconds: number) => [
      `    sqs-dlq-retention: { minSeconds: ${minSeconds} }`,
      `    sqs-visibility-timeout: { lambdaTimeoutMultiple: ${multiple} }`,
    ];
    const text = (name: string, match: string, r: string[]) =>
      yaml(
        'apiVersion: edaguard.dev/v1alpha1',
        'kind: ReliabilityPolicy',
        `metadata: { name: ${name} }`,
        'spec:',
        `  match: { tags: ${match} }`,
        '  rules:',
        ...r,
      );
    const issues = issuesOf([
      { file: 'a.yaml', text: text('a', '{}', rules(6, 86_400)) },
      { file: 'b.yaml', text: text('b', '{ team: x }', rules(5, 3_600)) },
    ]);
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [7, 'spec.rules.sqs-dlq-retention'],
      [8, 'spec.rules.sqs-visibility-timeout'],
    ]);
  });

  it('conflicts are only checked once every document is valid', () => {
    const issues = issuesOf([
      { file: 'a-broad.yaml', text: broad(3) },
      { file: 'b-narrow.yaml', text: narrow(4) },
      { file: 'c.yaml', text: withLine(4, '  name: C') },
    ]);
    expect(issues.map((i) => i.file)).toEqual(['c.yaml']);
  });
});

describe('loadPolicyDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'edaguard-policies-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (relative: string, text: string) => {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  const shown = (relative: string) => path.relative(process.cwd(), path.join(dir, relative));
  const named = (name: string, team: string) =>
    withLine(4, `  name: ${name}`).replace('team: orders', `team: ${team}`);

  it('reads every *.yaml / *.yml file under the directory, recursively, in sorted order', async () => {
    await write('b.yaml', named('bee', 'b'));
    await write('a/deeper/c.yml', named('sea', 'c'));
    await write('a/UPPER.YAML', named('upper', 'u'));
    await write('z/multi.yaml', `${named('multi-one', 'm1')}---\n${named('multi-two', 'm2')}`);
    await write('README.md', 'not a policy');
    await write('a/notes.txt', 'kind: [not yaml');
    await write('b.yaml.bak', 'kind: [not yaml');

    const expectedFiles = ['a/UPPER.YAML', 'a/deeper/c.yml', 'b.yaml', 'z/multi.yaml'];
    expect(await listPolicyFiles(dir)).toEqual(expectedFiles.map((f) => path.join(dir, f)));

    const set = await loadPolicyDir(dir);
    expect(set.files).toEqual(expectedFiles.map(shown));
    expect(set.policies.map((p) => [p.name, p.source.file, p.source.line])).toEqual([
      ['upper', shown('a/UPPER.YAML'), 1],
      ['sea', shown('a/deeper/c.yml'), 1],
      ['bee', shown('b.yaml'), 1],
      ['multi-one', shown('z/multi.yaml'), 1],
      ['multi-two', shown('z/multi.yaml'), 12],
    ]);
  });

  it('an empty directory is an error', async () => {
    await mkdir(path.join(dir, 'sub'));
    await write('sub/notes.md', '# nothing here');
    await expect(loadPolicyDir(dir)).rejects.toMatchObject({
      code: 'POLICY_INVALID',
      issues: [{ file: dir, line: 1, column: 1, path: '', message: 'no policy files (*.yaml, *.yml) found' }],
    });
  });

  it('a directory that does not exist is an error', async () => {
    const missing = path.join(dir, 'nope');
    const error = await loadPolicyDir(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyValidationError);
    expect((error as PolicyValidationError).issues).toEqual([
      expect.objectContaining({
        file: missing,
        path: '',
        message: expect.stringMatching(/^cannot read policy directory: .*ENOENT/),
      }),
    ]);
  });

  it('lists the errors of every file at once, with the file names as shown to the user', async () => {
    await write('team-a/a.yaml', withLine(4, '  name: A'));
    await write(
      'team-b/b.yaml',
      `${named('fine', 'f')}---\n${withLine(7, '    tags: { team: orders }', '    x: y')}`,
    );
    const error = await loadPolicyDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyValidationError);
    expect((error as PolicyValidationError).issues.map((i) => [i.file, i.line, i.column, i.path])).toEqual([
      [shown('team-a/a.yaml'), 4, 9, 'metadata.name'],
      [shown('team-b/b.yaml'), 19, 5, 'spec.match.x'],
    ]);
  });
});
