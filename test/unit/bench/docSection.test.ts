import { describe, expect, it } from 'vitest';
import { withDocSection } from '../../../bench/docSection.js';

const A = ['<!-- a -->', '<!-- /a -->'] as const;
const B = ['<!-- b -->', '<!-- /b -->'] as const;

describe('withDocSection (docs/benchmarks.md: each bench replaces only its own section)', () => {
  it("replaces one bench's section and keeps the other's, and the title, byte for byte", () => {
    const doc = `# Benchmarks\n\n${A[0]}\nold a\n${A[1]}\n\n${B[0]}\nb figures\n${B[1]}\n`;
    const next = withDocSection(doc, A[0], A[1], `${A[0]}\nnew a\n${A[1]}`);
    expect(next).toBe(`# Benchmarks\n\n${A[0]}\nnew a\n${A[1]}\n\n${B[0]}\nb figures\n${B[1]}\n`);
    expect(withDocSection(next, B[0], B[1], `${B[0]}\nnew b\n${B[1]}`)).toBe(
      `# Benchmarks\n\n${A[0]}\nnew a\n${A[1]}\n\n${B[0]}\nnew b\n${B[1]}\n`,
    );
  });

  it('appends a section the file does not have yet', () => {
    expect(withDocSection('# Benchmarks\n', A[0], A[1], `${A[0]}\na\n${A[1]}`)).toBe(
      `# Benchmarks\n\n${A[0]}\na\n${A[1]}\n`,
    );
  });

  it('does not take an end marker that comes before the start marker as the end', () => {
    const doc = `# Benchmarks\n\n${A[1]}\n\n${A[0]}\nold\n`;
    expect(withDocSection(doc, A[0], A[1], `${A[0]}\nnew\n${A[1]}`)).toBe(
      `${doc.trimEnd()}\n\n${A[0]}\nnew\n${A[1]}\n`,
    );
  });
});
