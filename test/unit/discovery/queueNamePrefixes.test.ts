/** Which QueueNamePrefix listings answer whether the names edaguard may create exist (pure). */
import { describe, expect, it } from 'vitest';
import { chooseQueueNamePrefixes, commonPrefix } from '../../../src/discovery/queueNamePrefixes.js';

const many = (prefix: string, n: number, suffix = '-dlq') =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}${suffix}`);

describe('chooseQueueNamePrefixes', () => {
  it.each([
    { names: [], prefixes: [] },
    { names: ['orders-dlq'], prefixes: ['orders-dlq'] },
    // FIFO names keep their suffix: orders-dlq.fifo is not listed under orders-dlq's own name only.
    { names: ['orders-dlq.fifo', 'billing-dlq'], prefixes: ['billing-dlq', 'orders-dlq.fifo'] },
    // A name that begins another covers it: one listing for both.
    { names: ['a-dlq', 'a-dlq-dlq', 'b-dlq'], prefixes: ['a-dlq', 'b-dlq'] },
    { names: ['x', 'x', 'y'], prefixes: ['x', 'y'] },
    // Many names sharing a prefix: one listing under it.
    { names: many('orders-q-', 8), prefixes: ['orders-q-000'] },
    // Two families: one listing each, narrowed to each family's common prefix.
    {
      names: [...many('orders-', 6), ...many('billing-', 6, '-failures')],
      prefixes: ['billing-000', 'orders-000'],
    },
    // Nothing shared and too many to list one by one: the whole account ('').
    { names: ['a1', 'b1', 'c1', 'd1', 'e1', 'f1'], prefixes: [''] },
  ])('$names.length names → $prefixes', ({ names, prefixes }) => {
    const chosen = chooseQueueNamePrefixes(names);
    expect(chosen).toEqual(prefixes);
    for (const name of names) expect(chosen.some((p) => name.startsWith(p))).toBe(true);
  });

  it('750 DLQ names of one family need one prefix; 1,000 of six families at most five', () => {
    expect(chooseQueueNamePrefixes(many('audit-q-', 750))).toEqual(['audit-q-0']);
    const families = ['a', 'b', 'c', 'd', 'e', 'f'].flatMap((f) => many(`${f}-`, 10));
    const chosen = chooseQueueNamePrefixes(families);
    expect(chosen).toEqual(['']);
    expect(chooseQueueNamePrefixes(families, 6)).toEqual([
      'a-000',
      'b-000',
      'c-000',
      'd-000',
      'e-000',
      'f-000',
    ]);
  });
});

describe('commonPrefix', () => {
  it.each([
    { names: [], prefix: '' },
    { names: ['orders-dlq.fifo'], prefix: 'orders-dlq.fifo' },
    { names: ['orders-dlq', 'orders-dlq.fifo'], prefix: 'orders-dlq' },
    { names: ['abc', 'abd', 'xyz'], prefix: '' },
  ])('$names → "$prefix"', ({ names, prefix }) => expect(commonPrefix(names)).toBe(prefix));
});
