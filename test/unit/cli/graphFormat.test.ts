import { describe, expect, it } from 'vitest';
import { arnLabel, graphJson, mermaidIds, renderGraph } from '../../../src/cli/graphFormat.js';
import type { DlqEdge, DlqGraph } from '../../../src/reconcile/dlqGraph.js';

const sqs = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders-events';

function graphOf(edges: DlqEdge[]): DlqGraph {
  return { edges, dlqs: new Set(edges.map((e) => e.dlq)) };
}

/** sqs:orders → orders-dlq (alarmed); sns:orders-events → orders-events-dlq (no alarm); a FIFO → missing DLQ. */
const SMALL = graphOf([
  {
    kind: 'sns-subscription',
    source: TOPIC,
    sourceType: 'sns:topic',
    subscriptionArn: `${TOPIC}:1`,
    dlq: sqs('orders-events-dlq'),
    dlqType: 'sqs:queue',
    dlqExists: true,
    alarms: [],
  },
  {
    kind: 'sqs-redrive',
    source: sqs('orders'),
    sourceType: 'sqs:queue',
    dlq: sqs('orders-dlq'),
    dlqType: 'sqs:queue',
    dlqExists: true,
    alarms: ['edaguard-dlq-depth-orders-dlq'],
  },
  {
    kind: 'sqs-redrive',
    source: sqs('payments.fifo'),
    sourceType: 'sqs:queue',
    dlq: sqs('payments-dlq.fifo'),
    dlqType: 'sqs:queue',
    dlqExists: false,
    alarms: [],
  },
]);

describe('edaguard graph formats', () => {
  it('table: SOURCE → DLQ → ALARM, names whole, (no alarm) and (missing) shown', () => {
    expect(renderGraph(SMALL, 'table')).toBe(
      [
        'SOURCE              DLQ                               ALARM                           EDGE',
        'sns:orders-events → sqs:orders-events-dlq           → (no alarm)                      sns-subscription',
        'sqs:orders        → sqs:orders-dlq                  → edaguard-dlq-depth-orders-dlq   sqs-redrive',
        'sqs:payments.fifo → sqs:payments-dlq.fifo (missing) → (no alarm)                      sqs-redrive',
        '',
        '3 edge(s) into 3 DLQ(s): 2 without an alarm, 1 missing.',
      ].join('\n'),
    );
  });

  it('table: a graph without edges says so', () => {
    expect(renderGraph(graphOf([]), 'table')).toBe(
      'No DLQ edges: no source of the selected resources names a DLQ.',
    );
  });

  it('mermaid: a flowchart LR with safe ids, the names as labels, DLQs without an alarm styled', () => {
    expect(renderGraph(SMALL, 'mermaid')).toBe(
      [
        'flowchart LR',
        '  alarm_edaguard_dlq_depth_orders_dlq(["edaguard-dlq-depth-orders-dlq"])',
        '  sns_orders_events["sns:orders-events"]',
        '  sqs_orders["sqs:orders"]',
        '  sqs_orders_dlq["sqs:orders-dlq"]',
        '  sqs_orders_events_dlq["sqs:orders-events-dlq"]',
        '  sqs_payments_dlq_fifo["sqs:payments-dlq.fifo (missing)"]',
        '  sqs_payments_fifo["sqs:payments.fifo"]',
        '  sns_orders_events -->|sns-subscription| sqs_orders_events_dlq',
        '  sqs_orders -->|sqs-redrive| sqs_orders_dlq',
        '  sqs_payments_fifo -->|sqs-redrive| sqs_payments_dlq_fifo',
        '  sqs_orders_dlq -.-> alarm_edaguard_dlq_depth_orders_dlq',
        '  classDef noAlarm fill:#fde2e1,stroke:#c0392b,stroke-width:2px',
        '  class sqs_orders_events_dlq,sqs_payments_dlq_fifo noAlarm',
        '  classDef missing stroke-dasharray:5 5',
        '  class sqs_payments_dlq_fifo missing',
      ].join('\n'),
    );
  });

  it('dot: a digraph whose node ids are the quoted ARNs', () => {
    const q = (name: string) => `"${sqs(name)}"`;
    expect(renderGraph(SMALL, 'dot')).toBe(
      [
        'digraph dlq_graph {',
        '  rankdir=LR;',
        '  node [shape=box];',
        '  "alarm:edaguard-dlq-depth-orders-dlq" [label="edaguard-dlq-depth-orders-dlq", shape=ellipse];',
        `  "${TOPIC}" [label="sns:orders-events"];`,
        `  ${q('orders')} [label="sqs:orders"];`,
        `  ${q('orders-dlq')} [label="sqs:orders-dlq"];`,
        `  ${q('orders-events-dlq')} [label="sqs:orders-events-dlq", color=red, penwidth=2];`,
        `  ${q('payments-dlq.fifo')} [label="sqs:payments-dlq.fifo (missing)", color=red, penwidth=2, style=dashed];`,
        `  ${q('payments.fifo')} [label="sqs:payments.fifo"];`,
        `  "${TOPIC}" -> ${q('orders-events-dlq')} [label="sns-subscription"];`,
        `  ${q('orders')} -> ${q('orders-dlq')} [label="sqs-redrive"];`,
        `  ${q('payments.fifo')} -> ${q('payments-dlq.fifo')} [label="sqs-redrive"];`,
        `  ${q('orders-dlq')} -> "alarm:edaguard-dlq-depth-orders-dlq" [style=dashed];`,
        '}',
      ].join('\n'),
    );
  });

  it('json: the edges as built', () => {
    expect(JSON.parse(graphJson(SMALL))).toEqual({ edges: SMALL.edges });
  });
});

describe('mermaid node ids', () => {
  it.each([
    ['sqs:orders-dlq.fifo', 'sqs_orders_dlq_fifo'],
    ['sqs:orders.v2-dlq', 'sqs_orders_v2_dlq'],
    ['events:custom-bus/orders', 'events_custom_bus_orders'],
    ['esm:process(kinesis:orders)', 'esm_process_kinesis_orders'],
    ['sqs:a--b..c', 'sqs_a_b_c'],
  ])('%s → %s', (label, id) => {
    const ids = mermaidIds([[`arn:${label}`, label]]);
    expect(ids.get(`arn:${label}`)).toBe(id);
    expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  });

  it('names that only differ in `.`, `-` or `_` get distinct ids, numbered in the order given (the renderers sort by ARN)', () => {
    const ids = mermaidIds([
      [sqs('orders-dlq'), 'sqs:orders-dlq'],
      [sqs('orders.dlq'), 'sqs:orders.dlq'],
      [sqs('orders_dlq'), 'sqs:orders_dlq'],
      [sqs('orders_dlq_2'), 'sqs:orders_dlq_2'],
    ]);
    expect([...ids.values()]).toEqual([
      'sqs_orders_dlq',
      'sqs_orders_dlq_2',
      'sqs_orders_dlq_3',
      'sqs_orders_dlq_2_2',
    ]);
    expect(new Set(ids.values()).size).toBe(4);
  });

  it('an alarm gets its own prefix, so it never clashes with a queue of the same name', () => {
    const ids = mermaidIds([
      ['alarm:edaguard-x', 'edaguard-x'],
      [sqs('edaguard-x'), 'sqs:edaguard-x'],
    ]);
    expect([...ids.values()]).toEqual(['alarm_edaguard_x', 'sqs_edaguard_x']);
  });
});

describe('labels', () => {
  it.each([
    [sqs('orders.fifo'), 'sqs:orders.fifo'],
    [TOPIC, 'sns:orders-events'],
    ['arn:aws:events:us-east-1:123456789012:rule/orders-created', 'events:orders-created'],
    [
      'arn:aws:events:us-east-1:123456789012:rule/custom-bus/orders-created',
      'events:custom-bus/orders-created',
    ],
    ['arn:aws:pipes:us-east-1:123456789012:pipe/orders-pipe', 'pipe:orders-pipe'],
    ['arn:aws:lambda:us-east-1:123456789012:function:process', 'lambda:process'],
    ['arn:aws:kinesis:us-east-1:123456789012:stream/orders', 'kinesis:orders'],
  ])('%s → %s', (arn, label) => {
    expect(arnLabel(arn)).toBe(label);
  });

  it('a mapping shows its function and what it reads', () => {
    const graph = graphOf([
      {
        kind: 'mapping-on-failure',
        source: 'arn:aws:lambda:us-east-1:123456789012:event-source-mapping:uuid-1',
        sourceType: 'lambda:event-source-mapping',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:process',
        eventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders',
        dlq: sqs('process-failures'),
        dlqType: 'sqs:queue',
        dlqExists: 'unknown',
        alarms: [],
      },
    ]);
    expect(renderGraph(graph, 'table').split('\n')[1]).toBe(
      'esm:process(kinesis:orders) → sqs:process-failures (not read) → (no alarm)   mapping-on-failure',
    );
  });
});
