/**
 * One presentation of a finding for `plan`, `reconcile --dry-run` and `reconcile`: resource
 * (whole), rule, status, then `before → after` per changed field, the why and the writes. A table
 * when the names leave room for the details; else one block per finding, never a cut name.
 */
import { type Column, columnWidths, displayWidth, renderColumns, wrapText } from './columns.js';
import type { DriftResult } from './driftReport.js';
import { fieldChanges, formatChange } from './fieldChanges.js';
import { resourceLabel } from './resourceLabel.js';

export interface RenderOptions {
  /** Columns the output must fit (see outputWidth). */
  width: number;
  /** `-o wide`: each finding's ARN too. */
  wide?: boolean;
}

/** The results a person must look at: everything but compliant and not-applicable. */
export const rowsToShow = (results: readonly DriftResult[]) =>
  results.filter((r) => r.status !== 'pass' && r.status !== 'skipped');

/** `CreateQueue orders-dlq {...}` → `created orders-dlq`: a fixed row says what it made. */
const createdBy = (write: string) => {
  const made = /^Create\w* (\S+)/.exec(write);
  return made ? `created ${made[1]}` : undefined;
};

/**
 * The detail lines of a result. Fixed: what was done. Drift: the changes, why, and what would
 * be written. Ticket, failed, deferred: the changes wanted and the reason (the message).
 */
export function detailLines(result: DriftResult): string[] {
  const changes = fieldChanges(result.observed, result.desired).map(formatChange);
  const writes = result.writes ?? [];
  if (result.status === 'fixed') {
    const created = writes.flatMap((w) => createdBy(w) ?? []);
    const done = [...created, ...changes.map((c) => `set ${c}`)];
    return done.length > 0 ? done : writes.map((w) => `wrote ${w}`);
  }
  const lines = [...changes, `why: ${result.message}`];
  if (result.status === 'drift' && writes.length > 0) {
    const audit = result.enforcement === 'audit' ? ' (audit: report only)' : '';
    for (const w of writes) lines.push(`would${audit}: ${w}`);
  }
  return lines;
}

/** An identifier on lines of at most `width`: whole if it fits; a mapping split after its arrow. */
function identifierLines(text: string, width: number, indent: string): string[] {
  if (displayWidth(indent + text) <= width) return [indent + text];
  const arrow = text.indexOf(' ← ');
  if (arrow > 0) {
    const parts = [`${text.slice(0, arrow)} ←`, `  ${text.slice(arrow + 3)}`];
    if (parts.every((p) => displayWidth(indent + p) <= width)) return parts.map((p) => indent + p);
  }
  // Longer than the terminal itself: carried over lines, never dropped.
  return wrapText(text, width - indent.length).map((l) => indent + l);
}

const STACK_INDENT = '  ';

/** One block per result: the name on its own line, then rule and status, then the details. */
function stacked(results: readonly DriftResult[], options: RenderOptions): string[] {
  const inner = options.width - STACK_INDENT.length;
  return results.flatMap((r, i) => [
    ...(i > 0 ? [''] : []),
    ...identifierLines(resourceLabel(r), options.width, ''),
    ...(options.wide ? identifierLines(r.resource, options.width, STACK_INDENT) : []),
    `${STACK_INDENT}${r.rule}  ${r.status}`,
    ...detailLines(r).flatMap((d) => wrapText(d, inner).map((l) => STACK_INDENT + l)),
  ]);
}

const COLUMNS: readonly Column[] = [
  { header: 'RESOURCE', fixed: true },
  { header: 'RULE', fixed: true },
  { header: 'STATUS', fixed: true },
  { header: 'DETAILS', fixed: false },
];

/** The results as a table of `options.width` columns at most, or stacked when names leave no room. */
export function renderResults(results: readonly DriftResult[], options: RenderOptions): string[] {
  const rows = results.map((r) => [resourceLabel(r), r.rule, r.status, detailLines(r).join('\n')]);
  const widths = columnWidths(COLUMNS, rows, options.width);
  if (!widths) return stacked(results, options);
  if (!options.wide) return renderColumns(COLUMNS, rows, widths);
  // Wide: each row's ARN on the line under it, whole, where the table's width allows it.
  const lines = renderColumns(COLUMNS, [], widths);
  rows.forEach((row, i) => {
    const rendered = renderColumns(COLUMNS, [row], widths).slice(1);
    const arn = results[i]?.resource ?? '';
    lines.push(...rendered, ...identifierLines(arn, options.width, STACK_INDENT));
  });
  return lines;
}

/** A line of prose (a summary, a notice) wrapped to the width. */
export const wrapProse = (text: string, width: number) => wrapText(text, width);
