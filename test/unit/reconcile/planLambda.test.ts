import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/discovery/inventory.js';
import { type Action, type Finding, findingKey, plannedActions } from '../../../src/reconcile/model.js';
import { plan } from '../../../src/reconcile/plan.js';
import { arnOf, policy, policySet } from '../fixtures.js';
import {
  FAILURE_SUFFIX,
  failureQueueCandidate,
  lambdaFunction,
  lambdaInventory,
  mapping,
  snsTopicArn,
  table,
  tableArn,
} from '../lambdaFixtures.js';

const TEAM = { team: 'orders' };
const TOPIC = snsTopicArn('orders-events');
const FAILURE_QUEUE = `orders-fn${FAILURE_SUFFIX}`;

const STREAM_RULE = {
  maxRetryAttempts: 5,
  maxRecordAgeSeconds: 3_600,
  onFailure: { create: { nameSuffix: FAILURE_SUFFIX } },
};
const ASYNC_RULE = {
  maxRetryAttempts: 1,
  maxEventAgeSeconds: 3_600,
  onFailure: { create: { nameSuffix: FAILURE_SUFFIX } },
};

/** team=orders, excluding stage=dev: stream and async failure handling, one shared on-failure queue. */
const LAMBDAS = policySet(
  policy({
    name: 'lambdas',
    enforcement: 'enforce',
    match: TEAM,
    exclude: { stage: 'dev' },
    rules: { 'esm-stream-failure-handling': STREAM_RULE, 'lambda-async-invoke-config': ASYNC_RULE },
  }),
);

/** An SNS-invoked function without event-invoke config, tagged team=orders unless told otherwise. */
const ordersFn = (tags: Record<string, string> = TEAM) =>
  lambdaFunction('orders-fn', { tags, asyncInvokers: [TOPIC], eventInvokeConfig: null });

/** Two new stream mappings (no bisect, infinite retries and age, no destination). */
const KINESIS = mapping('uuid-kinesis', { sourceKind: 'kinesis' });
const DDB = mapping('uuid-ddb', { sourceKind: 'dynamodb' });
const STREAMS = [KINESIS, DDB];

/** `resource-name rule status` lines. */
const summary = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.resource.split(':').pop()} ${f.rule} ${f.status}`);

const createQueues = (findings: readonly Finding[]) =>
  findings.flatMap((f) =>
    f.actions.filter((a): a is Extract<Action, { kind: 'CreateQueue' }> => a.kind === 'CreateQueue'),
  );

describe('plan: a function’s mappings and async config sharing one on-failure queue', () => {
  it('exactly one CreateQueue in the whole plan; the other findings depend on its creator', () => {
    const fn = ordersFn();
    const result = plan(LAMBDAS, lambdaInventory({ functions: [fn], mappings: STREAMS }));
    expect(summary(result.findings)).toEqual([
      'uuid-ddb esm-stream-failure-handling drift',
      'uuid-kinesis esm-stream-failure-handling drift',
      'orders-fn lambda-async-invoke-config drift',
    ]);

    const creates = createQueues(result.findings);
    expect(creates).toStrictEqual([
      {
        kind: 'CreateQueue',
        queueArn: arnOf(FAILURE_QUEUE),
        queueName: FAILURE_QUEUE,
        attributes: { MessageRetentionPeriod: '1209600' },
        tags: { 'edaguard.dev/managed-by': 'edaguard', 'edaguard.dev/failure-destination-for': fn.arn },
      },
    ]);

    const [creator, ...others] = result.findings;
    expect(creator?.actions.map((a) => a.kind)).toEqual(['CreateQueue', 'UpdateEventSourceMapping']);
    expect(creator).not.toHaveProperty('dependsOn');
    const key = findingKey(creator as Finding);
    expect(key).toBe(`esm-stream-failure-handling|${DDB.arn}`);
    expect(others.map((f) => f.dependsOn)).toEqual([[key], [key]]);
    expect(others.map((f) => f.actions.map((a) => a.kind))).toEqual([
      ['UpdateEventSourceMapping'],
      ['PutFunctionEventInvokeConfig'],
    ]);
  });

  it('every write points at the one queue, and the CreateQueue comes first in plannedActions', () => {
    const result = plan(LAMBDAS, lambdaInventory({ functions: [ordersFn()], mappings: STREAMS }));
    const actions = plannedActions(result);
    expect(actions.map((a) => a.kind)).toEqual([
      'CreateQueue',
      'UpdateEventSourceMapping',
      'UpdateEventSourceMapping',
      'PutFunctionEventInvokeConfig',
    ]);
    const destinations = actions.flatMap((a) => {
      if (a.kind === 'UpdateEventSourceMapping') return [a.changes.DestinationConfig?.OnFailure.Destination];
      if (a.kind === 'PutFunctionEventInvokeConfig')
        return [a.config.DestinationConfig?.OnFailure?.Destination];
      return [];
    });
    expect(destinations).toEqual([arnOf(FAILURE_QUEUE), arnOf(FAILURE_QUEUE), arnOf(FAILURE_QUEUE)]);
  });

  it('different suffixes are different queues: the async config creates its own and waits for nobody', () => {
    const set = policySet(
      policy({
        name: 'lambdas',
        enforcement: 'enforce',
        match: TEAM,
        rules: {
          'esm-stream-failure-handling': STREAM_RULE,
          'lambda-async-invoke-config': {
            ...ASYNC_RULE,
            onFailure: { create: { nameSuffix: '-async-failures' } },
          },
        },
      }),
    );
    const inv = lambdaInventory({
      functions: [ordersFn()],
      mappings: STREAMS,
      failureSuffixes: [FAILURE_SUFFIX, '-async-failures'],
    });
    const result = plan(set, inv);
    expect(createQueues(result.findings).map((a) => a.queueName)).toEqual([
      FAILURE_QUEUE,
      'orders-fn-async-failures',
    ]);
    expect(result.findings.filter((f) => f.dependsOn)).toHaveLength(1);
    expect(result.findings.find((f) => f.rule === 'lambda-async-invoke-config')).not.toHaveProperty(
      'dependsOn',
    );
  });

  it('a queue of that name that edaguard created is adopted: no CreateQueue, nobody waits', () => {
    const inv = lambdaInventory({
      functions: [ordersFn()],
      mappings: STREAMS,
      candidates: [failureQueueCandidate(FAILURE_QUEUE, 'managed')],
    });
    const result = plan(LAMBDAS, inv);
    expect(createQueues(result.findings)).toEqual([]);
    expect(result.findings.every((f) => f.dependsOn === undefined && f.status === 'drift')).toBe(true);
  });

  it('a busy mapping creates nothing: the next finding that needs the queue creates it', () => {
    const busy = mapping('uuid-ddb', { sourceKind: 'dynamodb', state: 'Updating' });
    const result = plan(LAMBDAS, lambdaInventory({ functions: [ordersFn()], mappings: [KINESIS, busy] }));
    expect(summary(result.findings)).toEqual([
      'uuid-ddb esm-stream-failure-handling busy',
      'uuid-kinesis esm-stream-failure-handling drift',
      'orders-fn lambda-async-invoke-config drift',
    ]);
    expect(result.findings[0]?.actions).toEqual([]);
    expect(result.findings[1]?.actions.map((a) => a.kind)).toEqual([
      'CreateQueue',
      'UpdateEventSourceMapping',
    ]);
    expect(result.findings[2]?.dependsOn).toEqual([`esm-stream-failure-handling|${KINESIS.arn}`]);
  });

  // An audit-only finding never runs, so an enforced one must not wait for its CreateQueue.
  it('an enforced finding never waits for the writes of an audit-only finding', () => {
    const set = policySet(
      policy({
        name: 'streams',
        enforcement: 'audit',
        match: TEAM,
        rules: { 'esm-stream-failure-handling': STREAM_RULE },
      }),
      policy({
        name: 'async',
        enforcement: 'enforce',
        match: { tier: 'critical' },
        rules: { 'lambda-async-invoke-config': ASYNC_RULE },
      }),
    );
    const fn = ordersFn({ ...TEAM, tier: 'critical' });
    const result = plan(set, lambdaInventory({ functions: [fn], mappings: [KINESIS] }));
    expect(result.findings.map((f) => [f.rule, f.enforcement])).toEqual([
      ['esm-stream-failure-handling', 'audit'],
      ['lambda-async-invoke-config', 'enforce'],
    ]);
    const byKey = new Map(result.findings.map((f) => [findingKey(f), f]));
    for (const f of result.findings.filter((x) => x.enforcement === 'enforce')) {
      for (const key of f.dependsOn ?? []) expect(byKey.get(key)?.enforcement).toBe('enforce');
    }
    // The enforced async finding must be able to create the queue itself.
    const async = result.findings.find((f) => f.rule === 'lambda-async-invoke-config');
    expect(async?.actions.map((a) => a.kind)).toEqual(['CreateQueue', 'PutFunctionEventInvokeConfig']);
  });
});

describe('plan: which functions are looked at', () => {
  it.each<{ name: string; tags: Record<string, string> }>([
    { name: 'no tags', tags: {} },
    { name: 'another team', tags: { team: 'billing' } },
    { name: 'ignored (true)', tags: { ...TEAM, 'edaguard.dev/ignore': 'true' } },
    { name: 'ignored (TRUE)', tags: { ...TEAM, 'edaguard.dev/ignore': 'TRUE' } },
    { name: 'excluded by the policy', tags: { ...TEAM, stage: 'dev' } },
  ])('a function not selected ($name) → no findings for it or its mappings', ({ tags }) => {
    const inv = lambdaInventory({ functions: [ordersFn(tags)], mappings: STREAMS });
    expect(plan(LAMBDAS, inv).findings).toEqual([]);
  });

  it('a function that was read but not found by the tag queries (a queue’s consumer) → no findings', () => {
    const inv = lambdaInventory({ otherFunctions: [ordersFn()], mappings: STREAMS });
    expect(plan(LAMBDAS, inv).findings).toEqual([]);
  });

  it('a tagged function that could not be read → no findings (its read error is reported instead)', () => {
    const fn = ordersFn();
    const inv: Inventory = {
      ...lambdaInventory({ mappings: STREAMS }),
      tagged: [{ arn: fn.arn, type: 'lambda:function', tags: fn.tags }],
      readErrors: [{ resource: fn.arn, operation: 'ListFunctions', code: 'AccessDenied', message: 'no' }],
    };
    expect(plan(LAMBDAS, inv).findings).toStrictEqual([
      {
        resource: fn.arn,
        resourceType: 'lambda:function',
        policy: '',
        rule: 'read-error',
        status: 'error',
        observed: { operation: 'ListFunctions', code: 'AccessDenied' },
        desired: null,
        message: 'ListFunctions failed: AccessDenied: no',
        enforcement: 'audit',
        actions: [],
      },
    ]);
  });

  it('a policy with only queue rules does not select functions', () => {
    const set = policySet(policy({ name: 'queues', match: TEAM, rules: { 'sqs-dead-letter-queue': {} } }));
    expect(plan(set, lambdaInventory({ functions: [ordersFn()], mappings: STREAMS })).findings).toEqual([]);
  });

  it('an event-invoke config that was not read gives no async finding; the mappings are still planned', () => {
    const fn = lambdaFunction('orders-fn', { tags: TEAM, asyncInvokers: [TOPIC] });
    const result = plan(LAMBDAS, lambdaInventory({ functions: [fn], mappings: STREAMS }));
    expect(summary(result.findings)).toEqual([
      'uuid-ddb esm-stream-failure-handling drift',
      'uuid-kinesis esm-stream-failure-handling drift',
    ]);
  });

  it('a function without async callers: the async rule is skipped', () => {
    const fn = lambdaFunction('orders-fn', { tags: TEAM, eventInvokeConfig: null });
    const [finding] = plan(LAMBDAS, lambdaInventory({ functions: [fn] })).findings;
    expect(finding).toMatchObject({
      resource: fn.arn,
      rule: 'lambda-async-invoke-config',
      status: 'skipped',
    });
  });
});

describe('plan: mapping findings', () => {
  const ALL_RULES = policySet(
    policy({
      name: 'lambdas',
      enforcement: 'enforce',
      match: TEAM,
      rules: {
        'esm-stream-failure-handling': STREAM_RULE,
        'esm-partial-batch-response': {},
        'lambda-async-invoke-config': ASYNC_RULE,
      },
    }),
  );

  it('are about the mapping (its ARN, type lambda:event-source-mapping); the async finding about the function', () => {
    const fn = ordersFn();
    const mappings = [
      mapping('uuid-kinesis', { sourceKind: 'kinesis' }),
      mapping('uuid-ddb', { sourceKind: 'dynamodb' }),
      mapping('uuid-sqs', { sourceKind: 'sqs' }),
      mapping('uuid-kafka', { sourceKind: 'other' }),
      mapping('uuid-elsewhere', { sourceKind: 'kinesis', fn: 'someone-elses-fn' }),
    ];
    const result = plan(ALL_RULES, lambdaInventory({ functions: [fn], mappings }));
    expect(result.findings.map((f) => [f.resource, f.resourceType, f.rule, f.status])).toEqual([
      [mappings[1]?.arn, 'lambda:event-source-mapping', 'esm-partial-batch-response', 'ticket'],
      [mappings[1]?.arn, 'lambda:event-source-mapping', 'esm-stream-failure-handling', 'drift'],
      [mappings[0]?.arn, 'lambda:event-source-mapping', 'esm-partial-batch-response', 'ticket'],
      [mappings[0]?.arn, 'lambda:event-source-mapping', 'esm-stream-failure-handling', 'drift'],
      [mappings[2]?.arn, 'lambda:event-source-mapping', 'esm-partial-batch-response', 'ticket'],
      [fn.arn, 'lambda:function', 'lambda-async-invoke-config', 'drift'],
    ]);
    for (const f of result.findings) expect(f).toMatchObject({ policy: 'lambdas', enforcement: 'enforce' });
    for (const a of plannedActions(result)) {
      if (a.kind === 'UpdateEventSourceMapping')
        expect([mappings[0]?.arn, mappings[1]?.arn]).toContain(a.mappingArn);
    }
  });

  it('an opted-in function gets the partial batch response turned on for each of its batch mappings', () => {
    const fn = lambdaFunction('orders-fn', { tags: { ...TEAM, 'edaguard.dev/partial-batch': 'supported' } });
    const set = policySet(
      policy({
        name: 'batch',
        enforcement: 'enforce',
        match: TEAM,
        rules: { 'esm-partial-batch-response': {} },
      }),
    );
    const mappings = [
      mapping('uuid-sqs', { sourceKind: 'sqs' }),
      mapping('uuid-kinesis', { sourceKind: 'kinesis' }),
    ];
    const actions = plannedActions(plan(set, lambdaInventory({ functions: [fn], mappings })));
    expect(actions).toStrictEqual(
      [mappings[1], mappings[0]].map((m) => ({
        kind: 'UpdateEventSourceMapping',
        mappingUuid: m?.uuid,
        mappingArn: m?.arn,
        changes: { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      })),
    );
  });
});

describe('plan: idempotency-store tables', () => {
  const STORES = policySet(
    policy({
      name: 'stores',
      enforcement: 'enforce',
      match: { role: 'idempotency' },
      rules: { 'idempotency-store': { ttlAttribute: 'expiresAt', onDemandBilling: 'fix' } },
    }),
  );
  const ROLE = { role: 'idempotency' };

  it('a selected table → one idempotency-store finding about it', () => {
    const t = table('orders-idempotency', { tags: ROLE, ttlStatus: 'DISABLED', billingMode: 'PROVISIONED' });
    const result = plan(STORES, lambdaInventory({ tables: [t] }));
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      resource: tableArn('orders-idempotency'),
      resourceType: 'dynamodb:table',
      rule: 'idempotency-store',
      status: 'drift',
      policy: 'stores',
      enforcement: 'enforce',
    });
    expect(plannedActions(result).map((a) => a.kind)).toEqual(['UpdateTimeToLive', 'UpdateTableBillingMode']);
  });

  it('a compliant selected table → pass', () => {
    const t = table('orders-idempotency', { tags: ROLE });
    expect(summary(plan(STORES, lambdaInventory({ tables: [t] })).findings)).toEqual([
      'table/orders-idempotency idempotency-store pass',
    ]);
  });

  it.each([
    { name: 'not selected', tags: { role: 'cache' } },
    { name: 'ignored', tags: { ...ROLE, 'edaguard.dev/ignore': 'true' } },
  ])('a table $name → no finding', ({ tags }) => {
    const t = table('orders-idempotency', { tags, ttlStatus: 'DISABLED' });
    expect(plan(STORES, lambdaInventory({ tables: [t] })).findings).toEqual([]);
  });

  it('a tagged table that was not read → no finding', () => {
    const inv = lambdaInventory({});
    const unread: Inventory = {
      ...inv,
      tagged: [{ arn: tableArn('gone'), type: 'dynamodb:table', tags: ROLE }],
    };
    expect(plan(STORES, unread).findings).toEqual([]);
  });

  it('a function-only policy does not select tables', () => {
    const t = table('orders-idempotency', { tags: TEAM, ttlStatus: 'DISABLED' });
    expect(plan(LAMBDAS, lambdaInventory({ tables: [t] })).findings).toEqual([]);
  });
});

describe('plan: several policies on a function', () => {
  const byTeam = (rules: Record<string, unknown>) =>
    policy({ name: 'by-team', enforcement: 'enforce', match: TEAM, rules });
  const byTier = (rules: Record<string, unknown>) =>
    policy({ name: 'by-tier', enforcement: 'enforce', match: { tier: 'critical' }, rules });
  const BOTH = { ...TEAM, tier: 'critical' };

  it('disagreeing stream rules → one policy-conflict finding per stream mapping, no writes', () => {
    const set = policySet(
      byTeam({ 'esm-stream-failure-handling': STREAM_RULE }),
      byTier({ 'esm-stream-failure-handling': { ...STREAM_RULE, maxRetryAttempts: 2 } }),
    );
    const result = plan(set, lambdaInventory({ functions: [ordersFn(BOTH)], mappings: STREAMS }));
    expect(result.findings.map((f) => [f.resource, f.resourceType, f.rule])).toEqual([
      [DDB.arn, 'lambda:event-source-mapping', 'policy-conflict'],
      [KINESIS.arn, 'lambda:event-source-mapping', 'policy-conflict'],
    ]);
    expect(result.findings[0]).toStrictEqual({
      resource: DDB.arn,
      resourceType: 'lambda:event-source-mapping',
      label: 'orders-fn ← src-uuid-ddb',
      policy: 'by-team,by-tier',
      rule: 'policy-conflict',
      status: 'drift',
      observed: {
        rule: 'esm-stream-failure-handling',
        settings: {
          'by-team': STREAM_RULE,
          'by-tier': { ...STREAM_RULE, maxRetryAttempts: 2 },
        },
      },
      desired: null,
      message:
        'policies "by-team", "by-tier" set esm-stream-failure-handling differently here; nothing is written until they agree',
      enforcement: 'audit',
      actions: [],
    });
    expect(plannedActions(result)).toEqual([]);
  });

  it('disagreeing async rules → a policy-conflict finding on the function', () => {
    const set = policySet(
      byTeam({ 'lambda-async-invoke-config': ASYNC_RULE }),
      byTier({ 'lambda-async-invoke-config': { ...ASYNC_RULE, maxEventAgeSeconds: 600 } }),
    );
    const result = plan(set, lambdaInventory({ functions: [ordersFn(BOTH)] }));
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      resource: ordersFn().arn,
      resourceType: 'lambda:function',
      rule: 'policy-conflict',
      observed: { rule: 'lambda-async-invoke-config' },
      actions: [],
    });
  });

  it('agreeing policies act together; a conflict on one rule leaves the other rule governed', () => {
    const set = policySet(
      byTeam({ 'esm-stream-failure-handling': STREAM_RULE, 'lambda-async-invoke-config': ASYNC_RULE }),
      byTier({
        'esm-stream-failure-handling': STREAM_RULE,
        'lambda-async-invoke-config': { ...ASYNC_RULE, maxRetryAttempts: 0 },
      }),
    );
    const result = plan(set, lambdaInventory({ functions: [ordersFn(BOTH)], mappings: [KINESIS] }));
    expect(result.findings.map((f) => [f.resource.split(':').pop(), f.rule, f.policy, f.status])).toEqual([
      ['uuid-kinesis', 'esm-stream-failure-handling', 'by-team,by-tier', 'drift'],
      ['orders-fn', 'policy-conflict', 'by-team,by-tier', 'drift'],
    ]);
    // The conflict holds back only the async config's writes, not the mapping's.
    expect(plannedActions(result).map((a) => a.kind)).toEqual(['CreateQueue', 'UpdateEventSourceMapping']);
  });

  // findingKey is a finding's identity: two rules in conflict on one resource are two keys.
  it('finding keys are unique within a plan, also when two rules conflict on one mapping', () => {
    const set = policySet(
      byTeam({ 'esm-stream-failure-handling': STREAM_RULE, 'esm-partial-batch-response': {} }),
      byTier({
        'esm-stream-failure-handling': { ...STREAM_RULE, maxRetryAttempts: 2 },
        'esm-partial-batch-response': { optInTag: { 'acme/batch': 'on' } },
      }),
    );
    const result = plan(set, lambdaInventory({ functions: [ordersFn(BOTH)], mappings: [KINESIS] }));
    expect(result.findings.map((f) => (f.observed as { rule: string }).rule).sort()).toEqual([
      'esm-partial-batch-response',
      'esm-stream-failure-handling',
    ]);
    const keys = result.findings.map(findingKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
