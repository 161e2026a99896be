import { describe, expect, it } from 'vitest';
import { planReads } from '../../../src/discovery/readPlan.js';
import { policy, policySet } from '../fixtures.js';

const IGNORED = {
  resourceTypes: ['sqs', 'lambda:function', 'dynamodb:table', 'sns'],
  tags: { 'edaguard.dev/ignore': 'true' },
};
const MANAGED = { resourceTypes: ['sqs'], tags: { 'edaguard.dev/managed-by': 'edaguard' } };

describe('planReads', () => {
  it('no policies: nothing to select, but ignored and managed queues are always queried', () => {
    expect(planReads(policySet())).toStrictEqual({
      selectorQueries: [],
      ignoredQuery: IGNORED,
      managedQuery: MANAGED,
      needsMappings: false,
      needsFunctions: false,
      needsKmsKeys: false,
      needsAsyncInvokers: false,
      needsStreams: false,
      needsStreamList: false,
      needsTopics: false,
      needsEventRules: false,
      needsPipes: false,
      needsAlarms: false,
      dlqSuffixes: [],
    });
  });

  it('one query per distinct match selector, whatever the key order', () => {
    const plan = planReads(
      policySet(
        policy({ name: 'a', match: { team: 'orders', tier: 'gold' }, rules: { 'sqs-dlq-retention': {} } }),
        policy({ name: 'b', match: { tier: 'gold', team: 'orders' }, rules: { 'sqs-dlq-retention': {} } }),
        policy({
          name: 'c',
          match: { team: 'billing' },
          exclude: { stage: 'dev' },
          rules: { 'sqs-dlq-retention': {} },
        }),
      ),
    );
    expect(plan.selectorQueries).toStrictEqual([
      { resourceTypes: ['sqs'], tags: { team: 'orders', tier: 'gold' } },
      { resourceTypes: ['sqs'], tags: { team: 'billing' } },
    ]);
    expect(Object.keys(plan.selectorQueries[0]?.tags ?? {})).toEqual(['team', 'tier']);
  });

  it('a policy without match tags makes one query for every queue, which replaces the narrower ones', () => {
    const plan = planReads(
      policySet(
        policy({ name: 'a', match: { team: 'orders' }, rules: { 'sqs-dlq-retention': {} } }),
        policy({ name: 'all', exclude: { stage: 'dev' }, rules: { 'sqs-dlq-retention': {} } }),
      ),
    );
    expect(plan.selectorQueries).toStrictEqual([{ resourceTypes: ['sqs'], tags: {} }]);
  });

  it('one query per resource type the policies select, with the tagging API type filter', () => {
    const plan = planReads(
      policySet(
        policy({ name: 'q', match: { team: 'a' }, rules: { 'sqs-dlq-retention': {} } }),
        policy({ name: 'f', match: { team: 'a' }, rules: { 'esm-partial-batch-response': {} } }),
        policy({ name: 't', match: { team: 'a' }, rules: { 'idempotency-store': { ttlAttribute: 'exp' } } }),
      ),
    );
    expect(plan.selectorQueries).toStrictEqual([
      { resourceTypes: ['sqs'], tags: { team: 'a' } },
      { resourceTypes: ['lambda:function'], tags: { team: 'a' } },
      { resourceTypes: ['dynamodb:table'], tags: { team: 'a' } },
    ]);
    expect(plan).toMatchObject({ needsMappings: true, needsFunctions: true, needsAsyncInvokers: false });
  });

  it('reads async callers only for the async rule applied to async-invoked functions', () => {
    const rule = (appliesTo: 'async-invoked' | 'all-selected') =>
      policySet(
        policy({ name: 'f', match: { team: 'a' }, rules: { 'lambda-async-invoke-config': { appliesTo } } }),
      );
    expect(planReads(rule('async-invoked'))).toMatchObject({
      needsAsyncInvokers: true,
      needsFunctions: true,
      needsMappings: false,
    });
    expect(planReads(rule('all-selected'))).toMatchObject({
      needsAsyncInvokers: false,
      needsFunctions: true,
    });
  });

  it('needs mappings only when some policy has the visibility rule or a mapping rule', () => {
    const withoutVisibility = policySet(
      policy({ name: 'a', match: { team: 'x' }, rules: { 'sqs-dead-letter-queue': {} } }),
    );
    expect(planReads(withoutVisibility).needsMappings).toBe(false);
    const withVisibility = policySet(
      policy({ name: 'a', match: { team: 'x' }, rules: { 'sqs-dead-letter-queue': {} } }),
      policy({ name: 'b', match: { team: 'y' }, rules: { 'sqs-visibility-timeout': {} } }),
    );
    expect(planReads(withVisibility).needsMappings).toBe(true);
  });

  it('DLQ suffixes: those of the policies that may create DLQs, distinct and sorted', () => {
    const plan = planReads(
      policySet(
        policy({
          name: 'a',
          match: { t: 'a' },
          rules: { 'sqs-dead-letter-queue': { create: { nameSuffix: '_z' } } },
        }),
        policy({ name: 'b', match: { t: 'b' }, rules: { 'sqs-dead-letter-queue': { create: {} } } }),
        policy({
          name: 'c',
          match: { t: 'c' },
          rules: { 'sqs-dead-letter-queue': { create: { nameSuffix: '-dlq' } } },
        }),
        policy({ name: 'd', match: { t: 'd' }, rules: { 'sqs-dead-letter-queue': {} } }),
        policy({
          name: 'e',
          match: { t: 'e' },
          rules: { 'sqs-dead-letter-queue': { create: { nameSuffix: '-failed' } } },
        }),
      ),
    );
    expect(plan.dlqSuffixes).toEqual(['_z', '-dlq', '-failed'].sort());
    expect(plan.dlqSuffixes).toHaveLength(3);
  });
});
