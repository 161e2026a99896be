/**
 * Issue #14 (Explainable): what each policy selects and leaves out, and why; the warnings of a
 * policy that selects nothing (a typo in a tag value) and of a rule that applies to none of what
 * its policy selects; the --show-selection section within 80, 100 and 160 columns.
 */
import { describe, expect, it } from 'vitest';
import type { TaggedResource } from '../../../src/discovery/inventory.js';
import { parsePolicySources } from '../../../src/policy/loader.js';
import type { Policy } from '../../../src/policy/model.js';
import type { ResourceType } from '../../../src/policy/schema.js';
import { explainPlan, planReport } from '../../../src/report/planReport.js';
import { explainSelection, selectionNotices } from '../../../src/report/selection.js';
import { renderSelection, renderWarnings } from '../../../src/report/selectionTable.js';
import { renderPlanTable } from '../../../src/report/table.js';
import { TARGET } from '../fixtures.js';

const policyOf = (name: string, spec: string): Policy => {
  const text = `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: ${name} }
spec:
${spec}`;
  const [policy] = parsePolicySources([{ file: `policies/${name}.yaml`, text }]).policies;
  if (!policy) throw new Error('no policy');
  return policy;
};

const ARN: Record<string, (name: string) => string> = {
  'sqs:queue': (n) => `arn:aws:sqs:us-east-1:123456789012:${n}`,
  'lambda:function': (n) => `arn:aws:lambda:us-east-1:123456789012:function:${n}`,
  'dynamodb:table': (n) => `arn:aws:dynamodb:us-east-1:123456789012:table/${n}`,
};
const resource = (type: ResourceType, name: string, tags: Record<string, string>): TaggedResource => ({
  arn: (ARN[type] ?? ((n: string) => n))(name),
  type,
  tags,
});

const ORDERS = policyOf(
  'orders',
  `  match: { tags: { team: orders } }
  exclude: { tags: { stage: dev } }
  rules:
    sqs-dead-letter-queue: {}`,
);

const TAGGED = [
  resource('sqs:queue', 'orders', { team: 'orders' }),
  resource('sqs:queue', 'orders-dev', { team: 'orders', stage: 'dev' }),
  resource('sqs:queue', 'orders-legacy', { team: 'orders', 'edaguard.dev/ignore': 'true' }),
  resource('sqs:queue', 'billing', { team: 'billing' }),
  resource('lambda:function', 'orders-worker', { team: 'orders' }),
];

type Row = [string, string | undefined, string | RegExp | undefined];

/** [case, policy, resources, expected: label → reason (undefined: selected), detail] */
const CASES: Array<[string, Policy, TaggedResource[], Row[]]> = [
  [
    'selected; exclude tag; ignore tag; another type carrying the tags; a queue of another team is not listed',
    ORDERS,
    TAGGED,
    [
      ['orders', undefined, undefined],
      ['orders-dev', 'exclude-tag', 'exclude.tags: stage=dev'],
      ['orders-legacy', 'ignore-tag', /^edaguard\.dev\/ignore=true/],
      [
        'function:orders-worker',
        'resource-type',
        /lambda:function is not one of the policy's types \(sqs:queue\)/,
      ],
    ],
  ],
  [
    'a typo in a tag value: near misses, nothing selected',
    policyOf('typo', '  match: { tags: { team: ordres } }\n  rules:\n    sqs-dead-letter-queue: {}'),
    TAGGED,
    [
      ['orders', 'match-tag', 'has team=orders, match.tags wants team=ordres'],
      ['orders-dev', 'match-tag', 'has team=orders, match.tags wants team=ordres'],
      ['orders-legacy', 'match-tag', 'has team=orders, match.tags wants team=ordres'],
    ],
  ],
  [
    'a typo in a tag key: the value under another key is a near miss',
    policyOf('keytypo', '  match: { tags: { taem: billing } }\n  rules:\n    sqs-dead-letter-queue: {}'),
    TAGGED,
    [['billing', 'match-tag', 'has team=billing, match.tags wants taem=billing']],
  ],
  [
    'no match tags: every queue; other types are not listed as excluded by type',
    policyOf('all', '  match: {}\n  rules:\n    sqs-dlq-retention: {}'),
    TAGGED.slice(0, 2),
    [
      ['orders', undefined, undefined],
      ['orders-dev', undefined, undefined],
    ],
  ],
];

describe('explainSelection', () => {
  it.each(CASES)('%s', (_name, policy, tagged, expected) => {
    const [selection] = explainSelection([policy], tagged);
    const rows: Row[] = [
      ...(selection?.selected ?? []).map((s): Row => [s.label, undefined, undefined]),
      ...(selection?.excluded ?? []).map((e): Row => [e.label, e.reason, e.detail]),
    ];
    expect(rows.map(([label, reason]) => [label, reason])).toEqual(
      expected.map(([label, reason]) => [label, reason]),
    );
    for (const [label, , detail] of expected) {
      const got = rows.find((r) => r[0] === label)?.[2];
      if (detail !== undefined) expect(got).toMatch(detail);
    }
  });
});

describe('selectionNotices', () => {
  const notices = (policies: Policy[], tagged: TaggedResource[]) =>
    selectionNotices(policies, explainSelection(policies, tagged), TARGET);

  it('a policy that selects what it means: no warning', () => {
    expect(notices([ORDERS], TAGGED)).toEqual([]);
  });

  it('a typo in a tag value: the policy selects nothing, and the warning names the near miss', () => {
    const typo = policyOf(
      'typo',
      '  match: { tags: { team: ordres } }\n  rules:\n    sqs-dead-letter-queue: {}',
    );
    const [notice, ...rest] = notices([typo], TAGGED);
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({
      code: 'policy-selects-nothing',
      details: { policy: 'typo', file: 'policies/typo.yaml', line: 1 },
    });
    expect(notice?.message).toBe(
      'policy "typo" (policies/typo.yaml:1) selects no resource in 123456789012/us-east-1: no sqs:queue carries team=ordres; near miss: orders has team=orders, match.tags wants team=ordres and 2 more (plan --show-selection lists them)',
    );
  });

  it('every candidate excluded: says by what', () => {
    const p = policyOf(
      'dev',
      '  match: { tags: { stage: dev } }\n  exclude: { tags: { team: orders } }\n  rules:\n    sqs-dead-letter-queue: {}',
    );
    expect(notices([p], TAGGED)[0]?.message).toMatch(
      /selects no resource in 123456789012\/us-east-1: 1 candidate excluded \(1 by exclude\.tags\)/,
    );
  });

  it('nothing of its types found at all', () => {
    const p = policyOf('tables', '  match: {}\n  rules:\n    idempotency-store: { ttlAttribute: ttl }');
    expect(notices([p], TAGGED)[0]?.message).toMatch(/selects no resource in .*: no dynamodb:table found$/);
  });

  it('a rule that applies to none of what its policy selects (the policy selects only queues)', () => {
    const p = policyOf(
      'mixed',
      '  match: { tags: { team: billing } }\n  rules:\n    sqs-dead-letter-queue: {}\n    esm-partial-batch-response: {}',
    );
    const found = notices([p], TAGGED);
    expect(found.map((n) => [n.code, n.details.rule])).toEqual([
      ['rule-applies-to-nothing', 'esm-partial-batch-response'],
    ]);
    expect(found[0]?.message).toBe(
      'rule esm-partial-batch-response of policy "mixed" (policies/mixed.yaml:8) applies to none of the 1 resource it selects in 123456789012/us-east-1: the rule judges lambda:function, the policy selects only sqs:queue',
    );
  });
});

describe('plan with its warnings and selection', () => {
  const typo = policyOf(
    'typo',
    '  match: { tags: { team: ordres } }\n  rules:\n    sqs-dead-letter-queue: {}',
  );
  const plan = { target: TARGET, findings: [] };
  const at = { startedAt: new Date(0), finishedAt: new Date(0) };

  it('JSON: notices always, the selection only when asked', () => {
    const plain = planReport(explainPlan(plan, [ORDERS, typo], TAGGED, false), at);
    expect(plain.notices?.map((n) => n.code)).toEqual(['policy-selects-nothing']);
    expect(plain.selection).toBeUndefined();
    const shown = planReport(explainPlan(plan, [ORDERS, typo], TAGGED, true), at);
    expect(
      shown.selection?.map((s) => [s.policy, s.selected.length, s.nothingSelected !== undefined]),
    ).toEqual([
      ['orders', 1, false],
      ['typo', 0, true],
    ]);
  });

  it('a plan without warnings is unchanged', () => {
    expect(planReport(explainPlan(plan, [ORDERS], TAGGED, false), at)).toEqual(planReport(plan, at));
  });

  it('the table does not say "the account matches its policies" when a policy selects nothing', () => {
    const text = renderPlanTable(explainPlan(plan, [typo], TAGGED, false), { width: 100 });
    expect(text).not.toContain('The account matches its policies');
    expect(text).toContain('1 warning(s) on stderr');
  });

  const LABELS = ['orders', 'orders-dev', 'orders-legacy', 'function:orders-worker'];
  for (const width of [80, 100, 160]) {
    it(`--show-selection at ${width} columns: no line wider, every name whole`, () => {
      const text = renderPlanTable(explainPlan(plan, [ORDERS, typo], TAGGED, true), { width });
      const lines = text.split('\n');
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(width);
      for (const label of LABELS)
        expect(
          lines.some((l) => new RegExp(`(^|\\s)${label}(\\s|$)`).test(l)),
          label,
        ).toBe(true);
      expect(text).toMatch(/^Selection: /m);
      const warnings = renderWarnings(explainPlan(plan, [typo], TAGGED, false).notices ?? [], width);
      expect(
        Math.max(
          ...warnings
            .trimEnd()
            .split('\n')
            .map((l) => [...l].length),
        ),
      ).toBeLessThanOrEqual(width);
      expect(warnings.startsWith('warning: policy "typo"')).toBe(true);
    });
  }

  it('the selection table: a row per resource, the reason in words', () => {
    const [orders, typoSelection] = explainSelection([ORDERS, typo], TAGGED);
    const text = renderSelection(
      [orders, typoSelection].flatMap((s) => (s ? [s] : [])),
      { width: 160 },
    );
    const row = (policy: string, label: string) =>
      text.split('\n').find((l) => l.startsWith(`${policy} `) && l.includes(` ${label} `));
    expect(row('orders', 'orders')).toMatch(/selected\s*$/);
    expect(row('orders', 'orders-dev')).toMatch(/exclude tag\s+exclude\.tags: stage=dev/);
    expect(row('orders', 'orders-legacy')).toMatch(/ignore tag\s+edaguard\.dev\/ignore=true/);
    expect(row('orders', 'function:orders-worker')).toMatch(/type\s+lambda:function/);
    expect(row('typo', '-')).toMatch(/nothing\s+no sqs:queue carries team=ordres/);
    expect(row('typo', 'orders-dev')).toMatch(/tag mismatch\s+has team=orders, match.tags wants team=ordres/);
    expect(row('typo', 'billing')).toBeUndefined();
  });

  it('stacks per policy when the names leave the reason too little room', () => {
    const long = resource('sqs:queue', `orders-${'x'.repeat(70)}`, { team: 'orders', stage: 'dev' });
    const [s] = explainSelection([ORDERS], [long]);
    const text = renderSelection(s ? [s] : [], { width: 80 });
    expect(Math.max(...text.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(text.split('\n')).toContain(`  orders-${'x'.repeat(70)}`);
    expect(text.split('\n')).toContain('    exclude tag: exclude.tags: stage=dev');
  });
});
