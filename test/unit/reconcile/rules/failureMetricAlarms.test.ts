import { describe, expect, it } from 'vitest';
import { toAlarmFacts } from '../../../../src/discovery/cloudwatch.js';
import type { AlarmFacts, FunctionFacts, Inventory } from '../../../../src/discovery/inventory.js';
import { planReads } from '../../../../src/discovery/readPlan.js';
import { parsePolicySources } from '../../../../src/policy/loader.js';
import type { RuleSettings } from '../../../../src/policy/ruleSettings.js';
import type { AlarmSpec } from '../../../../src/reconcile/model.js';
import { plan } from '../../../../src/reconcile/plan.js';
import {
  type FailureMetricResource,
  failureAlarmName,
  failureAlarmSpecs,
  planFailureMetricAlarms,
} from '../../../../src/reconcile/rules/failureMetricAlarms.js';
import { inventory } from '../../fixtures.js';

const ONCALL = 'arn:aws:sns:us-east-1:123456789012:oncall';
const P = 'arn:aws:';
const A = ':us-east-1:123456789012:';
const settings = (over: Partial<RuleSettings['failure-metric-alarms']> = {}) =>
  ({
    periodSeconds: 60,
    evaluationPeriods: 1,
    alarmActions: [ONCALL],
    ...over,
  }) as RuleSettings['failure-metric-alarms'];

const fn: FailureMetricResource = {
  type: 'lambda:function',
  arn: `${P}lambda${A}function:notify`,
  name: 'notify',
  asyncInvoked: true,
};
const rule: FailureMetricResource = {
  type: 'events:rule',
  arn: `${P}events${A}rule/order-placed`,
  name: 'order-placed',
  eventBusName: 'default',
};
const busRule: FailureMetricResource = {
  type: 'events:rule',
  arn: `${P}events${A}rule/orders/order-placed`,
  name: 'order-placed',
  eventBusName: 'orders',
};
const topic: FailureMetricResource = { type: 'sns:topic', arn: `${P}sns${A}orders`, name: 'orders' };
const stream: FailureMetricResource = {
  type: 'kinesis:stream',
  arn: `${P}kinesis${A}stream/clicks`,
  name: 'clicks',
};
const table: FailureMetricResource = {
  type: 'dynamodb:table',
  arn: `${P}dynamodb${A}table/idempotency`,
  name: 'idempotency',
};

const shape = (s: AlarmSpec) => [s.AlarmName, s.Namespace, s.MetricName, s.Dimensions];
const factsOf = (specs: AlarmSpec[]): Map<string, AlarmFacts> =>
  new Map(specs.map((s) => [s.AlarmName, toAlarmFacts(s) as AlarmFacts]));

describe('failureAlarmSpecs: one alarm per failure metric of each type', () => {
  it.each<{ name: string; resource: FailureMetricResource; want: unknown[] }>([
    {
      name: 'an async-invoked function: the three async metrics',
      resource: fn,
      want: ['AsyncEventsDropped', 'DestinationDeliveryFailures', 'DeadLetterErrors'].map((m) => [
        `edaguard-failure-${m}-notify`,
        'AWS/Lambda',
        m,
        [{ Name: 'FunctionName', Value: 'notify' }],
      ]),
    },
    {
      name: 'a rule on the default bus: RuleName only',
      resource: rule,
      want: ['FailedInvocations', 'InvocationsFailedToBeSentToDlq'].map((m) => [
        `edaguard-failure-${m}-order-placed`,
        'AWS/Events',
        m,
        [{ Name: 'RuleName', Value: 'order-placed' }],
      ]),
    },
    {
      name: 'a rule on a custom bus: EventBusName and RuleName, the bus in the name',
      resource: busRule,
      want: ['FailedInvocations', 'InvocationsFailedToBeSentToDlq'].map((m) => [
        `edaguard-failure-${m}-orders/order-placed`,
        'AWS/Events',
        m,
        [
          { Name: 'EventBusName', Value: 'orders' },
          { Name: 'RuleName', Value: 'order-placed' },
        ],
      ]),
    },
    {
      name: 'a topic: failed notifications and failed redrives',
      resource: topic,
      want: ['NumberOfNotificationsFailed', 'NumberOfNotificationsFailedToRedriveToDlq'].map((m) => [
        `edaguard-failure-${m}-orders`,
        'AWS/SNS',
        m,
        [{ Name: 'TopicName', Value: 'orders' }],
      ]),
    },
    {
      name: 'a stream: hot shards',
      resource: stream,
      want: [
        [
          'edaguard-failure-WriteProvisionedThroughputExceeded-clicks',
          'AWS/Kinesis',
          'WriteProvisionedThroughputExceeded',
          [{ Name: 'StreamName', Value: 'clicks' }],
        ],
      ],
    },
    {
      name: 'an idempotency table: one per operation the store uses',
      resource: table,
      want: ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'].map((op) => [
        `edaguard-failure-ThrottledRequests-${op}-idempotency`,
        'AWS/DynamoDB',
        'ThrottledRequests',
        [
          { Name: 'TableName', Value: 'idempotency' },
          { Name: 'Operation', Value: op },
        ],
      ]),
    },
  ])('$name', ({ resource, want }) => {
    const specs = failureAlarmSpecs(resource, settings());
    expect(specs.map(shape)).toEqual(want);
    for (const s of specs) {
      expect(s).toMatchObject({
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Period: 60,
        EvaluationPeriods: 1,
        AlarmActions: [ONCALL],
      });
      expect(s.Tags).toContainEqual({ Key: 'edaguard.dev/alarm-for', Value: resource.arn });
    }
  });

  it('never collides with the DLQ-depth and iterator-age names, and stays within 255 characters', () => {
    expect(failureAlarmName('AsyncEventsDropped', 'x')).toMatch(/^edaguard-failure-/);
    const long = 'a'.repeat(256);
    const name = failureAlarmName('NumberOfNotificationsFailedToRedriveToDlq', long);
    expect(name).toHaveLength(255);
    expect(name).toBe(failureAlarmName('NumberOfNotificationsFailedToRedriveToDlq', long));
    expect(name).not.toBe(failureAlarmName('NumberOfNotificationsFailedToRedriveToDlq', `${long}b`));
  });
});

describe('planFailureMetricAlarms (failure-metric-alarms)', () => {
  it('puts every missing alarm of the resource in one finding', () => {
    const verdict = planFailureMetricAlarms(table, settings(), new Map());
    expect(verdict.status).toBe('drift');
    expect(verdict.actions?.map((a) => a.kind === 'PutMetricAlarm' && a.alarm.AlarmName)).toEqual(
      failureAlarmSpecs(table, settings()).map((s) => s.AlarmName),
    );
  });

  it('alarms that are right are left alone: pass, no writes', () => {
    const verdict = planFailureMetricAlarms(topic, settings(), factsOf(failureAlarmSpecs(topic, settings())));
    expect(verdict).toMatchObject({ status: 'pass' });
    expect(verdict.actions ?? []).toEqual([]);
  });

  it('repairs only the alarm that drifted, and says which field', () => {
    const specs = failureAlarmSpecs(topic, settings());
    const [first, second] = specs as [AlarmSpec, AlarmSpec];
    const alarms = factsOf(specs);
    alarms.set(second.AlarmName, { ...(alarms.get(second.AlarmName) as AlarmFacts), threshold: 5 });
    const verdict = planFailureMetricAlarms(topic, settings(), alarms);
    expect(verdict.status).toBe('drift');
    expect(verdict.actions).toEqual([{ kind: 'PutMetricAlarm', alarm: second }]);
    expect(verdict.message).toContain(`${second.AlarmName} (threshold)`);
    expect(verdict.message).not.toContain(first.AlarmName);
  });

  it('a new alarm action makes every alarm drift', () => {
    const alarms = factsOf(failureAlarmSpecs(stream, settings()));
    const verdict = planFailureMetricAlarms(stream, settings({ alarmActions: [] }), alarms);
    expect(verdict.actions).toHaveLength(1);
  });

  it('`metrics` chooses a subset; a type none of them applies to is skipped', () => {
    const only = settings({ metrics: ['NumberOfNotificationsFailed'] });
    expect(failureAlarmSpecs(topic, only).map((s) => s.MetricName)).toEqual(['NumberOfNotificationsFailed']);
    expect(planFailureMetricAlarms(topic, only, new Map()).actions).toHaveLength(1);
    expect(planFailureMetricAlarms(table, only, new Map())).toMatchObject({ status: 'skipped' });
  });

  it('a function nothing invokes asynchronously is skipped, with why', () => {
    const verdict = planFailureMetricAlarms({ ...fn, asyncInvoked: false }, settings(), new Map());
    expect(verdict.status).toBe('skipped');
    expect(verdict.message).toContain('not invoked asynchronously');
    expect(verdict.actions ?? []).toEqual([]);
  });
});

const POLICY = (types: string, extra = '') =>
  parsePolicySources([
    {
      file: 'p.yaml',
      text: `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: alarms }
spec:
  enforcement: enforce
  match: { resourceTypes: [${types}], tags: { team: orders } }
  rules:
    failure-metric-alarms: { alarmActions: [${ONCALL}]${extra} }
`,
    },
  ]);

const fnFacts = (name: string, over: Partial<FunctionFacts> = {}): FunctionFacts => ({
  arn: `${P}lambda${A}function:${name}`,
  name,
  timeoutSeconds: 3,
  tags: { team: 'orders' },
  asyncInvokers: [],
  ...over,
});

function withResources(alarms: Map<string, AlarmFacts> = new Map()): Inventory {
  const tags = { team: 'orders' };
  const fns = [
    fnFacts('by-sns', { asyncInvokers: [topic.arn] }),
    fnFacts('with-config', { eventInvokeConfig: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } }),
    fnFacts('sync-only', { eventInvokeConfig: null }),
  ];
  return {
    ...inventory(),
    tagged: [
      ...fns.map((f) => ({ arn: f.arn, type: 'lambda:function' as const, tags })),
      { arn: topic.arn, type: 'sns:topic', tags },
      { arn: stream.arn, type: 'kinesis:stream', tags },
      { arn: table.arn, type: 'dynamodb:table', tags },
      { arn: `${P}sns${A}other`, type: 'sns:topic', tags: { team: 'billing' } },
    ],
    functions: new Map(fns.map((f) => [f.arn, f])),
    eventRules: new Map(
      [rule, busRule].map((r) => [
        r.arn,
        {
          arn: r.arn,
          name: r.name,
          eventBusName: (r as { eventBusName: string }).eventBusName,
          tags,
          targets: [],
        },
      ]),
    ),
    alarms,
  };
}

describe('plan: failure-metric-alarms on every selected resource of its types', () => {
  const types = 'lambda:function, events:rule, sns:topic, kinesis:stream, dynamodb:table';

  it('one finding per selected resource; functions without async callers are skipped', () => {
    const findings = plan(POLICY(types), withResources()).findings.filter(
      (f) => f.rule === 'failure-metric-alarms',
    );
    expect(findings.map((f) => [f.resource.replace(/^.*:/, ''), f.status, f.actions.length]).sort()).toEqual(
      [
        ['by-sns', 'drift', 3],
        ['with-config', 'drift', 3],
        ['sync-only', 'skipped', 0],
        ['orders', 'drift', 2],
        ['stream/clicks', 'drift', 1],
        ['table/idempotency', 'drift', 4],
        ['rule/order-placed', 'drift', 2],
        ['rule/orders/order-placed', 'drift', 2],
      ].sort(),
    );
  });

  it('converged: every finding passes with no writes', () => {
    const first = plan(POLICY(types), withResources());
    const specs = first.findings.flatMap((f) =>
      f.actions.flatMap((a) => (a.kind === 'PutMetricAlarm' ? [a.alarm] : [])),
    );
    const again = plan(POLICY(types), withResources(factsOf(specs)));
    expect(again.findings.filter((f) => f.status === 'drift')).toEqual([]);
  });

  it('without alarms read (inventory.alarms undefined) nothing is planned', () => {
    const { alarms: _, ...rest } = withResources();
    expect(plan(POLICY(types), rest).findings.filter((f) => f.rule === 'failure-metric-alarms')).toEqual([]);
  });

  it('the read plan lists streams, functions, their async callers and the alarms', () => {
    expect(planReads(POLICY(types))).toMatchObject({
      needsStreamList: true,
      needsStreams: false,
      needsFunctions: true,
      needsAsyncInvokers: true,
      needsAlarms: true,
    });
    expect(planReads(POLICY('sns:topic'))).toMatchObject({
      needsStreamList: false,
      needsFunctions: false,
      needsAsyncInvokers: false,
      needsAlarms: true,
    });
  });
});
