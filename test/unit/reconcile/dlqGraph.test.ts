import { describe, expect, it } from 'vitest';
import type {
  AlarmFacts,
  EventRuleFacts,
  FunctionFacts,
  Inventory,
  MappingFacts,
  PipeFacts,
  TopicFacts,
} from '../../../src/discovery/inventory.js';
import { buildDlqGraph, edgesInto, isDeadLetterTarget } from '../../../src/reconcile/dlqGraph.js';
import { dlqAlarmName } from '../../../src/reconcile/rules/alarms.js';
import { arnOf, inventory, queue, redriving, unmanagedCandidate } from '../fixtures.js';

const ACCOUNT = 'us-east-1:123456789012';
const TOPIC = `arn:aws:sns:${ACCOUNT}:orders-events`;
const FAILURES_TOPIC = `arn:aws:sns:${ACCOUNT}:failures`;
const RULE = `arn:aws:events:${ACCOUNT}:rule/orders-created`;
const PIPE = `arn:aws:pipes:${ACCOUNT}:pipe/orders-pipe`;
const STREAM = `arn:aws:kinesis:${ACCOUNT}:stream/orders-stream`;
const FN = `arn:aws:lambda:${ACCOUNT}:function:process`;
const MAPPING = `arn:aws:lambda:${ACCOUNT}:event-source-mapping:uuid-1`;

function dlqAlarm(dlqName: string, name = dlqAlarmName(dlqName)): AlarmFacts {
  return {
    name,
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: dlqName },
    statistic: 'Maximum',
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 1,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [],
  };
}

const topic = (arn: string, subscriptions: TopicFacts['subscriptions']): TopicFacts => ({
  arn,
  name: arn.split(':')[5] ?? '',
  fifo: false,
  tags: {},
  subscriptions,
});

const eventRule = (targets: { id: string; dlq?: string }[]): EventRuleFacts => ({
  arn: RULE,
  name: 'orders-created',
  eventBusName: 'default',
  tags: {},
  targets: targets.map((t) => ({
    id: t.id,
    arn: FN,
    ...(t.dlq ? { deadLetterArn: t.dlq } : {}),
    maximumRetryAttempts: 185,
    maximumEventAgeInSeconds: 86_400,
    raw: {},
  })),
});

const pipe = (dlq?: string): PipeFacts => ({
  arn: PIPE,
  name: 'orders-pipe',
  tags: {},
  sourceArn: STREAM,
  sourceKind: 'kinesis',
  streamSource: {
    maximumRetryAttempts: -1,
    maximumRecordAgeInSeconds: -1,
    raw: {},
    ...(dlq ? { deadLetterArn: dlq } : {}),
  },
});

const mapping = (onFailureDestination?: string): MappingFacts => ({
  uuid: 'uuid-1',
  arn: MAPPING,
  functionArn: FN,
  eventSourceArn: STREAM,
  sourceKind: 'kinesis',
  state: 'Enabled',
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  functionResponseTypes: [],
  maximumBatchingWindowInSeconds: 0,
  ...(onFailureDestination ? { onFailureDestination } : {}),
});

const fn = (onFailureDestination?: string | null): FunctionFacts => ({
  arn: FN,
  name: 'process',
  timeoutSeconds: 3,
  tags: {},
  asyncInvokers: [],
  eventInvokeConfig:
    onFailureDestination === null
      ? null
      : {
          maximumRetryAttempts: 2,
          maximumEventAgeInSeconds: 21_600,
          ...(onFailureDestination ? { onFailureDestination } : {}),
        },
});

interface Extra {
  topics?: TopicFacts[];
  eventRules?: EventRuleFacts[];
  pipes?: PipeFacts[];
  mappings?: MappingFacts[];
  functions?: FunctionFacts[];
  alarms?: AlarmFacts[];
}

function withExtra(base: Inventory, extra: Extra): Inventory {
  const byArn = <T extends { arn: string }>(items?: T[]) =>
    items ? new Map(items.map((i) => [i.arn, i])) : undefined;
  const topics = byArn(extra.topics);
  const eventRules = byArn(extra.eventRules);
  const pipes = byArn(extra.pipes);
  return {
    ...base,
    ...(topics ? { topics } : {}),
    ...(eventRules ? { eventRules } : {}),
    ...(pipes ? { pipes } : {}),
    mappings: extra.mappings ?? base.mappings,
    functions: byArn(extra.functions) ?? base.functions,
    ...(extra.alarms ? { alarms: new Map(extra.alarms.map((a) => [a.name, a])) } : {}),
  };
}

describe('buildDlqGraph: one edge per source of every kind', () => {
  const dlq = arnOf('orders-dlq');
  const cases: { name: string; inventory: Inventory; edge: Record<string, unknown> }[] = [
    {
      name: 'sqs-redrive: a queue redriving to its DLQ',
      inventory: inventory({ tagged: [redriving('orders', 'orders-dlq')], others: [queue('orders-dlq')] }),
      edge: { kind: 'sqs-redrive', source: arnOf('orders'), sourceType: 'sqs:queue', dlq, dlqExists: true },
    },
    {
      name: 'sqs-redrive: a source queue known only from ListDeadLetterSourceQueues',
      inventory: inventory({
        others: [queue('orders-dlq')],
        deadLetterSources: { 'orders-dlq': ['orders'] },
      }),
      edge: { kind: 'sqs-redrive', source: arnOf('orders'), sourceType: 'sqs:queue', dlq, dlqExists: true },
    },
    {
      name: 'sns-subscription: the topic is the source, the subscription is kept',
      inventory: withExtra(inventory({ others: [queue('orders-dlq')] }), {
        topics: [
          topic(TOPIC, [
            { arn: `${TOPIC}:sub-1`, protocol: 'sqs', pendingConfirmation: false, deadLetterTargetArn: dlq },
          ]),
        ],
      }),
      edge: {
        kind: 'sns-subscription',
        source: TOPIC,
        sourceType: 'sns:topic',
        subscriptionArn: `${TOPIC}:sub-1`,
        dlq,
        dlqExists: true,
      },
    },
    {
      name: 'eventbridge-target: the rule is the source, the target id and ARN are kept',
      inventory: withExtra(inventory({ missing: ['orders-dlq'] }), {
        eventRules: [eventRule([{ id: 'process', dlq }])],
      }),
      edge: {
        kind: 'eventbridge-target',
        source: RULE,
        sourceType: 'events:rule',
        targetId: 'process',
        targetArn: FN,
        dlq,
        dlqExists: false,
      },
    },
    {
      name: 'pipe: a stream source dead-lettering to a queue discovery did not read',
      inventory: withExtra(inventory(), { pipes: [pipe(dlq)] }),
      edge: {
        kind: 'pipe',
        source: PIPE,
        sourceType: 'pipes:pipe',
        eventSourceArn: STREAM,
        dlq,
        dlqExists: 'unknown',
      },
    },
    {
      name: 'mapping-on-failure: the mapping is the source; the destination exists under a name edaguard creates',
      inventory: withExtra(inventory({ candidates: [unmanagedCandidate('orders-dlq')] }), {
        mappings: [mapping(dlq)],
      }),
      edge: {
        kind: 'mapping-on-failure',
        source: MAPPING,
        sourceType: 'lambda:event-source-mapping',
        eventSourceArn: STREAM,
        functionArn: FN,
        dlq,
        dlqExists: true,
      },
    },
    {
      name: 'async-on-failure: an SNS topic as the function destination',
      inventory: withExtra(inventory(), {
        functions: [fn(FAILURES_TOPIC)],
        topics: [topic(FAILURES_TOPIC, [])],
      }),
      edge: {
        kind: 'async-on-failure',
        source: FN,
        sourceType: 'lambda:function',
        dlq: FAILURES_TOPIC,
        dlqType: 'sns:topic',
        dlqExists: true,
      },
    },
  ];
  it.each(cases)('$name', ({ inventory: inv, edge }) => {
    const graph = buildDlqGraph(inv);
    expect(graph.edges).toEqual([expect.objectContaining({ ...edge, alarms: [] })]);
    expect(isDeadLetterTarget(graph, edge.dlq as string)).toBe(true);
    expect(isDeadLetterTarget(graph, edge.source as string)).toBe(false);
  });
});

describe('buildDlqGraph: what is not an edge', () => {
  const lambdaDestination = `arn:aws:lambda:${ACCOUNT}:function:on-failure`;
  const cases: { name: string; inventory: Inventory }[] = [
    { name: 'a queue without a redrive policy', inventory: inventory({ tagged: [queue('orders')] }) },
    {
      name: 'a subscription without a RedrivePolicy, or with one that names no target',
      inventory: withExtra(inventory(), {
        topics: [
          topic(TOPIC, [
            {
              arn: `${TOPIC}:a`,
              protocol: 'sqs',
              pendingConfirmation: false,
              deadLetterTargetArn: undefined,
            },
            { arn: `${TOPIC}:b`, protocol: 'sqs', pendingConfirmation: false, deadLetterTargetArn: null },
          ]),
        ],
      }),
    },
    {
      name: 'a rule target without a DLQ',
      inventory: withExtra(inventory(), { eventRules: [eventRule([{ id: 't' }])] }),
    },
    { name: 'a pipe without a DLQ', inventory: withExtra(inventory(), { pipes: [pipe()] }) },
    { name: 'a mapping without a destination', inventory: withExtra(inventory(), { mappings: [mapping()] }) },
    {
      name: 'a function without an invoke config',
      inventory: withExtra(inventory(), { functions: [fn(null)] }),
    },
    {
      name: 'a destination that is a function, not a queue or topic',
      inventory: withExtra(inventory(), {
        functions: [fn(lambdaDestination)],
        mappings: [mapping(lambdaDestination)],
      }),
    },
  ];
  it.each(cases)('$name', ({ inventory: inv }) => {
    const graph = buildDlqGraph(inv);
    expect(graph.edges).toEqual([]);
    expect(graph.dlqs.size).toBe(0);
  });
});

describe('buildDlqGraph: alarms, order and lookups', () => {
  const shared = arnOf('shared-dlq');
  const inv = withExtra(
    inventory({
      tagged: [
        redriving('payments', 'shared-dlq'),
        redriving('orders', 'shared-dlq'),
        redriving('audit', 'audit-dlq'),
      ],
      others: [queue('shared-dlq'), queue('audit-dlq')],
    }),
    {
      topics: [
        topic(TOPIC, [
          { arn: `${TOPIC}:s`, protocol: 'sqs', pendingConfirmation: false, deadLetterTargetArn: shared },
        ]),
      ],
      alarms: [
        dlqAlarm('shared-dlq'),
        dlqAlarm('shared-dlq', 'edaguard-other-shared-dlq'),
        // Watches another queue, and another namespace with the same dimension name.
        dlqAlarm('orders'),
        { ...dlqAlarm('audit-dlq', 'edaguard-lambda-errors'), namespace: 'AWS/Lambda' },
      ],
    },
  );
  const graph = buildDlqGraph(inv);

  it('gives each edge the edaguard alarms whose QueueName is its DLQ, sorted', () => {
    const alarmsByEdge = graph.edges.map((e) => [e.source.split(':')[5], e.dlq.split(':')[5], e.alarms]);
    expect(alarmsByEdge).toEqual([
      ['orders-events', 'shared-dlq', ['edaguard-dlq-depth-shared-dlq', 'edaguard-other-shared-dlq']],
      ['audit', 'audit-dlq', []],
      ['orders', 'shared-dlq', ['edaguard-dlq-depth-shared-dlq', 'edaguard-other-shared-dlq']],
      ['payments', 'shared-dlq', ['edaguard-dlq-depth-shared-dlq', 'edaguard-other-shared-dlq']],
    ]);
  });

  it('is the same whatever order the inventory lists things in', () => {
    const reversed = { ...inv, queues: new Map([...inv.queues].reverse()) };
    expect(buildDlqGraph(reversed)).toEqual(graph);
  });

  it('edgesInto and isDeadLetterTarget answer from the edges', () => {
    expect(edgesInto(graph, shared).map((e) => e.kind)).toEqual([
      'sns-subscription',
      'sqs-redrive',
      'sqs-redrive',
    ]);
    expect(edgesInto(graph, arnOf('orders'))).toEqual([]);
    expect(isDeadLetterTarget(graph, arnOf('audit-dlq'))).toBe(true);
    expect(isDeadLetterTarget(graph, arnOf('orders'))).toBe(false);
  });

  it('without alarms read, every edge has none', () => {
    expect(
      buildDlqGraph({ ...inv, alarms: undefined } as Inventory).edges.every((e) => e.alarms.length === 0),
    ).toBe(true);
  });
});
