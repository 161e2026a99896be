import { describe, expect, it } from 'vitest';
import { isValidQueueName } from '../../../../src/policy/dlqName.js';
import { type RuleSettings, SqsFifoOrderingSettings } from '../../../../src/policy/ruleSettings.js';
import { planFifoOrdering } from '../../../../src/reconcile/rules/sqsFifoOrdering.js';
import { queue } from '../../fixtures.js';

type Settings = RuleSettings['sqs-fifo-ordering'];
const settings = (input: Record<string, unknown>): Settings => SqsFifoOrderingSettings.parse(input);

const DEFAULTS = settings({});
const STRICT = { 'edaguard.dev/ordering': 'strict' };

describe('planFifoOrdering', () => {
  it('the default ordering tag is edaguard.dev/ordering=strict', () => {
    expect(DEFAULTS.orderingTag).toStrictEqual(STRICT);
  });

  it.each<{ name: string; tags: Record<string, string> }>([
    { name: 'no tags', tags: {} },
    { name: 'another value', tags: { 'edaguard.dev/ordering': 'relaxed' } },
    { name: 'another case', tags: { 'edaguard.dev/ordering': 'Strict' } },
    { name: 'an empty value', tags: { 'edaguard.dev/ordering': '' } },
  ])('a queue not marked ($name) → undefined, standard or FIFO', ({ tags }) => {
    expect(planFifoOrdering(queue('orders', { tags }), DEFAULTS)).toBeUndefined();
    expect(planFifoOrdering(queue('orders.fifo', { tags }), DEFAULTS)).toBeUndefined();
  });

  it('marked and FIFO → pass', () => {
    expect(planFifoOrdering(queue('orders.fifo', { tags: STRICT }), DEFAULTS)).toStrictEqual({
      status: 'pass',
      observed: { fifo: true },
      desired: { fifo: true },
      message: 'FIFO, as edaguard.dev/ordering=strict requires',
    });
  });

  it('marked and standard → ticket with no actions: how to move to FIFO, with MessageGroupId', () => {
    const verdict = planFifoOrdering(queue('orders', { tags: STRICT }), DEFAULTS);
    expect(verdict).toStrictEqual({
      status: 'ticket',
      observed: { fifo: false },
      desired: { fifo: true },
      message:
        'tagged edaguard.dev/ordering=strict but a standard queue delivers out of order and cannot be converted: create orders.fifo, publish with the entity id (e.g. the order id) as MessageGroupId, move consumers over, then retire this queue',
    });
    expect(verdict?.message).toContain('MessageGroupId');
  });

  it.each([
    {
      name: 'the custom tag, standard',
      q: queue('payments', { tags: { 'acme/ordered': 'yes' } }),
      status: 'ticket',
    },
    {
      name: 'the custom tag, FIFO',
      q: queue('payments.fifo', { tags: { 'acme/ordered': 'yes' } }),
      status: 'pass',
    },
    { name: 'only the default tag', q: queue('payments', { tags: STRICT }), status: undefined },
    {
      name: 'the custom key, another value',
      q: queue('payments', { tags: { 'acme/ordered': 'no' } }),
      status: undefined,
    },
  ] as const)('custom orderingTag acme/ordered=yes, a queue with $name → $status', ({ q, status }) => {
    const verdict = planFifoOrdering(q, settings({ orderingTag: { 'acme/ordered': 'yes' } }));
    expect(verdict?.status).toBe(status);
    if (status) expect(verdict?.message).toContain('acme/ordered=yes');
  });

  const suggested = (message: string | undefined) => /create (\S+), publish/.exec(message ?? '')?.[1];

  it('the FIFO queue it suggests for a 75-character name is a valid name (80 characters)', () => {
    const name = 'q'.repeat(75);
    const verdict = planFifoOrdering(queue(name, { tags: STRICT }), DEFAULTS);
    expect(suggested(verdict?.message)).toBe(`${name}.fifo`);
    expect(isValidQueueName(`${name}.fifo`)).toBe(true);
  });

  // SQS names have at most 80 characters, ".fifo" included.
  it('the FIFO queue it suggests for an 80-character name is a valid queue name', () => {
    const verdict = planFifoOrdering(queue('q'.repeat(80), { tags: STRICT }), DEFAULTS);
    const name = suggested(verdict?.message);
    expect(name).toBeDefined();
    expect(isValidQueueName(name ?? '')).toBe(true);
  });
});
