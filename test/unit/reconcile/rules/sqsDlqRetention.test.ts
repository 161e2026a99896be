import { describe, expect, it } from 'vitest';
import { SqsDlqRetentionSettings } from '../../../../src/policy/ruleSettings.js';
import { planDlqRetention } from '../../../../src/reconcile/rules/sqsDlqRetention.js';
import { arnOf, queue, urlOf } from '../../fixtures.js';

describe('planDlqRetention', () => {
  it.each([
    { minSeconds: 1_209_600, retention: 1_209_600, status: 'pass' },
    { minSeconds: 1_209_600, retention: 1_209_599, status: 'drift' },
    { minSeconds: 86_400, retention: 86_401, status: 'pass' },
    { minSeconds: 86_400, retention: 86_400, status: 'pass' },
    { minSeconds: 86_400, retention: 86_399, status: 'drift' },
    { minSeconds: 60, retention: 60, status: 'pass' },
    { minSeconds: 86_400, retention: 60, status: 'drift' },
  ] as const)(
    'retention $retention with minSeconds $minSeconds → $status',
    ({ minSeconds, retention, status }) => {
      const dlq = queue('orders-dlq', { messageRetentionPeriod: retention });
      const verdict = planDlqRetention(dlq, SqsDlqRetentionSettings.parse({ minSeconds }), [arnOf('orders')]);
      const observed = { messageRetentionPeriod: retention };
      if (status === 'pass') {
        expect(verdict).toStrictEqual({
          status: 'pass',
          observed,
          desired: observed,
          message: `DLQ of ${arnOf('orders')} keeps messages ${retention} s`,
        });
      } else {
        expect(verdict).toStrictEqual({
          status: 'drift',
          observed,
          desired: { messageRetentionPeriod: minSeconds },
          message: `DLQ of ${arnOf('orders')} keeps messages ${retention} s, less than ${minSeconds} s`,
          actions: [
            {
              kind: 'SetQueueAttributes',
              queueArn: arnOf('orders-dlq'),
              queueUrl: urlOf('orders-dlq'),
              attributes: { MessageRetentionPeriod: String(minSeconds) },
            },
          ],
        });
      }
    },
  );

  it('the default minSeconds is 14 days', () => {
    const dlq = queue('d', { messageRetentionPeriod: 345_600 });
    expect(planDlqRetention(dlq, SqsDlqRetentionSettings.parse({}), []).desired).toEqual({
      messageRetentionPeriod: 1_209_600,
    });
  });

  it.each([
    [[], 'DLQ keeps messages 10 s, less than 60 s'],
    [['a', 'b'], `DLQ of ${arnOf('a')}, ${arnOf('b')} keeps messages 10 s, less than 60 s`],
  ])('the message names the sources %j', (sources, message) => {
    const dlq = queue('d', { messageRetentionPeriod: 10 });
    expect(planDlqRetention(dlq, { minSeconds: 60 }, sources.map(arnOf)).message).toBe(message);
  });
});
