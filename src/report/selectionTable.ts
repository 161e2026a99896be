/**
 * `plan --show-selection` as text: after the plan, per policy what it selects and what it leaves
 * out and why, within the output width (names whole; the reason wraps), else one block per policy.
 */
import { type Column, columnWidths, renderColumns, wrapText } from './columns.js';
import type { RenderOptions } from './findingRows.js';
import type { PolicySelection } from './selection.js';

const COLUMNS: readonly Column[] = [
  { header: 'POLICY', fixed: true },
  { header: 'RESOURCE', fixed: true },
  { header: 'SELECTION', fixed: true },
  { header: 'WHY', fixed: false },
];

const REASON: Record<string, string> = {
  'ignore-tag': 'ignore tag',
  'exclude-tag': 'exclude tag',
  'match-tag': 'tag mismatch',
  'resource-type': 'type',
};

/** [resource, selection, why] of one policy; a policy that selects nothing says so in one row. */
function policyRows(s: PolicySelection): string[][] {
  const rows = [
    ...s.selected.map((r) => [r.label, 'selected', '']),
    ...s.excluded.map((r) => [r.label, REASON[r.reason] ?? r.reason, r.detail]),
  ];
  if (s.nothingSelected !== undefined) rows.unshift(['-', 'nothing', s.nothingSelected]);
  return rows;
}

function stacked(selections: readonly PolicySelection[], width: number): string[] {
  const indent = (text: string, by: string) => wrapText(text, width - by.length).map((l) => by + l);
  return selections.flatMap((s, i) => [
    ...(i > 0 ? [''] : []),
    ...wrapText(`${s.policy} (${s.source})`, width),
    // The name on a line of its own (whole when it fits at all), then what decided it.
    ...policyRows(s).flatMap(([resource, selection, detail]) => [
      ...indent(resource ?? '', '  '),
      ...indent(detail ? `${selection}: ${detail}` : (selection ?? ''), '    '),
    ]),
  ]);
}

/** The section: a heading, then one table of every policy's rows. */
export function renderSelection(selections: readonly PolicySelection[], options: RenderOptions): string {
  const heading = wrapText(
    'Selection: what each policy selects, and what it leaves out that it might have meant, and why.',
    options.width,
  );
  const rows = selections.flatMap((s) => policyRows(s).map((row) => [s.policy, ...row]));
  const widths = columnWidths(COLUMNS, rows, options.width);
  const body = widths ? renderColumns(COLUMNS, rows, widths) : stacked(selections, options.width);
  return [...heading, ...body].join('\n');
}

/** `plan`'s warnings for stderr: `warning: …` each, wrapped to the width (continuations indented). */
export function renderWarnings(notices: readonly { message: string }[], width: number): string {
  return notices
    .map((n) =>
      wrapText(`warning: ${n.message}`, width - 2)
        .map((line, i) => (i === 0 ? line : `  ${line}`))
        .join('\n'),
    )
    .map((w) => `${w}\n`)
    .join('');
}
