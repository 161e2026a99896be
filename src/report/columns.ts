/**
 * Plain-text layout for the CLI's tables: the terminal width, word wrapping, and columns of which
 * some never wrap (identifiers) and the others share what is left (details).
 */

/** Below this, a table falls back to the stacked layout (see findingRows.ts). */
export const MIN_FLEX_WIDTH = 40;
const GAP = '  ';

/** Columns on screen, not UTF-16 units: `←` and `→` are one column each. */
export const displayWidth = (text: string): number => [...text].length;

/**
 * The width output must fit: the terminal's columns, else env COLUMNS, else 100. Narrower than
 * 40 is taken as 40: below that nothing useful fits.
 */
export function outputWidth(columns: number | undefined, env: Readonly<Record<string, string | undefined>>) {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  const width = columns && columns > 0 ? columns : Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 100;
  return Math.max(40, width);
}

/** Splits a word wider than `width` into pieces: nothing is dropped, only carried to the next line. */
function breakWord(word: string, width: number): string[] {
  const chars = [...word];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += width) pieces.push(chars.slice(i, i + width).join(''));
  return pieces;
}

/** Wraps each line of `text` at spaces to `width` columns; every character is kept. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let current = '';
    for (const word of line.split(/ +/).filter((w) => w !== '')) {
      const pieces = displayWidth(word) > width ? breakWord(word, width) : [word];
      for (const piece of pieces) {
        if (current === '') current = piece;
        else if (displayWidth(current) + 1 + displayWidth(piece) <= width) current = `${current} ${piece}`;
        else {
          out.push(current);
          current = piece;
        }
      }
    }
    out.push(current);
  }
  return out;
}

export interface Column {
  header: string;
  /** Identifiers: as wide as their widest line, never wrapped. Else the column wraps. */
  fixed: boolean;
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/**
 * The columns' widths within `width`, or undefined when the fixed columns leave the wrapping
 * ones less than MIN_FLEX_WIDTH each (the caller then stacks instead of cutting a name).
 */
export function columnWidths(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  width: number,
): number[] | undefined {
  const natural = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...rows.flatMap((r) => (r[i] ?? '').split('\n').map(displayWidth))),
  );
  const gaps = GAP.length * (columns.length - 1);
  const fixedTotal = columns.reduce((n, c, i) => n + (c.fixed ? (natural[i] ?? 0) : 0), 0);
  const flex = columns.filter((c) => !c.fixed).length;
  const left = width - gaps - fixedTotal;
  if (flex === 0) return left >= 0 ? natural : undefined;
  if (left < flex * MIN_FLEX_WIDTH) return undefined;
  // Each wrapping column gets an equal share, but no more than it needs; what it leaves goes to the others.
  const widths = columns.map((c, i) => (c.fixed ? (natural[i] ?? 0) : 0));
  let remaining = left;
  const open = new Set(columns.flatMap((c, i) => (c.fixed ? [] : [i])));
  while (open.size > 0) {
    const share = Math.floor(remaining / open.size);
    const small = [...open].filter((i) => (natural[i] ?? 0) <= share);
    if (small.length === 0) {
      for (const i of open) widths[i] = share;
      break;
    }
    for (const i of small) {
      widths[i] = natural[i] ?? 0;
      remaining -= widths[i] ?? 0;
      open.delete(i);
    }
  }
  return widths;
}

/** The table: a header line, then each row's cells side by side, wrapped cells over several lines. */
export function renderColumns(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  widths: readonly number[],
): string[] {
  const lines: string[] = [];
  const emit = (cells: readonly string[]) => {
    const wrapped = cells.map((cell, i) =>
      columns[i]?.fixed ? cell.split('\n') : wrapText(cell, widths[i] ?? 1),
    );
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let line = 0; line < height; line++)
      lines.push(
        wrapped
          .map((w, i) => pad(w[line] ?? '', widths[i] ?? 0))
          .join(GAP)
          .trimEnd(),
      );
  };
  emit(columns.map((c) => c.header));
  for (const row of rows) emit(row);
  return lines;
}
