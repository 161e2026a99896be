import { describe, expect, it } from 'vitest';
import { parseRedriveAllowPolicy, type QueueFacts, redriveRefusals } from '../../../src/redrive/safety.js';

const queue = (name: string, extra: Partial<QueueFacts> = {}): QueueFacts => ({
  url: `http://sqs.local/123456789012/${name}`,
  arn: `arn:aws:sqs:us-east-1:123456789012:${name}`,
  fifo: name.endsWith('.fifo'),
  approximateMessages: 0,
  ...extra,
});

describe('parseRedriveAllowPolicy', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['{"redrivePermission":"allowAll"}', { redrivePermission: 'allowAll', sourceQueueArns: [] }],
    ['{"redrivePermission":"denyAll"}', { redrivePermission: 'denyAll', sourceQueueArns: [] }],
    [
      '{"redrivePermission":"byQueue","sourceQueueArns":["arn:a","arn:b"]}',
      { redrivePermission: 'byQueue', sourceQueueArns: ['arn:a', 'arn:b'] },
    ],
    ['{"redrivePermission":"sometimes"}', { redrivePermission: 'invalid', sourceQueueArns: [] }],
    ['not json', { redrivePermission: 'invalid', sourceQueueArns: [] }],
  ])('%s', (text, expected) => {
    expect(parseRedriveAllowPolicy(text)).toEqual(expected);
  });
});

describe('redriveRefusals', () => {
  const dlq = queue('orders-dlq');
  const byQueue = (arns: string[]) =>
    parseRedriveAllowPolicy(JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: arns }));

  it('allows a standard target with no policy, allowAll, or byQueue listing the DLQ', () => {
    expect(redriveRefusals(dlq, queue('orders'))).toEqual([]);
    expect(
      redriveRefusals(
        dlq,
        queue('orders', { redriveAllowPolicy: parseRedriveAllowPolicy('{"redrivePermission":"allowAll"}') }),
      ),
    ).toEqual([]);
    expect(redriveRefusals(dlq, queue('orders', { redriveAllowPolicy: byQueue([dlq.arn]) }))).toEqual([]);
  });

  it('refuses denyAll, byQueue without the DLQ, and a policy it cannot read', () => {
    const denied = redriveRefusals(
      dlq,
      queue('orders', { redriveAllowPolicy: parseRedriveAllowPolicy('{"redrivePermission":"denyAll"}') }),
    );
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatch(/denyAll/);
    const notListed = redriveRefusals(
      dlq,
      queue('orders', { redriveAllowPolicy: byQueue(['arn:aws:sqs:us-east-1:123456789012:other']) }),
    );
    expect(notListed[0]).toMatch(/byQueue without .*orders-dlq \(allowed: .*other\)/);
    expect(
      redriveRefusals(dlq, queue('orders', { redriveAllowPolicy: parseRedriveAllowPolicy('{') }))[0],
    ).toMatch(/cannot read/);
  });

  it('refuses FIFO ↔ standard either way, and the DLQ as its own target', () => {
    expect(redriveRefusals(queue('a-dlq.fifo'), queue('a'))[0]).toMatch(/is FIFO and .* is standard/);
    expect(redriveRefusals(queue('a-dlq'), queue('a.fifo'))[0]).toMatch(/is standard and .* is FIFO/);
    expect(redriveRefusals(queue('a-dlq.fifo'), queue('a.fifo'))).toEqual([]);
    expect(redriveRefusals(dlq, dlq)[0]).toMatch(/is the DLQ itself/);
  });

  it('lists every reason at once', () => {
    const target = queue('t.fifo', {
      redriveAllowPolicy: parseRedriveAllowPolicy('{"redrivePermission":"denyAll"}'),
    });
    expect(redriveRefusals(dlq, target)).toHaveLength(2);
  });
});
