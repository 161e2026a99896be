/**
 * `edaguard rules` and `edaguard explain <rule>`, rendered from the schema (what a rule checks,
 * its settings with their defaults and ranges), the ticket guidance (why) and RULE_DOCS (fix,
 * example): nothing here is written twice.
 */
import { stringify } from 'yaml';
import { z } from 'zod';
import { RULE_GUIDANCE } from '../notify/tickets/ruleGuidance.js';
import { RULE_DOCS } from '../policy/ruleDocs.js';
import {
  defaultResourceTypes,
  RULE_IDS,
  RULE_RESOURCE_TYPES,
  type RuleId,
  RuleSettingsSchemas,
} from '../policy/ruleSettings.js';
import { API_VERSION, POLICY_KIND } from '../policy/schema.js';
import { columnWidths, renderColumns, wrapText } from '../report/columns.js';

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  multipleOf?: number;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** A rule's settings schema as JSON Schema (input side: defaults are optional). */
const settingsSchema = (rule: RuleId): JsonSchema =>
  z.toJSONSchema(RuleSettingsSchemas[rule], { io: 'input' }) as JsonSchema;

/** What a rule checks: its settings schema's description. */
export const ruleChecks = (rule: RuleId): string => settingsSchema(rule).description ?? '';

/** Why a rule matters: the line tickets carry. */
export const ruleWhy = (rule: RuleId): string => RULE_GUIDANCE[rule]?.why ?? '';

/** The top-level setting names of a rule, in schema order. */
export const ruleSettingNames = (rule: RuleId): string[] =>
  Object.keys(settingsSchema(rule).properties ?? {});

export interface RuleSummary {
  id: RuleId;
  resourceTypes: readonly string[];
  why: string;
}

export const ruleSummaries = (): RuleSummary[] =>
  RULE_IDS.map((id) => ({ id, resourceTypes: RULE_RESOURCE_TYPES[id], why: ruleWhy(id) }));

/** One line per rule: id, resource types, why. */
export function renderRules(width: number): string {
  const rows = ruleSummaries().map((r) => [r.id, r.resourceTypes.join(', '), r.why]);
  const columns = [
    { header: 'RULE', fixed: true },
    { header: 'RESOURCE TYPES', fixed: false },
    { header: 'WHY', fixed: false },
  ];
  const widths = columnWidths(columns, rows, width);
  if (widths) return renderColumns(columns, rows, widths).join('\n');
  // Too narrow for side by side: each rule as a heading, its why wrapped beneath.
  return rows
    .map(([id, types, why]) =>
      [...hanging('', `${id} (${types})`, width), ...hanging('  ', why as string, width)].join('\n'),
    )
    .join('\n\n');
}

/** `text` wrapped within `width`, every line after `lead` indented as deep as it. */
function hanging(lead: string, text: string, width: number): string[] {
  const indent = ' '.repeat(lead.length);
  return wrapText(text, Math.max(20, width - lead.length)).map((l, i) => `${i === 0 ? lead : indent}${l}`);
}

/** A setting's allowed values, in words. */
export function rangeText(s: JsonSchema): string {
  if (s.anyOf) {
    const forms = s.anyOf.map(rangeText).filter(Boolean);
    return forms.length > 0 ? forms.join(' or ') : 'one of several forms';
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return `one of ${s.enum.map(String).join(', ')}`;
  const bounds = (min?: number, max?: number) =>
    min !== undefined && max !== undefined
      ? `${min}..${max}`
      : min !== undefined
        ? `>= ${min}`
        : max !== undefined
          ? `<= ${max}`
          : '';
  switch (s.type) {
    case 'integer':
    case 'number': {
      const range = bounds(s.minimum, s.maximum);
      const kind = s.type === 'integer' ? 'integer' : 'number';
      const multiple = s.multipleOf ? `, a multiple of ${s.multipleOf}` : '';
      return `${kind}${range ? ` ${range}` : ''}${multiple}`;
    }
    case 'string': {
      const length = bounds(s.minLength, s.maxLength);
      return `string${length ? `, ${length} characters` : ''}${s.pattern ? ` matching ${s.pattern}` : ''}`;
    }
    case 'array': {
      const items = s.items ? rangeText(s.items) : '';
      const count = bounds(s.minItems, s.maxItems);
      return `list${count ? ` of ${count}` : ''}${items ? `: ${items}` : ''}`;
    }
    case 'object':
      return s.properties ? 'mapping' : 'map';
    default:
      return '';
  }
}

/** The settings as lines: name, default (or required), range, description; nested fields indented. */
export function settingLines(schema: JsonSchema, indent = '  ', prefix = ''): string[] {
  const lines: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const fallback =
      s.default !== undefined
        ? `default ${JSON.stringify(s.default)}`
        : required.has(name)
          ? 'required'
          : 'optional';
    const range = rangeText(s);
    lines.push(
      `${indent}${prefix}${name}: ${fallback}${range ? `; ${range}` : ''}${s.description ? `. ${s.description}` : ''}`,
    );
    if (s.type === 'object' && s.properties) lines.push(...settingLines(s, indent, `${prefix}${name}.`));
  }
  return lines;
}

/** An example policy that uses the rule (it validates: test/unit/cli/ruleExplain.test.ts). */
export function examplePolicy(rule: RuleId): string {
  return stringify({
    apiVersion: API_VERSION,
    kind: POLICY_KIND,
    metadata: { name: `example-${rule}` },
    spec: {
      enforcement: 'audit',
      match: { resourceTypes: [...defaultResourceTypes(rule)], tags: { team: 'orders' } },
      rules: { [rule]: RULE_DOCS[rule].example },
    },
  });
}

/** Everything about one rule, its prose wrapped within `width` (the example policy as it is). */
export function renderExplain(rule: RuleId, width: number): string {
  // A setting's description continues two columns deeper than its name.
  const settings = settingLines(settingsSchema(rule)).flatMap((line) => {
    const [, indent = '', rest = ''] = /^(\s*)(.*)$/.exec(line) ?? [];
    return wrapText(rest, Math.max(20, width - indent.length - 2)).map(
      (l, i) => `${indent}${i === 0 ? '' : '  '}${l}`,
    );
  });
  return [
    ...hanging('', `${rule} (${RULE_RESOURCE_TYPES[rule].join(', ')})`, width),
    '',
    ...hanging('Why:    ', ruleWhy(rule), width),
    ...hanging('Checks: ', ruleChecks(rule), width),
    ...hanging('Fix:    ', RULE_DOCS[rule].fix, width),
    '',
    'Settings:',
    ...(settings.length > 0 ? settings : ['  none']),
    '',
    'Example policy:',
    ...examplePolicy(rule)
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
  ].join('\n');
}
