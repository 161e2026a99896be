import { describe, expect, it } from 'vitest';
import { checkChangeCap, wouldWrite } from '../../../src/reconcile/changeCap.js';
import type { Finding, Plan } from '../../../src/reconcile/model.js';

const TARGET = { partition: 'aws', accountId: '123456789012', region: 'us-east-1' };
const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const write = (name: string) => ({
  kind: 'SetQueueAttributes' as const,
  queueArn: arn(name),
  queueUrl: `https://sqs/${name}`,
  attributes: { VisibilityTimeout: '60' },
});

function finding(
  name: string,
  kind: 'write' | 'pass' | 'audit' | 'ticket' = 'write',
  rule = 'sqs-visibility-timeout',
): Finding {
  return {
    resource: arn(name),
    resourceType: 'sqs:queue',
    policy: 'p',
    rule: rule as Finding['rule'],
    status: kind === 'pass' ? 'pass' : kind === 'ticket' ? 'ticket' : 'drift',
    observed: null,
    desired: null,
    message: '',
    enforcement: kind === 'audit' ? 'audit' : 'enforce',
    actions: kind === 'write' || kind === 'audit' ? [write(name)] : [],
  } as Finding;
}

const planOf = (...findings: Finding[]): Plan => ({ target: TARGET, findings });

describe('checkChangeCap', () => {
  it.each<{ name: string; plan: Plan; max: number; changing: number; resources: number; exceeded: boolean }>([
    { name: 'empty plan', plan: planOf(), max: 0, changing: 0, resources: 0, exceeded: false },
    {
      name: 'nothing to change, cap 0',
      plan: planOf(finding('a', 'pass'), finding('b', 'pass')),
      max: 0,
      changing: 0,
      resources: 2,
      exceeded: false,
    },
    {
      name: 'one write, cap 0 (a freeze)',
      plan: planOf(finding('a'), finding('b', 'pass')),
      max: 0,
      changing: 1,
      resources: 2,
      exceeded: true,
    },
    {
      name: 'exactly at the cap is allowed (2 of 4 = 50%)',
      plan: planOf(finding('a'), finding('b'), finding('c', 'pass'), finding('d', 'pass')),
      max: 50,
      changing: 2,
      resources: 4,
      exceeded: false,
    },
    {
      name: 'just above (3 of 4 = 75% > 50%)',
      plan: planOf(finding('a'), finding('b'), finding('c'), finding('d', 'pass')),
      max: 50,
      changing: 3,
      resources: 4,
      exceeded: true,
    },
    {
      name: 'a resource with two writing findings counts once',
      plan: planOf(
        finding('a'),
        finding('a', 'write', 'sqs-dead-letter-queue'),
        finding('b', 'pass'),
        finding('c', 'pass'),
      ),
      max: 33,
      changing: 1,
      resources: 3,
      exceeded: true,
    },
    {
      name: 'audit findings and tickets never write',
      plan: planOf(finding('a', 'audit'), finding('b', 'ticket'), finding('c', 'pass')),
      max: 0,
      changing: 0,
      resources: 3,
      exceeded: false,
    },
    {
      name: '100 never trips',
      plan: planOf(finding('a'), finding('b')),
      max: 100,
      changing: 2,
      resources: 2,
      exceeded: false,
    },
  ])('$name', ({ plan, max, changing, resources, exceeded }) => {
    const check = checkChangeCap(plan, max);
    expect(check).toMatchObject({ changing, resources, exceeded, maxPercent: max });
    expect(check.message === '').toBe(!exceeded);
  });

  it('says what it found and what it means', () => {
    const check = checkChangeCap(planOf(finding('a'), finding('b'), finding('c'), finding('d', 'pass')), 50);
    expect(check.percent).toBe(75);
    expect(check.message).toBe(
      'change cap exceeded: 3 of 4 resources (75%) would change, above the cap of 50% (--max-change-percent); ' +
        'nothing is written this cycle. Check the policies and selectors, then raise the cap for one cycle if the change is intended.',
    );
  });

  it('wouldWrite: only enforced drift with writes', () => {
    expect(wouldWrite(finding('a'))).toBe(true);
    expect(wouldWrite(finding('a', 'audit'))).toBe(false);
    expect(wouldWrite(finding('a', 'pass'))).toBe(false);
    expect(wouldWrite({ ...finding('a'), actions: [] })).toBe(false);
  });
});
