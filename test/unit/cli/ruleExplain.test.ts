import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import {
  examplePolicy,
  rangeText,
  renderExplain,
  renderRules,
  ruleChecks,
  ruleSettingNames,
  ruleWhy,
} from '../../../src/cli/ruleExplain.js';
import { parsePolicySources } from '../../../src/policy/loader.js';
import { RULE_DOCS } from '../../../src/policy/ruleDocs.js';
import { RULE_IDS, RULE_RESOURCE_TYPES } from '../../../src/policy/ruleSettings.js';
import { outputWidth } from '../../../src/report/columns.js';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env: {},
  });
  return { code, stdout, stderr };
}

describe('edaguard rules and explain', () => {
  it.each(RULE_IDS)('%s has a why, what it checks, a fix, and an example policy that validates', (rule) => {
    expect(ruleWhy(rule)).not.toBe('');
    expect(ruleChecks(rule)).not.toBe('');
    expect(RULE_DOCS[rule].fix).not.toBe('');
    const set = parsePolicySources([{ file: 'example.yaml', text: examplePolicy(rule) }]);
    expect(Object.keys(set.policies[0]?.document.spec.rules ?? {})).toEqual([rule]);
    const text = renderExplain(rule, 100);
    for (const name of ruleSettingNames(rule)) expect(text).toMatch(new RegExp(`^  ${name}: `, 'm'));
  });

  it('rules lists every rule, once, with its resource types and why', async () => {
    const { code, stdout } = await run(['rules']);
    expect(code).toBe(0);
    const width = outputWidth(process.stdout.columns, {});
    expect(stdout).toBe(`${renderRules(width)}\n\nedaguard explain <rule> says more.\n`);
    // Stacked at 100 columns: each rule a heading with its types, its why beneath.
    const flat = renderRules(100).replace(/\s+/g, ' ');
    for (const rule of RULE_IDS) {
      expect(flat, rule).toContain(`${rule} (${RULE_RESOURCE_TYPES[rule].join(', ')}) ${ruleWhy(rule)}`);
    }
    const json = JSON.parse((await run(['rules', '-o', 'json'])).stdout) as Array<{ id: string }>;
    expect(json.map((r) => r.id)).toEqual(RULE_IDS);
  });

  it.each([80, 100, 160])('rules and explain fit %i columns, rule ids and types whole', (width) => {
    const table = renderRules(width);
    for (const line of table.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
    for (const rule of RULE_IDS) expect(table).toMatch(new RegExp(`^${rule} `, 'm'));
    for (const rule of RULE_IDS) {
      const [prose = ''] = renderExplain(rule, width).split('\nExample policy:');
      for (const line of prose.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
    }
  });

  it('explain shows defaults and ranges from the schema', async () => {
    const { code, stdout } = await run(['explain', 'sqs-dlq-alarm']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'sqs-dlq-alarm (sqs:queue, sns:topic, events:rule, pipes:pipe, lambda:function)',
    );
    // A setting's line wraps within the width; its words stay in order.
    expect(stdout.replace(/\s+/g, ' ')).toContain(
      ' periodSeconds: default 60; 10 or 30 or integer 60..86400, a multiple of 60. Seconds per evaluation period',
    );
    expect(stdout).toContain('  evaluationPeriods: default 1; integer 1..100');
    expect(stdout).toMatch(/^Why: {4}An alarm-free DLQ fills silently/m);
    expect(stdout).toMatch(/^Fix: {4}PutMetricAlarm/m);
    expect(stdout).toContain('Example policy:\n  apiVersion: edaguard.dev/v1alpha1');
    expect((await run(['explain', 'idempotency-store'])).stdout).toContain(
      '  ttlAttribute: required; string, 1..255 characters',
    );
  });

  it('explain of an unknown rule: did you mean, exit 2', async () => {
    const { code, stderr } = await run(['explain', 'sqs-dlq-alarms']);
    expect(code).toBe(2);
    expect(stderr).toBe('edaguard: unknown rule "sqs-dlq-alarms": did you mean "sqs-dlq-alarm"?\n');
  });

  it('rangeText words enums, lists and alternatives', () => {
    expect(rangeText({ type: 'string', enum: ['a', 'b'] })).toBe('one of a, b');
    expect(rangeText({ type: 'array', maxItems: 5, items: { type: 'string' } })).toBe('list of <= 5: string');
    expect(rangeText({ anyOf: [{ const: 10 }, { type: 'integer', minimum: 60 }] })).toBe(
      '10 or integer >= 60',
    );
  });
});

describe("README's rule tables", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const rows = new Map<string, string>();
  for (const line of readme.split('\n')) {
    const id = /^\| `([a-z0-9-]+)` \|/.exec(line)?.[1];
    if (id && (RULE_IDS as readonly string[]).includes(id)) rows.set(id, line);
  }

  it.each(RULE_IDS)('%s has a row (checks | fix | settings) naming every setting of the schema', (rule) => {
    const row = rows.get(rule);
    expect(row, `README.md has no \`| \`${rule}\` | … |\` row`).toBeDefined();
    expect(row?.split(' | ').length, 'rule | checks | fix | settings').toBeGreaterThanOrEqual(4);
    for (const name of ruleSettingNames(rule)) expect(row, `${rule}: setting ${name}`).toContain(name);
  });
});
