import { describe, expect, it } from 'vitest';
import { planDlqNotEmpty } from '../../../../src/reconcile/rules/dlqNotEmpty.js';
import { queue } from '../../fixtures.js';

const dlq = { ...queue('orders-dlq'), approximateNumberOfMessages: 3 };

describe('dlq-not-empty', () => {
  it('passes on an empty DLQ', () => {
    expect(planDlqNotEmpty({ ...dlq, approximateNumberOfMessages: 0 }, []).status).toBe('pass');
  });

  it('names the source queue to move messages back to', () => {
    const source = 'arn:aws:sqs:us-east-1:123456789012:orders';
    const verdict = planDlqNotEmpty(dlq, [source]);
    expect(verdict.status).toBe('ticket');
    expect(verdict.message).toContain(`--destination-arn ${source}`);
  });

  it('never offers SQS a topic or a rule as the destination of a message move', () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:orders';
    const verdict = planDlqNotEmpty(dlq, [topic]);
    expect(verdict.message).not.toContain('start-message-move-task');
    expect(verdict.message).toContain('--to <queue>');
    expect(verdict.message).toContain(topic);
  });
});
