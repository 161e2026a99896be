/**
 * `edaguard graph`'s pictures of the DLQ graph (pure): a table (SOURCE → DLQ → ALARM), a mermaid
 * flowchart and a Graphviz digraph. Names are shown whole, never truncated.
 */
import type { DlqEdge, DlqGraph } from '../reconcile/dlqGraph.js';

export const GRAPH_FORMATS = ['table', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

const NO_ALARM = '(no alarm)';
const MISSING = '(missing)';
const NOT_READ = '(not read)';

const resourceOf = (arn: string) => arn.split(':').slice(5).join(':');
const serviceOf = (arn: string) => arn.split(':')[2] ?? '';

/** `sqs:orders`, `sns:orders-events`, `events:orders-rule`, `pipe:orders`, `lambda:process`. */
export function arnLabel(arn: string): string {
  if (!arn.startsWith('arn:')) return arn;
  const service = serviceOf(arn);
  const resource = resourceOf(arn);
  if (service === 'events') return `events:${resource.replace(/^rule\//, '')}`;
  if (service === 'pipes') return `pipe:${resource.replace(/^pipe\//, '')}`;
  if (service === 'lambda' && resource.startsWith('function:'))
    return `lambda:${resource.slice('function:'.length)}`;
  if (service === 'kinesis') return `kinesis:${resource.replace(/^stream\//, '')}`;
  if (service === 'dynamodb')
    return `dynamodb:${resource.replace(/^table\//, '').replace(/\/stream\/.*$/, '')}`;
  return `${service}:${resource}`;
}

/** A mapping is shown as its function and what it reads: `esm:process(kinesis:orders)`. */
function sourceLabel(edge: DlqEdge): string {
  if (edge.kind === 'mapping-on-failure' && edge.functionArn && edge.eventSourceArn) {
    const fn = arnLabel(edge.functionArn).replace(/^lambda:/, '');
    return `esm:${fn}(${arnLabel(edge.eventSourceArn)})`;
  }
  return arnLabel(edge.source);
}

const dlqNote = (edge: DlqEdge) =>
  edge.dlqExists === true ? '' : ` ${edge.dlqExists === false ? MISSING : NOT_READ}`;

/** One row per edge: SOURCE → DLQ → ALARM, and the kind of edge. */
export function renderGraphTable(graph: DlqGraph): string {
  if (graph.edges.length === 0) return 'No DLQ edges: no source of the selected resources names a DLQ.';
  const rows = graph.edges.map((e) => [
    `${sourceLabel(e)}${e.targetId ? ` target ${e.targetId}` : ''}`,
    `${arnLabel(e.dlq)}${dlqNote(e)}`,
    e.alarms.length > 0 ? e.alarms.join(', ') : NO_ALARM,
    e.kind,
  ]);
  const head = ['SOURCE', 'DLQ', 'ALARM', 'EDGE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], arrows: boolean) => {
    const [source = '', dlq = '', alarm = '', kind = ''] = cells.map((c, i) => c.padEnd(widths[i] ?? 0));
    const sep = arrows ? ' → ' : '   ';
    return `${source}${sep}${dlq}${sep}${alarm}   ${kind}`.trimEnd();
  };
  const unalarmed = new Set(graph.edges.filter((e) => e.alarms.length === 0).map((e) => e.dlq)).size;
  const missing = new Set(graph.edges.filter((e) => e.dlqExists === false).map((e) => e.dlq)).size;
  const summary = `${graph.edges.length} edge(s) into ${graph.dlqs.size} DLQ(s): ${unalarmed} without an alarm, ${missing} missing.`;
  return [line(head, false), ...rows.map((r) => line(r, true)), '', summary].join('\n');
}

interface Node {
  readonly key: string;
  readonly label: string;
  readonly kind: 'source' | 'dlq' | 'alarm';
  noAlarm?: boolean;
  missing?: boolean;
}

/** Every node once, keyed by ARN (alarms by `alarm:<name>`); a queue can be a source and a DLQ. */
function nodesOf(graph: DlqGraph): Map<string, Node> {
  const nodes = new Map<string, Node>();
  for (const e of graph.edges) {
    if (!nodes.has(e.source)) nodes.set(e.source, { key: e.source, label: sourceLabel(e), kind: 'source' });
    const dlq = nodes.get(e.dlq);
    const node: Node = { key: e.dlq, label: arnLabel(e.dlq), kind: 'dlq', noAlarm: e.alarms.length === 0 };
    if (e.dlqExists === false) node.missing = true;
    nodes.set(e.dlq, dlq ? { ...dlq, ...node } : node);
    for (const alarm of e.alarms)
      nodes.set(`alarm:${alarm}`, { key: `alarm:${alarm}`, label: alarm, kind: 'alarm' });
  }
  return new Map([...nodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Links from each DLQ to its alarms, once each. */
function alarmLinks(graph: DlqGraph): [string, string][] {
  const links = new Map<string, [string, string]>();
  for (const e of graph.edges)
    for (const a of e.alarms) links.set(`${e.dlq}\u0000${a}`, [e.dlq, `alarm:${a}`]);
  return [...links.values()];
}

/**
 * Safe mermaid node ids from the labels: each run of characters other than letters and digits
 * becomes one `_`, none at the end (`sqs:orders-dlq.fifo` → `sqs_orders_dlq_fifo`); alarms get
 * `alarm_`; a clash gets `_2`, `_3`.
 */
export function mermaidIds(keysAndLabels: readonly (readonly [string, string])[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const [key, label] of keysAndLabels) {
    const base = `${key.startsWith('alarm:') ? 'alarm_' : ''}${label.replace(/[^A-Za-z0-9]+/g, '_').replace(/_+$/, '')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(key, id);
  }
  return ids;
}

const mermaidText = (label: string) => label.replace(/"/g, '#quot;');

/** A `flowchart LR` block: sources → DLQs → alarms; DLQs without an alarm (and missing ones) styled. */
export function renderGraphMermaid(graph: DlqGraph): string {
  const nodes = nodesOf(graph);
  const ids = mermaidIds([...nodes.values()].map((n) => [n.key, n.label] as const));
  const id = (key: string) => ids.get(key) ?? key;
  const lines = ['flowchart LR'];
  for (const n of nodes.values()) {
    const text = mermaidText(n.missing ? `${n.label} ${MISSING}` : n.label);
    lines.push(n.kind === 'alarm' ? `  ${id(n.key)}(["${text}"])` : `  ${id(n.key)}["${text}"]`);
  }
  for (const e of graph.edges) lines.push(`  ${id(e.source)} -->|${e.kind}| ${id(e.dlq)}`);
  for (const [dlq, alarm] of alarmLinks(graph)) lines.push(`  ${id(dlq)} -.-> ${id(alarm)}`);
  const noAlarm = [...nodes.values()].filter((n) => n.kind === 'dlq' && n.noAlarm).map((n) => id(n.key));
  const missing = [...nodes.values()].filter((n) => n.missing).map((n) => id(n.key));
  if (noAlarm.length > 0) {
    lines.push('  classDef noAlarm fill:#fde2e1,stroke:#c0392b,stroke-width:2px');
    lines.push(`  class ${noAlarm.join(',')} noAlarm`);
  }
  if (missing.length > 0) {
    lines.push('  classDef missing stroke-dasharray:5 5');
    lines.push(`  class ${missing.join(',')} missing`);
  }
  return lines.join('\n');
}

const dotQuote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A Graphviz digraph; node ids are the quoted ARNs (alarms `alarm:<name>`). */
export function renderGraphDot(graph: DlqGraph): string {
  const lines = ['digraph dlq_graph {', '  rankdir=LR;', '  node [shape=box];'];
  for (const n of nodesOf(graph).values()) {
    const attrs = [`label=${dotQuote(n.missing ? `${n.label} ${MISSING}` : n.label)}`];
    if (n.kind === 'alarm') attrs.push('shape=ellipse');
    if (n.noAlarm) attrs.push('color=red', 'penwidth=2');
    if (n.missing) attrs.push('style=dashed');
    lines.push(`  ${dotQuote(n.key)} [${attrs.join(', ')}];`);
  }
  for (const e of graph.edges)
    lines.push(`  ${dotQuote(e.source)} -> ${dotQuote(e.dlq)} [label=${dotQuote(e.kind)}];`);
  for (const [dlq, alarm] of alarmLinks(graph))
    lines.push(`  ${dotQuote(dlq)} -> ${dotQuote(alarm)} [style=dashed];`);
  lines.push('}');
  return lines.join('\n');
}

export function renderGraph(graph: DlqGraph, format: GraphFormat): string {
  if (format === 'mermaid') return renderGraphMermaid(graph);
  if (format === 'dot') return renderGraphDot(graph);
  return renderGraphTable(graph);
}

/** `-o json`: the edges as built (the DLQ set is implied by them). */
export const graphJson = (graph: DlqGraph) => JSON.stringify({ edges: graph.edges }, null, 2);
