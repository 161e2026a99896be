/**
 * The IncreaseStreamRetentionPeriod handler's precondition and read-back, with a Kinesis client
 * stubbed at the client boundary (one DescribeStreamSummary answer per call).
 */
import { describe, expect, it } from 'vitest';
import { increaseStreamRetentionPeriod as handler } from '../../../src/apply/handlers/increaseStreamRetentionPeriod.js';
import type { PreconditionContext, WriteContext } from '../../../src/apply/handlers/index.js';
import type { Action } from '../../../src/reconcile/model.js';

const action: Extract<Action, { kind: 'IncreaseStreamRetentionPeriod' }> = {
  kind: 'IncreaseStreamRetentionPeriod',
  streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/orders-events',
  streamName: 'orders-events',
  observedHours: 24,
  retentionHours: 48,
};

const reading = (answer: () => unknown) =>
  ({
    aws: {
      kinesis: {
        send: async () => {
          const out = answer();
          if (out instanceof Error) throw out;
          return out;
        },
      },
    },
    inventory: {},
  }) as unknown as PreconditionContext & WriteContext;
const hours = (h: number) => reading(() => ({ StreamDescriptionSummary: { RetentionPeriodHours: h } }));

describe('IncreaseStreamRetentionPeriod', () => {
  it('proceeds when the retention is still what discovery read', async () => {
    expect(await handler.precondition(action, hours(24))).toBe('proceed');
  });

  it.each([48, 96])('is unchanged (no write) when the stream already keeps %i h', async (h) => {
    expect(await handler.precondition(action, hours(h))).toBe('unchanged');
  });

  it('refuses (CHANGED_SINCE_DISCOVERY) when someone changed it meanwhile', async () => {
    await expect(handler.precondition(action, hours(36))).rejects.toMatchObject({
      code: 'CHANGED_SINCE_DISCOVERY',
    });
  });

  it('reports a deleted stream (RESOURCE_GONE)', async () => {
    const notFound = Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    await expect(
      handler.precondition(
        action,
        reading(() => notFound),
      ),
    ).rejects.toMatchObject({
      code: 'RESOURCE_GONE',
    });
  });

  it('reads back: visible once the retention is at least the target', async () => {
    expect(await handler.readBack(action, hours(48), undefined)).toEqual([]);
    expect(await handler.readBack(action, hours(24), undefined)).toEqual(['RetentionPeriodHours']);
  });

  it('names only the stream it writes', () => {
    expect(handler.targets(action)).toEqual([action.streamArn]);
  });
});
