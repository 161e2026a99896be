/**
 * Each bench owns one section of docs/benchmarks.md, between an HTML comment that opens it and one
 * that closes it, and replaces only that section: the other benches' sections are kept as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

/** `current` with the section from `start` to `end` (markers included) replaced, or appended. */
export function withDocSection(current: string, start: string, end: string, section: string): string {
  const from = current.indexOf(start);
  const to = current.indexOf(end, from);
  if (from >= 0 && to > from) return `${current.slice(0, from)}${section}${current.slice(to + end.length)}`;
  return `${current.trimEnd()}\n\n${section}\n`;
}

/** Replaces (or appends) one section of the file, creating the file with its title if missing. */
export async function replaceDocSection(
  file: string,
  start: string,
  end: string,
  section: string,
): Promise<void> {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  await writeFile(file, withDocSection(current, start, end, section));
}
