import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../src/errors.js';
import { parsePolicySources } from '../../../src/policy/loader.js';
import { closest, editDistance, unknownName } from '../../../src/policy/plainMessages.js';
import { RULE_IDS } from '../../../src/policy/schema.js';

describe('did you mean', () => {
  it('editDistance is the Levenshtein distance', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('sqs-dlq-alarms', 'sqs-dlq-alarm')).toBe(1);
    expect(editDistance('abc', '')).toBe(3);
  });

  it('closest names a near rule, field or value, and nothing when none is near', () => {
    expect(closest('sqs-dead-leter-queue', RULE_IDS)).toBe('sqs-dead-letter-queue');
    expect(closest('sqs-dlq-retension', RULE_IDS)).toBe('sqs-dlq-retention');
    expect(closest('Enforce', ['enforce', 'audit'])).toBe('enforce');
    expect(closest('status', ['apiVersion', 'kind', 'metadata', 'spec'])).toBeUndefined();
    expect(closest('lambda', RULE_IDS)).toBeUndefined();
    expect(unknownName('rule', 'nope', ['a-rule'])).toBe('unknown rule "nope" (known rules: a-rule)');
  });
});

/** The issues of one policy whose spec is `spec` (YAML, indented under `spec:`). */
function issuesOf(spec: string): string[] {
  const text = `apiVersion: edaguard.dev/v1alpha1\nkind: ReliabilityPolicy\nmetadata: { name: orders }\nspec:\n${spec}`;
  try {
    parsePolicySources([{ file: 'p.yaml', text }]);
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('plain messages', () => {
  it('a misspelled rule is one error: no "at least one rule is required" besides it', () => {
    expect(issuesOf('  match: {}\n  rules:\n    sqs-dlq-alarms: {}\n')).toEqual([
      'spec.rules.sqs-dlq-alarms: unknown rule "sqs-dlq-alarms": did you mean "sqs-dlq-alarm"?',
    ]);
    // With no rule at all, the rule is still required.
    expect(issuesOf('  match: {}\n  rules: {}\n')[0]).toMatch(/^spec\.rules: at least one rule is required/);
  });

  it('says what a field is, not what zod expected', () => {
    expect(issuesOf('  match: { tags: [team, billing] }\n  rules: { dlq-not-empty: {} }\n')).toEqual([
      'spec.match.tags: `tags` is a map (key: value), e.g. { team: billing }, not a list',
    ]);
    expect(issuesOf('  match: { resourceTypes: sqs:queue }\n  rules: { dlq-not-empty: {} }\n')).toEqual([
      'spec.match.resourceTypes: `resourceTypes` is a list, e.g. [a, b], not "sqs:queue"',
    ]);
    expect(issuesOf('  match: {}\n  rules: { sqs-dlq-alarm: { evaluationPeriods: 0 } }\n')).toEqual([
      'spec.rules.sqs-dlq-alarm.evaluationPeriods: must be at least 1, got 0',
    ]);
    expect(issuesOf('  match: {}\n  rules: { lambda-async-invoke-config: { appliesTo: all } }\n')).toEqual([
      'spec.rules.lambda-async-invoke-config.appliesTo: expected one of async-invoked, all-selected; got "all"',
    ]);
  });

  it('an alarm period says which periods CloudWatch takes, once', () => {
    for (const period of [45, 90, 0, 86_460]) {
      expect(issuesOf(`  match: {}\n  rules: { sqs-dlq-alarm: { periodSeconds: ${period} } }\n`)).toEqual([
        'spec.rules.sqs-dlq-alarm.periodSeconds: 10, 30 or a multiple of 60 up to 86400 (seconds)',
      ]);
    }
    for (const period of [10, 30, 60, 120, 86_400]) {
      expect(issuesOf(`  match: {}\n  rules: { sqs-dlq-alarm: { periodSeconds: ${period} } }\n`)).toEqual([]);
    }
  });
});

type Schema = {
  anyOf?: Schema[];
  const?: unknown;
  type?: string;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
};

/** Just enough JSON Schema to judge a number against policies/schema.json's periodSeconds. */
function accepts(schema: Schema, value: number): boolean {
  if (schema.anyOf) return schema.anyOf.some((s) => accepts(s, value));
  if ('const' in schema && schema.const !== value) return false;
  if (schema.type === 'integer' && !Number.isInteger(value)) return false;
  if (schema.minimum !== undefined && value < schema.minimum) return false;
  if (schema.maximum !== undefined && value > schema.maximum) return false;
  if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) return false;
  return true;
}

describe('policies/schema.json: alarm periods', () => {
  const schema = JSON.parse(readFileSync(new URL('../../../policies/schema.json', import.meta.url), 'utf8'));
  const rules = schema.properties.spec.properties.rules.properties;

  it.each(['sqs-dlq-alarm', 'stream-iterator-age-alarm', 'failure-metric-alarms'])(
    '%s periodSeconds: 10, 30 or a multiple of 60 up to 86400, as the CLI accepts',
    (rule) => {
      const period = rules[rule].properties.periodSeconds as Schema;
      for (const ok of [10, 30, 60, 120, 3600, 86_400]) expect(accepts(period, ok), String(ok)).toBe(true);
      for (const bad of [45, 90, 0, 20, 86_460, 60.5]) expect(accepts(period, bad), String(bad)).toBe(false);
    },
  );
});
