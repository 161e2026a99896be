/**
 * A JSON Schema (draft 2020-12) validator for the keywords policies/schema.json uses, so a test
 * can check that the schema editors apply accepts what the CLI accepts. A keyword it does not know
 * throws: the test must not pass by ignoring part of the schema.
 */
type Schema = Record<string, unknown> | boolean;

// format: an annotation in draft 2020-12 (a date's `pattern` is what checks it).
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples', 'format']);

const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeOf(value) === 'object';

/** The paths at which `value` breaks `schema` (empty: valid). */
export function schemaErrors(schema: Schema, value: unknown, at = ''): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: not allowed`];
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${at || '/'}: ${why}`);
  for (const [keyword, arg] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    const check = KEYWORDS[keyword];
    if (!check) throw new Error(`jsonSchemaSubset: keyword ${keyword} at ${at} is not supported`);
    check(arg, value, at, schema, fail, errors);
  }
  return errors;
}

type Check = (
  arg: unknown,
  value: unknown,
  at: string,
  schema: Record<string, unknown>,
  fail: (why: string) => void,
  errors: string[],
) => void;

const numeric = (value: unknown): value is number => typeof value === 'number';

const KEYWORDS: Record<string, Check> = {
  type: (arg, value, _at, _s, fail) => {
    const t = typeOf(value);
    const ok = arg === t || (arg === 'number' && t === 'integer');
    if (!ok) fail(`expected ${String(arg)}, got ${t}`);
  },
  const: (arg, value, _at, _s, fail) => {
    if (JSON.stringify(arg) !== JSON.stringify(value)) fail(`expected ${JSON.stringify(arg)}`);
  },
  enum: (arg, value, _at, _s, fail) => {
    if (!(arg as unknown[]).some((v) => JSON.stringify(v) === JSON.stringify(value))) fail('not in enum');
  },
  minimum: (arg, value, _at, _s, fail) => {
    if (numeric(value) && value < (arg as number)) fail(`< ${arg}`);
  },
  maximum: (arg, value, _at, _s, fail) => {
    if (numeric(value) && value > (arg as number)) fail(`> ${arg}`);
  },
  multipleOf: (arg, value, _at, _s, fail) => {
    if (numeric(value) && value % (arg as number) !== 0) fail(`not a multiple of ${arg}`);
  },
  minLength: (arg, value, _at, _s, fail) => {
    if (typeof value === 'string' && [...value].length < (arg as number)) fail('too short');
  },
  maxLength: (arg, value, _at, _s, fail) => {
    if (typeof value === 'string' && [...value].length > (arg as number)) fail('too long');
  },
  pattern: (arg, value, _at, _s, fail) => {
    if (typeof value === 'string' && !new RegExp(arg as string, 'u').test(value))
      fail(`does not match ${arg}`);
  },
  minItems: (arg, value, _at, _s, fail) => {
    if (Array.isArray(value) && value.length < (arg as number)) fail('too few items');
  },
  maxItems: (arg, value, _at, _s, fail) => {
    if (Array.isArray(value) && value.length > (arg as number)) fail('too many items');
  },
  items: (arg, value, at, _s, _f, errors) => {
    if (Array.isArray(value))
      value.forEach((v, i) => {
        errors.push(...schemaErrors(arg as Schema, v, `${at}/${i}`));
      });
  },
  contains: (arg, value, _at, _s, fail) => {
    if (Array.isArray(value) && !value.some((v) => schemaErrors(arg as Schema, v).length === 0))
      fail('contains no matching item');
  },
  required: (arg, value, _at, _s, fail) => {
    if (isObject(value)) for (const key of arg as string[]) if (!(key in value)) fail(`missing ${key}`);
  },
  minProperties: (arg, value, _at, _s, fail) => {
    if (isObject(value) && Object.keys(value).length < (arg as number)) fail('too few properties');
  },
  maxProperties: (arg, value, _at, _s, fail) => {
    if (isObject(value) && Object.keys(value).length > (arg as number)) fail('too many properties');
  },
  properties: (arg, value, at, _s, _f, errors) => {
    if (!isObject(value)) return;
    for (const [key, sub] of Object.entries(arg as Record<string, Schema>))
      if (key in value) errors.push(...schemaErrors(sub, value[key], `${at}/${key}`));
  },
  propertyNames: (arg, value, at, _s, _f, errors) => {
    if (isObject(value))
      for (const key of Object.keys(value))
        errors.push(...schemaErrors(arg as Schema, key, `${at}/${key}(name)`));
  },
  additionalProperties: (arg, value, at, schema, _f, errors) => {
    if (!isObject(value)) return;
    const known = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
    for (const [key, v] of Object.entries(value))
      if (!known.includes(key)) errors.push(...schemaErrors(arg as Schema, v, `${at}/${key}`));
  },
  anyOf: (arg, value, at, _s, fail) => {
    if (!(arg as Schema[]).some((s) => schemaErrors(s, value, at).length === 0))
      fail('matches no anyOf branch');
  },
  allOf: (arg, value, at, _s, _f, errors) => {
    for (const s of arg as Schema[]) errors.push(...schemaErrors(s, value, at));
  },
  not: (arg, value, at, _s, fail) => {
    if (schemaErrors(arg as Schema, value, at).length === 0) {
      const why =
        isObject(arg) && typeof arg.description === 'string' ? arg.description : 'matches a forbidden schema';
      fail(why);
    }
  },
};
