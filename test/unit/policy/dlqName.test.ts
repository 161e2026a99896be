import { describe, expect, it } from 'vitest';
import { dlqNameFor, isValidQueueName } from '../../../src/policy/dlqName.js';

describe('dlqNameFor', () => {
  it.each([
    ['orders', false, '-dlq', 'orders-dlq'],
    ['orders', false, '_failed', 'orders_failed'],
    ['orders.fifo', true, '-dlq', 'orders-dlq.fifo'],
    ['orders.fifo', true, 'DLQ', 'ordersDLQ.fifo'],
    // Only the final .fifo is the FIFO suffix.
    ['a.fifo.fifo', true, '-dlq', 'a.fifo-dlq.fifo'],
  ])('(%s, fifo=%s, %s) → %s', (name, fifo, suffix, expected) => {
    expect(dlqNameFor(name, fifo, suffix)).toBe(expected);
  });
});

describe('isValidQueueName', () => {
  it.each([
    ['orders', true],
    ['orders-dlq.fifo', true],
    ['Orders_1-x', true],
    ['a'.repeat(80), true],
    ['a'.repeat(81), false],
    [`${'a'.repeat(75)}.fifo`, true],
    [`${'a'.repeat(76)}.fifo`, false],
    ['', false],
    ['has space', false],
    ['dots.inside', false],
    ['.fifo', false],
  ])('%j → %s', (name, expected) => {
    expect(isValidQueueName(name)).toBe(expected);
  });
});
