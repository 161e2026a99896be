import { describe, expect, it } from 'vitest';
import { TAGS } from '../../../src/policy/schema.js';
import { isIgnored, policyGoverns, policySelects, selectorCovers } from '../../../src/policy/selectors.js';
import { policy } from '../fixtures.js';

describe('isIgnored', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['false', false],
    ['yes', false],
    ['1', false],
    ['', false],
    [' true', false],
  ])('%j → %s', (value, expected) => {
    expect(isIgnored({ [TAGS.ignore]: value })).toBe(expected);
  });

  it('is false without the tag, and only the exact key counts', () => {
    expect(isIgnored({})).toBe(false);
    expect(isIgnored({ 'edaguard.dev/Ignore': 'true', ignore: 'true' })).toBe(false);
  });
});

describe('policySelects', () => {
  const orders = policy({
    name: 'orders',
    match: { team: 'orders', tier: 'critical' },
    exclude: { stage: 'dev', legacy: 'yes' },
    rules: { 'sqs-dlq-retention': {} },
  });
  const everything = policy({ name: 'all', rules: { 'sqs-dlq-retention': {} } });

  it.each<{ name: string; tags: Record<string, string>; expected: boolean }>([
    { name: 'every match tag', tags: { team: 'orders', tier: 'critical' }, expected: true },
    {
      name: 'every match tag and others',
      tags: { team: 'orders', tier: 'critical', x: 'y' },
      expected: true,
    },
    { name: 'one match tag only', tags: { team: 'orders' }, expected: false },
    { name: 'a match tag with another value', tags: { team: 'orders', tier: 'low' }, expected: false },
    { name: 'a match value differing in case', tags: { team: 'Orders', tier: 'critical' }, expected: false },
    { name: 'no tags', tags: {}, expected: false },
    { name: 'one exclude tag', tags: { team: 'orders', tier: 'critical', stage: 'dev' }, expected: false },
    {
      name: 'the other exclude tag',
      tags: { team: 'orders', tier: 'critical', legacy: 'yes' },
      expected: false,
    },
    {
      name: 'an exclude key with another value',
      tags: { team: 'orders', tier: 'critical', stage: 'prod' },
      expected: true,
    },
    {
      name: 'the ignore tag',
      tags: { team: 'orders', tier: 'critical', [TAGS.ignore]: 'TRUE' },
      expected: false,
    },
    {
      name: 'the ignore tag set to false',
      tags: { team: 'orders', tier: 'critical', [TAGS.ignore]: 'false' },
      expected: true,
    },
  ])(
    'a policy matching team+tier, excluding stage=dev|legacy=yes, on $name → $expected',
    ({ tags, expected }) => {
      expect(policySelects(orders, 'sqs:queue', tags)).toBe(expected);
    },
  );

  it('an empty match selects every resource of its types, except ignored ones', () => {
    expect(policySelects(everything, 'sqs:queue', {})).toBe(true);
    expect(policySelects(everything, 'sqs:queue', { any: 'thing' })).toBe(true);
    expect(policySelects(everything, 'sqs:queue', { [TAGS.ignore]: 'true' })).toBe(false);
  });

  it('selects only resources of its resource types', () => {
    const onlyQueues = policy({ name: 'q', rules: { 'sqs-dlq-retention': {} } });
    const none = { ...onlyQueues, resourceTypes: [] };
    expect(policySelects(onlyQueues, 'sqs:queue', {})).toBe(true);
    expect(policySelects(none, 'sqs:queue', {})).toBe(false);
  });
});

describe('policyGoverns', () => {
  const p = policy({ name: 'p', rules: { 'sqs-dlq-retention': {} } });
  it.each([
    ['sqs-dlq-retention', true],
    ['sqs-dead-letter-queue', false],
    ['sqs-visibility-timeout', false],
  ] as const)('%s → %s', (rule, expected) => {
    expect(policyGoverns(p, rule, 'sqs:queue')).toBe(expected);
  });
});

describe('selectorCovers', () => {
  type Sel = { match?: Record<string, string>; exclude?: Record<string, string> };
  const p = (name: string, sel: Sel) => policy({ name, ...sel, rules: { 'sqs-dlq-retention': {} } });

  it.each<{ name: string; outer: Sel; inner: Sel; covers: boolean }>([
    { name: 'everything covers everything', outer: {}, inner: {}, covers: true },
    { name: 'everything covers a tag', outer: {}, inner: { match: { team: 'a' } }, covers: true },
    { name: 'a tag does not cover everything', outer: { match: { team: 'a' } }, inner: {}, covers: false },
    { name: 'same tag', outer: { match: { team: 'a' } }, inner: { match: { team: 'a' } }, covers: true },
    {
      name: 'same key, other value',
      outer: { match: { team: 'a' } },
      inner: { match: { team: 'b' } },
      covers: false,
    },
    {
      name: 'a tag covers that tag and more',
      outer: { match: { team: 'a' } },
      inner: { match: { team: 'a', tier: 'x' } },
      covers: true,
    },
    {
      name: 'two tags do not cover one of them',
      outer: { match: { team: 'a', tier: 'x' } },
      inner: { match: { team: 'a' } },
      covers: false,
    },
    {
      name: 'different keys (partial overlap)',
      outer: { match: { team: 'a' } },
      inner: { match: { tier: 'x' } },
      covers: false,
    },
    {
      name: 'outer excludes a tag inner may have',
      outer: { exclude: { stage: 'dev' } },
      inner: { match: { team: 'a' } },
      covers: false,
    },
    {
      name: 'outer excludes a tag inner excludes too',
      outer: { exclude: { stage: 'dev' } },
      inner: { match: { team: 'a' }, exclude: { stage: 'dev' } },
      covers: true,
    },
    {
      name: 'outer excludes a value inner cannot have (it requires another)',
      outer: { exclude: { stage: 'dev' } },
      inner: { match: { stage: 'prod' } },
      covers: true,
    },
    {
      name: 'outer excludes exactly what inner requires',
      outer: { exclude: { stage: 'dev' } },
      inner: { match: { stage: 'dev' } },
      covers: false,
    },
    {
      name: 'inner excludes another value of the key outer excludes',
      outer: { exclude: { stage: 'dev' } },
      inner: { exclude: { stage: 'test' } },
      covers: false,
    },
    {
      name: 'inner can select nothing (its exclude cancels its match)',
      outer: {},
      inner: { match: { team: 'a' }, exclude: { team: 'a' } },
      covers: false,
    },
    {
      name: 'inner excludes more than outer: still covered',
      outer: { match: { team: 'a' } },
      inner: { match: { team: 'a' }, exclude: { stage: 'dev' } },
      covers: true,
    },
  ])('$name → $covers', ({ outer, inner, covers }) => {
    expect(selectorCovers(p('outer', outer), p('inner', inner))).toBe(covers);
  });

  it('a policy covers itself', () => {
    const self = p('self', { match: { team: 'a' }, exclude: { stage: 'dev' } });
    expect(selectorCovers(self, self)).toBe(true);
  });

  it('resource types: inner’s types must all be outer’s', () => {
    const queues = p('queues', {});
    const noTypes = { ...queues, resourceTypes: [] };
    expect(selectorCovers(noTypes, queues)).toBe(false);
    expect(selectorCovers(queues, noTypes)).toBe(true);
  });
});
