import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  policyJsonSchema,
  RULE_IDS,
  RULE_RESOURCE_TYPES,
  RuleSettingsSchemas,
} from '../../../src/policy/schema.js';

describe('policies/schema.json', () => {
  it('is in sync with the zod schema', () => {
    const published = JSON.parse(
      readFileSync(new URL('../../../policies/schema.json', import.meta.url), 'utf8'),
    );
    expect(published, 'policies/schema.json is stale: run `npm run schema`').toStrictEqual(
      policyJsonSchema(),
    );
  });

  it('names itself and lists every rule, with no other rules allowed', () => {
    const schema = policyJsonSchema() as {
      $id: string;
      title: string;
      properties: { spec: { properties: { rules: { properties: object; additionalProperties: boolean } } } };
    };
    expect(schema.$id).toBe('https://edaguard.dev/schemas/v1alpha1/reliability-policy.json');
    expect(schema.title).toBe('edaguard ReliabilityPolicy');
    const rules = schema.properties.spec.properties.rules;
    expect(Object.keys(rules.properties).sort()).toEqual([...RULE_IDS].sort());
    expect(rules.additionalProperties).toBe(false);
  });
});

describe('rule registry', () => {
  it('every rule has settings and resource types', () => {
    expect(RULE_IDS).toEqual([
      'sqs-dead-letter-queue',
      'sqs-dlq-retention',
      'sqs-visibility-timeout',
      'sqs-fifo-ordering',
      'esm-stream-failure-handling',
      'esm-partial-batch-response',
      'lambda-async-invoke-config',
      'idempotency-store',
      'sqs-dlq-alarm',
      'stream-iterator-age-alarm',
      'dlq-not-empty',
      'stream-retention',
      'sns-subscription-dlq',
      'eventbridge-target-dlq',
      'dlq-delivery-permission',
      'pipe-source-failure-handling',
      'failure-metric-alarms',
    ]);
    for (const id of RULE_IDS) {
      expect(RuleSettingsSchemas[id]).toBeDefined();
      expect(RULE_RESOURCE_TYPES[id].length).toBeGreaterThan(0);
    }
  });
});
