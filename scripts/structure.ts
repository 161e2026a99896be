/**
 * The structure limits of src/ (issue #12): no file over 300 lines, no function over 80 lines,
 * no import cycle. `tsx scripts/structure.ts` prints every violation and exits 1 when any exists;
 * test/unit/structure.test.ts runs the same check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const LIMITS = { fileLines: 300, functionLines: 80 } as const;

export interface StructureViolation {
  readonly kind: 'file-lines' | 'function-lines' | 'import-cycle';
  readonly where: string;
  readonly detail: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const lineOf = (source: ts.SourceFile, pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

/** Functions longer than the limit, counted from their first to their last line. */
function longFunctions(source: ts.SourceFile, path: string): StructureViolation[] {
  const found: StructureViolation[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = lineOf(source, node.getEnd()) - lineOf(source, node.getStart(source)) + 1;
      if (lines > LIMITS.functionLines) {
        found.push({
          kind: 'function-lines',
          where: `${path}:${lineOf(source, node.getStart(source))}`,
          detail: `${functionName(node)} has ${lines} lines (limit ${LIMITS.functionLines})`,
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Relative imports and re-exports (type-only ones too: they still tie the modules' design together). */
function relativeImports(source: ts.SourceFile, file: string): string[] {
  const targets: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    targets.push(resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts')));
  }
  return targets;
}

/** Strongly connected components of more than one module (Tarjan), or a module importing itself. */
function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (node: string) => {
    indexes.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexes.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, indexes.get(next) as number));
      }
    }
    if (low.get(node) !== indexes.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!indexes.has(node)) connect(node);
  return cycles;
}

export function checkStructure(root: string): StructureViolation[] {
  const srcDir = join(root, 'src');
  const violations: StructureViolation[] = [];
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    const path = relative(root, file);
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > LIMITS.fileLines) {
      violations.push({
        kind: 'file-lines',
        where: path,
        detail: `${lines} lines (limit ${LIMITS.fileLines})`,
      });
    }
    violations.push(...longFunctions(source, path));
    graph.set(file, relativeImports(source, file));
  }
  for (const cycle of importCycles(graph)) {
    violations.push({
      kind: 'import-cycle',
      where: relative(root, cycle[0] as string),
      detail: cycle.map((f) => relative(srcDir, f)).join(' ↔ '),
    });
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const violations = checkStructure(resolve(import.meta.dirname, '..'));
  for (const v of violations) console.log(`${v.kind.padEnd(15)} ${v.where}  ${v.detail}`);
  console.log(
    violations.length === 0 ? 'structure: within limits' : `structure: ${violations.length} violation(s)`,
  );
  process.exitCode = violations.length === 0 ? 0 : 1;
}
