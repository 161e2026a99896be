import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStructure } from '../../scripts/structure.js';

describe('the structure limits of src/ (scripts/structure.ts)', () => {
  it('no file over 300 lines, no function over 80, no import cycle', () => {
    expect(checkStructure(resolve(import.meta.dirname, '../..'))).toEqual([]);
  });

  describe('the check can fail', () => {
    const root = mkdtempSync(join(tmpdir(), 'edaguard-structure-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'src', 'x'), { recursive: true });
    writeFileSync(join(root, 'src', 'a.ts'), "import { b } from './x/b.js';\nexport const a = () => b;\n");
    writeFileSync(
      join(root, 'src', 'x', 'b.ts'),
      "import type { a } from '../a.js';\nexport const b = 1 as unknown as typeof a;\n",
    );
    writeFileSync(join(root, 'src', 'long.ts'), `${'export const x = 1;\n'.repeat(301)}`);
    const body = '  n += 1;\n'.repeat(80);
    writeFileSync(
      join(root, 'src', 'fn.ts'),
      `export function tooLong(n: number) {\n${body}  return n;\n}\n`,
    );

    const found = checkStructure(root);
    it('finds a long file, a long function and a cycle through a type-only import', () => {
      expect(found).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'file-lines', where: join('src', 'long.ts') }),
          expect.objectContaining({
            kind: 'function-lines',
            detail: expect.stringContaining('tooLong has 83 lines'),
          }),
          expect.objectContaining({ kind: 'import-cycle', detail: 'a.ts ↔ x/b.ts' }),
        ]),
      );
      expect(found).toHaveLength(3);
    });
  });
});
