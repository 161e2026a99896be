/**
 * Policy errors in plain words: "did you mean …?" for unknown rules, fields and enum values, and
 * what a field is ("`tags` is a map, e.g. `{ team: billing }`") instead of zod's
 * "expected record, received array". yamlLocations.ts places them; this module words them.
 */
import type { z } from 'zod';

/** Levenshtein distance between two short names (rule ids, field names, enum values). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The allowed name nearest to `word`, when it is near enough to be a typo of it. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of allowed) {
    const distance = name.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return best && best.distance <= tolerance ? best.name : undefined;
}

/** What a YAML value is, in a message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  return String(value);
}

type Def = { type: string; innerType?: Def; in?: Def; shape?: Record<string, Def>; valueType?: Def };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** The schema at `path` (its wrappers unwrapped), or undefined where the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = root;
  for (const key of [...path, undefined]) {
    // Unwrap optional, default, pipe and the like down to the object, record or array.
    for (let def = defOf(node); def.innerType || def.type === 'pipe'; def = defOf(node)) {
      node = def.innerType ?? def.in;
    }
    if (key === undefined) return node;
    const def = defOf(node) as Def & { element?: Def };
    if (def.type === 'object') node = def.shape?.[String(key)];
    else if (def.type === 'record') node = def.valueType;
    else if (def.type === 'array') node = def.element;
    else return undefined;
    if (!node) return undefined;
  }
  return node;
}

/** The fields a mapping at `path` allows (empty when it is not a fixed mapping). */
export function knownFields(root: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  const node = schemaAt(root, path);
  const def = node ? defOf(node) : undefined;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** `"x": did you mean "y"?`, or the allowed names when none is near. */
export function unknownName(kind: string, word: string, allowed: readonly string[]): string {
  const near = closest(word, allowed);
  if (near) return `unknown ${kind} "${word}": did you mean "${near}"?`;
  return allowed.length > 0
    ? `unknown ${kind} "${word}" (known ${kind}s: ${allowed.join(', ')})`
    : `unknown ${kind} "${word}"`;
}

const FORMS: Record<string, string> = {
  record: 'a map (key: value), e.g. { team: billing }',
  object: 'a mapping (field: value)',
  array: 'a list, e.g. [a, b]',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

const MISSING_FORMS: Record<string, string> = { record: 'a map', object: 'a mapping', array: 'a list' };

/** What the field must be, for a "required field is missing" message. */
export function expectedForm(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type')
    return MISSING_FORMS[issue.expected] ?? FORMS[issue.expected] ?? issue.expected;
  if (issue.code === 'invalid_value' && issue.values.length === 1)
    return `expected ${JSON.stringify(issue.values[0])}`;
  if (issue.code === 'invalid_value') return `one of ${issue.values.map(String).join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}

/** The plain message of a zod issue about `value`, the field named `field`. */
export function plainMessage(
  issue: z.core.$ZodIssue,
  value: unknown,
  field: string,
  description?: string,
): string {
  // A message the schema wrote itself is already plain; zod's own start like these.
  if (!/^(Invalid|Too small|Too big)\b/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const form = FORMS[issue.expected];
      if (!form) break;
      if (issue.expected === 'record' || issue.expected === 'object' || issue.expected === 'array')
        return `\`${field}\` is ${form}, not ${describeValue(value)}`;
      return `expected ${form}, got ${describeValue(value)}`;
    }
    case 'invalid_value': {
      const got = describeValue(value);
      if (issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}, got ${got}`;
      const allowed = issue.values.map(String);
      const near = typeof value === 'string' ? closest(value, allowed) : undefined;
      return `expected one of ${allowed.join(', ')}; got ${got}${near ? `: did you mean "${near}"?` : ''}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word =
        issue.code === 'too_small'
          ? issue.inclusive
            ? 'at least'
            : 'more than'
          : issue.inclusive
            ? 'at most'
            : 'less than';
      if (issue.origin === 'array')
        return `needs ${word} ${bound} item(s), has ${Array.isArray(value) ? value.length : 0}`;
      if (issue.origin === 'string') return `must be ${word} ${bound} character(s) long`;
      if (issue.origin === 'number' || issue.origin === 'int')
        return `must be ${word} ${bound}, got ${describeValue(value)}`;
      break;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}, got ${describeValue(value)}`;
    case 'invalid_union':
      return description
        ? `does not match any allowed form (${description})`
        : 'does not match any allowed form';
    default:
      break;
  }
  return issue.message;
}
