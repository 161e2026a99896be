import { describe, expect, it } from 'vitest';
import type { QueueConsumer } from '../../../../src/discovery/inventory.js';
import {
  planVisibilityTimeout,
  requiredVisibilityTimeout,
} from '../../../../src/reconcile/rules/sqsVisibilityTimeout.js';
import { arnOf, consumer, queue, urlOf } from '../../fixtures.js';

describe('requiredVisibilityTimeout', () => {
  it.each<{ name: string; consumers: QueueConsumer[]; multiple: number; expected: number }>([
    { name: 'no consumers', consumers: [], multiple: 6, expected: 0 },
    { name: 'one consumer', consumers: [consumer(30)], multiple: 6, expected: 180 },
    { name: 'multiple 1', consumers: [consumer(30)], multiple: 1, expected: 30 },
    { name: 'plus the batching window', consumers: [consumer(30, 20)], multiple: 6, expected: 200 },
    {
      name: 'the largest timeout wins',
      consumers: [consumer(30), consumer(60), consumer(10)],
      multiple: 6,
      expected: 360,
    },
    {
      name: 'the largest sum wins, not the largest timeout',
      consumers: [consumer(10, 300), consumer(20, 0)],
      multiple: 6,
      expected: 360,
    },
    {
      name: 'an unknown timeout is ignored',
      consumers: [consumer(undefined, 100), consumer(10)],
      multiple: 6,
      expected: 60,
    },
    { name: 'only unknown timeouts', consumers: [consumer(undefined, 100)], multiple: 6, expected: 0 },
    {
      name: 'Lambda maximum × 20 + maximum window',
      consumers: [consumer(900, 300)],
      multiple: 20,
      expected: 18_300,
    },
  ])('$name → $expected', ({ consumers, multiple, expected }) => {
    expect(requiredVisibilityTimeout(consumers, multiple)).toBe(expected);
  });
});

describe('planVisibilityTimeout', () => {
  const setVisibility = (seconds: number) => [
    {
      kind: 'SetQueueAttributes',
      queueArn: arnOf('orders'),
      queueUrl: urlOf('orders'),
      attributes: { VisibilityTimeout: String(seconds) },
    },
  ];

  it.each([
    { visibility: 200, consumers: [consumer(30, 20)], status: 'pass', why: 'equal to 6 × 30 + 20' },
    { visibility: 201, consumers: [consumer(30, 20)], status: 'pass', why: 'above' },
    { visibility: 199, consumers: [consumer(30, 20)], status: 'drift', why: 'one below' },
    { visibility: 0, consumers: [consumer(1)], status: 'drift', why: 'zero' },
    {
      visibility: 43_199,
      consumers: [consumer(7_200)],
      status: 'drift',
      why: 'required exactly the SQS maximum',
    },
  ] as const)('visibility $visibility ($why) → $status', ({ visibility, consumers, status }) => {
    const required = requiredVisibilityTimeout(consumers, 6);
    const verdict = planVisibilityTimeout(
      queue('orders', { visibilityTimeout: visibility }),
      { lambdaTimeoutMultiple: 6 },
      consumers,
    );
    expect(verdict.status).toBe(status);
    expect(verdict.observed).toEqual({ visibilityTimeout: visibility });
    if (status === 'pass') {
      expect(verdict.desired).toEqual({ visibilityTimeout: visibility });
      expect(verdict.actions).toBeUndefined();
    } else {
      expect(verdict.desired).toEqual({ visibilityTimeout: required });
      expect(verdict.actions).toStrictEqual(setVisibility(required));
      expect(verdict.message).toMatch(/messages reappear while still being processed$/);
    }
  });

  it('explains the basis: the multiple, the timeout and the batching window that set the requirement', () => {
    const consumers = [consumer(30, 0, 'short'), consumer(60, 5, 'long')];
    const verdict = planVisibilityTimeout(
      queue('orders', { visibilityTimeout: 30 }),
      { lambdaTimeoutMultiple: 6 },
      consumers,
    );
    expect(verdict.message).toBe(
      `30 s < 365 s (6 x 60 s timeout + 5 s batching window of ${consumers[1]?.functionArn}): messages reappear while still being processed`,
    );
  });

  it('explains the basis with the consumer that sets the requirement', () => {
    const slowBatches = consumer(10, 300, 'slow-batches');
    const longTimeout = consumer(20, 0, 'long-timeout');
    const verdict = planVisibilityTimeout(
      queue('orders', { visibilityTimeout: 30 }),
      { lambdaTimeoutMultiple: 6 },
      [slowBatches, longTimeout],
    );
    expect(verdict.desired).toEqual({ visibilityTimeout: 360 }); // 6 x 10 + 300, not 6 x 20
    expect(verdict.message).toContain(slowBatches.functionArn);
  });

  it.each([
    { timeout: 7_200, window: 1, required: 43_201 },
    { timeout: 10_000, window: 0, required: 60_000 },
  ])(
    'required $required s is above the SQS maximum: a ticket, no action',
    ({ timeout, window, required }) => {
      const c = consumer(timeout, window, 'slow');
      const verdict = planVisibilityTimeout(
        queue('orders', { visibilityTimeout: 30 }),
        { lambdaTimeoutMultiple: 6 },
        [c],
      );
      expect(verdict).toStrictEqual({
        status: 'ticket',
        observed: { visibilityTimeout: 30 },
        desired: { visibilityTimeout: required },
        message: `needs ${required} s (6 x ${timeout} s timeout${window > 0 ? ` + ${window} s batching window` : ''} of ${c.functionArn}), above the SQS maximum of 43200 s: shorten the function timeout or lower lambdaTimeoutMultiple`,
      });
    },
  );

  it('a queue already at the SQS maximum that would need more: a ticket, without action', () => {
    const verdict = planVisibilityTimeout(
      queue('orders', { visibilityTimeout: 43_200 }),
      { lambdaTimeoutMultiple: 6 },
      [consumer(7_201)],
    );
    expect(verdict.status).toBe('ticket');
    expect(verdict.actions).toBeUndefined();
  });

  it('no consumers: skipped', () => {
    expect(planVisibilityTimeout(queue('orders'), { lambdaTimeoutMultiple: 6 }, [])).toStrictEqual({
      status: 'skipped',
      observed: { visibilityTimeout: 30 },
      desired: null,
      message: 'no Lambda consumers',
    });
  });

  it('only consumers with unknown timeouts: skipped, naming them', () => {
    const a = consumer(undefined, 0, 'a');
    const b = consumer(undefined, 5, 'b');
    expect(planVisibilityTimeout(queue('orders'), { lambdaTimeoutMultiple: 6 }, [a, b])).toStrictEqual({
      status: 'skipped',
      observed: { visibilityTimeout: 30 },
      desired: null,
      message: `consumers' timeouts unknown (${a.functionArn}, ${b.functionArn})`,
    });
  });

  it('a consumer with an unknown timeout is ignored next to known ones', () => {
    const consumers = [consumer(undefined, 0, 'unknown'), consumer(10, 0, 'known')];
    const verdict = planVisibilityTimeout(
      queue('orders', { visibilityTimeout: 60 }),
      { lambdaTimeoutMultiple: 6 },
      consumers,
    );
    expect(verdict.status).toBe('pass');
    expect(verdict.message).toBe(`60 s >= 60 s (6 x 10 s timeout of ${consumers[1]?.functionArn})`);
  });
});
