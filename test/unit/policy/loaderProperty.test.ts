/**
 * Properties of the policy loader: whatever a policy directory holds, loadPolicyDir either
 * returns a PolicySet or rejects with PolicyValidationError whose issues are all located; valid
 * documents load to exactly what they say; a valid document with one field dropped or of the
 * wrong type is rejected with an issue naming that field.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PolicyValidationError } from '../../../src/errors.js';
import { loadPolicyDir } from '../../../src/policy/loader.js';
import { rulesOutsideTypes } from '../../../src/policy/ruleApplicability.js';
import {
  LAMBDA_LIMITS,
  ReliabilityPolicySchema,
  type ResourceType,
  type RuleId,
  SQS_LIMITS,
} from '../../../src/policy/schema.js';

let root: string;
let runs = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'edaguard-prop-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh policy directory holding `content` as policy.yaml; returns the directory and the file as shown. */
async function policyDir(content: string | Uint8Array): Promise<{ dir: string; shown: string }> {
  const dir = path.join(root, `run-${runs++}`);
  await mkdir(dir);
  const file = path.join(dir, 'policy.yaml');
  await writeFile(file, content);
  return { dir, shown: path.relative(process.cwd(), file) };
}

/** Loads, and checks that the only possible failure is a PolicyValidationError with located issues. */
async function loadOrIssues(content: string | Uint8Array) {
  const { dir, shown } = await policyDir(content);
  try {
    const set = await loadPolicyDir(dir);
    return { set, shown };
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error; // fails the property with the real error
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.file).toBe(shown);
      expect(Number.isInteger(issue.line) && issue.line >= 1).toBe(true);
      expect(Number.isInteger(issue.column) && issue.column >= 1).toBe(true);
      expect(issue.message.length).toBeGreaterThan(0);
    }
    return { issues: error.issues, shown };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- arbitrary input ----

/** Fragments that make YAML parsers work hard: indicators, anchors, aliases, tags, directives. */
const yamlToken = fc.constantFrom(
  ':',
  ': ',
  '- ',
  '\n',
  '\n  ',
  '\t',
  ' ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '!!str ',
  '!!binary ',
  '!custom ',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '"',
  "'",
  '# c',
  '|\n',
  '>-\n',
  '? ',
  '<<: ',
  'apiVersion: edaguard.dev/v1alpha1\n',
  'kind: ReliabilityPolicy\n',
  'metadata:\n  name: x\n',
  'spec:\n',
  'rules:',
  'null',
  '~',
  '0x1F',
  '1e400',
  '-.inf',
  '\u0000',
  '\ufeff',
  'é',
  '\ud800',
);
const yamlishText = fc
  .array(fc.oneof(yamlToken, fc.string({ maxLength: 8 })), { maxLength: 60 })
  .map((t) => t.join(''));

/** Line-based YAML that mostly parses, so anchors, aliases and tags reach the conversion to data. */
const yamlLine = fc
  .tuple(
    fc.constantFrom('', '  ', '    ', '- ', '  - '),
    fc.constantFrom(
      'apiVersion',
      'kind',
      'metadata',
      'name',
      'spec',
      'rules',
      'match',
      'tags',
      'k',
      '<<',
      '? k',
    ),
    fc.constantFrom(
      '',
      ' x',
      ' &a x',
      ' &b [1, 2]',
      ' &a { k: v }',
      ' *a',
      ' *b',
      ' [*a, *a, *b]',
      ' { k: *a }',
      ' !!str 1',
      ' !!int x',
      ' !!binary aGk=',
      ' !!map []',
      ' !tag v',
      ' ~',
      ' 1e999',
      ' "x\\u0000"',
      ' |',
      ' edaguard.dev/v1alpha1',
      ' ReliabilityPolicy',
    ),
  )
  .map(([indent, key, value]) => `${indent}${key}:${value}`);
const lineYaml = fc.array(yamlLine, { maxLength: 12 }).map((lines) => `${lines.join('\n')}\n`);

/** Nested aliases: `depth` levels of `width` aliases each expand to width^depth copies. */
const aliasTree = fc.record({ depth: fc.integer({ min: 1, max: 6 }), width: fc.integer({ min: 1, max: 9 }) });
function aliasDocument({ depth, width }: { depth: number; width: number }): string {
  const lines = [
    'apiVersion: edaguard.dev/v1alpha1',
    'kind: ReliabilityPolicy',
    'metadata:',
    '  name: orders',
  ];
  lines.push(`l0: &l0 [${Array(width).fill('"x"').join(', ')}]`);
  for (let level = 1; level < depth; level++) {
    lines.push(
      `l${level}: &l${level} [${Array(width)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('loadPolicyDir never throws anything but PolicyValidationError', () => {
  it('on line-based YAML with anchors, aliases and tags', async () => {
    await fc.assert(
      fc.asyncProperty(lineYaml, async (text) => {
        await loadOrIssues(text);
      }),
      { numRuns: 150 },
    );
  });

  it('on nested aliases of any depth and width, refusing those that expand past the limit', async () => {
    await fc.assert(
      fc.asyncProperty(aliasTree, async (tree) => {
        const result = await loadOrIssues(aliasDocument(tree));
        // Every document here is invalid (l0… are unknown fields, there is no spec): only the reason varies.
        const bomb = result.issues?.some((i) => /billion laughs/.test(i.message));
        const copies = tree.width ** tree.depth;
        if (copies > 1000) expect(bomb, `${tree.width}^${tree.depth}`).toBe(true);
        if (tree.depth === 1) expect(bomb).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('on YAML-ish text', async () => {
    await fc.assert(
      fc.asyncProperty(yamlishText, async (text) => {
        await loadOrIssues(text);
      }),
      { numRuns: 150 },
    );
  });

  it('on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        await loadOrIssues(bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('on any JSON value written as YAML, alone or in place of a valid policy’s spec', async () => {
    const base = {
      apiVersion: 'edaguard.dev/v1alpha1',
      kind: 'ReliabilityPolicy',
      metadata: { name: 'orders' },
    };
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async (value, asSpec) => {
        await loadOrIssues(stringify(asSpec ? { ...base, spec: value } : value));
      }),
      { numRuns: 100 },
    );
  });
});

// ---- valid documents, built from the schema's shape ----

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const tagMap = fc.dictionary(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.:/=+@-]{0,20}$/),
  fc.string({ maxLength: 20 }),
  { maxKeys: 3 },
);
const suffix = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const sqsArn = fc
  .stringMatching(/^[a-z][a-z0-9_-]{0,20}$/)
  .map((n) => `arn:aws:sqs:us-east-1:123456789012:${n}`);
const onFailure = fc.oneof(
  sqsArn.map((destinationArn) => ({ destinationArn })),
  suffix.map((nameSuffix) => ({ create: { nameSuffix } })),
);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const rulesArb = fc
  .record(
    {
      'sqs-dlq-retention': opt(
        fc.record({
          minSeconds: fc.integer({
            min: SQS_LIMITS.minRetentionSeconds,
            max: SQS_LIMITS.maxRetentionSeconds,
          }),
        }),
      ),
      'sqs-dead-letter-queue': opt(
        fc
          .tuple(
            fc.integer({ min: 1, max: SQS_LIMITS.maxReceiveCount }),
            fc.integer({ min: 1, max: SQS_LIMITS.maxReceiveCount }),
            fc.integer({ min: 1, max: SQS_LIMITS.maxReceiveCount }),
          )
          .map((n) => n.sort((a, b) => a - b))
          .chain(([min, def, max]) =>
            fc.record(
              {
                maxReceiveCount: fc.constant({ min, max, default: def }),
                create: fc.record({ nameSuffix: suffix }),
              },
              // An optional key is left out, never set to undefined: YAML has no undefined.
              { requiredKeys: ['maxReceiveCount'] },
            ),
          ),
      ),
      'sqs-visibility-timeout': opt(fc.record({ lambdaTimeoutMultiple: fc.integer({ min: 1, max: 20 }) })),
      'esm-stream-failure-handling': opt(
        fc.record(
          {
            maxRetryAttempts: fc.integer({ min: 0, max: LAMBDA_LIMITS.maxStreamRetryAttempts }),
            maxRecordAgeSeconds: fc.integer({
              min: LAMBDA_LIMITS.minRecordAgeSeconds,
              max: LAMBDA_LIMITS.maxRecordAgeSeconds,
            }),
            onFailure,
          },
          { requiredKeys: ['maxRetryAttempts'] },
        ),
      ),
      'lambda-async-invoke-config': opt(
        fc.record({
          appliesTo: fc.constantFrom('async-invoked', 'all-selected'),
          maxRetryAttempts: fc.integer({ min: 0, max: LAMBDA_LIMITS.maxAsyncRetryAttempts }),
          maxEventAgeSeconds: fc.integer({
            min: LAMBDA_LIMITS.minEventAgeSeconds,
            max: LAMBDA_LIMITS.maxEventAgeSeconds,
          }),
        }),
      ),
      'idempotency-store': opt(
        fc.record({
          ttlAttribute: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,15}$/),
          onDemandBilling: fc.constantFrom('ignore', 'report', 'fix'),
        }),
      ),
      'sqs-dlq-alarm': opt(
        fc.record({
          threshold: fc.integer({ min: 0, max: 1000 }),
          periodSeconds: fc.constantFrom(10, 30, 60, 300),
          evaluationPeriods: fc.integer({ min: 1, max: 100 }),
        }),
      ),
      'dlq-not-empty': opt(fc.constant({})),
    },
    { requiredKeys: [] },
  )
  // At least one rule; drop the keys of absent rules (YAML has no undefined).
  .map((rules) => Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined)))
  .filter((rules) => Object.keys(rules).length > 0);

const validPolicyArb = fc.record({
  apiVersion: fc.constant('edaguard.dev/v1alpha1'),
  kind: fc.constant('ReliabilityPolicy'),
  metadata: fc.record({ name: dnsLabel, labels: tagMap }, { requiredKeys: ['name'] }),
  spec: fc
    .record(
      {
        enforcement: fc.constantFrom('enforce', 'audit'),
        match: fc.record(
          {
            resourceTypes: fc.subarray(['sqs:queue', 'lambda:function', 'dynamodb:table'], { minLength: 1 }),
            tags: tagMap,
          },
          { requiredKeys: [] },
        ),
        exclude: fc.record({ tags: tagMap }),
        rules: rulesArb,
      },
      { requiredKeys: ['match', 'rules'] },
    )
    // Valid: every rule can apply to one of match.resourceTypes (else validate rejects the rule).
    .filter(
      (spec) =>
        rulesOutsideTypes(
          spec.match.resourceTypes as ResourceType[] | undefined,
          Object.keys(spec.rules) as RuleId[],
        ).length === 0,
    ),
});

describe('valid documents', () => {
  it('load to exactly what they say (with the schema’s defaults), and load again the same from their own output', async () => {
    await fc.assert(
      fc.asyncProperty(validPolicyArb, async (doc) => {
        const first = await loadOrIssues(stringify(doc));
        expect(first.issues).toBeUndefined();
        const [policy] = first.set?.policies ?? [];
        expect(first.set?.policies).toHaveLength(1);
        expect(policy?.document).toStrictEqual(ReliabilityPolicySchema.parse(doc));
        expect(policy?.name).toBe(doc.metadata.name);
        expect(policy?.source).toEqual({ file: first.shown, line: 1, column: 1 });
        // Round trip: the normalised document, written out again, loads to itself.
        const second = await loadOrIssues(stringify(policy?.document));
        expect(second.set?.policies[0]?.document).toStrictEqual(policy?.document);
      }),
      { numRuns: 80 },
    );
  });
});

// ---- mutations of valid documents ----

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value in `value` (objects' keys and arrays' indexes). */
function pathsOf(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function getAt(value: Json, at: ReadonlyArray<string | number>): Json {
  return at.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, value);
}

function setAt(value: Json, at: ReadonlyArray<string | number>, next: Json | undefined): Json {
  const copy = structuredClone(value);
  const parent = getAt(copy, at.slice(0, -1)) as Record<string | number, Json>;
  const key = at[at.length - 1] as string | number;
  if (next === undefined) delete parent[key];
  else parent[key] = next;
  return copy;
}

/** A value of another JSON type than `value`. */
function wrongTypeFor(value: Json): Json {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return 'forty-two';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return 'not-a-list';
  return ['not', 'a', 'mapping'];
}

const REQUIRED = [
  ['apiVersion'],
  ['kind'],
  ['metadata'],
  ['metadata', 'name'],
  ['spec'],
  ['spec', 'match'],
  ['spec', 'rules'],
] as const;

/** Under a union (onFailure: destinationArn | create), zod reports the union itself. */
const reportedAt = (at: ReadonlyArray<string | number>) => {
  const union = at.indexOf('onFailure');
  return (union >= 0 ? at.slice(0, union + 1) : at).join('.');
};

describe('mutated documents', () => {
  it('a dropped required field: rejected with "required field is missing" at that field', async () => {
    await fc.assert(
      fc.asyncProperty(validPolicyArb, fc.constantFrom(...REQUIRED), async (doc, at) => {
        const result = await loadOrIssues(stringify(setAt(doc as unknown as Json, at, undefined)));
        expect(result.issues).toBeDefined();
        expect(result.issues).toContainEqual(
          expect.objectContaining({
            path: at.join('.'),
            message: expect.stringMatching(/^required field is missing/),
          }),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('a value of the wrong type anywhere: rejected with an issue naming that field', async () => {
    const withPath = validPolicyArb.chain((doc) =>
      fc.tuple(fc.constant(doc), fc.constantFrom(...pathsOf(doc as unknown as Json))),
    );
    await fc.assert(
      fc.asyncProperty(withPath, async ([doc, at]) => {
        const json = doc as unknown as Json;
        const mutated = setAt(json, at, wrongTypeFor(getAt(json, at)));
        const result = await loadOrIssues(stringify(mutated));
        expect(result.issues, `mutated ${at.join('.')}`).toBeDefined();
        expect(result.issues?.map((i) => i.path)).toContain(reportedAt(at));
      }),
      { numRuns: 80 },
    );
  });
});
