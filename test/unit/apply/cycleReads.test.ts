import { describe, expect, it } from 'vitest';
import { CycleReads } from '../../../src/apply/cycleReads.js';

const clock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('CycleReads', () => {
  it('recalls a read made after the last write to the resource', () => {
    const c = clock();
    const reads = new CycleReads({ now: c.now });
    reads.writing('q');
    reads.reading('q', 'attributes').done({ VisibilityTimeout: '180' });
    expect(reads.recall('q', 'attributes')).toEqual({ VisibilityTimeout: '180' });
    expect(reads.recall('q', 'other-view')).toBeUndefined();
    expect(reads.recall('other-queue', 'attributes')).toBeUndefined();
  });

  it('a write forgets what was read of the resource', () => {
    const reads = new CycleReads({ now: () => 0 });
    reads.reading('q', 'attributes').done({ a: '1' });
    reads.writing('q');
    expect(reads.recall('q', 'attributes')).toBeUndefined();
  });

  it('a read that began before a write to its resource is never remembered', () => {
    const reads = new CycleReads({ now: () => 0 });
    const ticket = reads.reading('q', 'attributes');
    reads.writing('q');
    ticket.done({ a: 'stale' });
    expect(reads.recall('q', 'attributes')).toBeUndefined();
  });

  it('a remembered value stands in for a read only while fresh, and only where it covers what is asked', () => {
    const c = clock();
    const reads = new CycleReads({ now: c.now, maxAgeMs: 2_000 });
    reads.reading('q', 'attributes').done({ names: ['RedrivePolicy'] });
    expect(reads.recall<{ names: string[] }>('q', 'attributes', (v) => v.names.includes('Policy'))).toBe(
      undefined,
    );
    c.advance(2_000);
    expect(reads.recall('q', 'attributes')).toEqual({ names: ['RedrivePolicy'] });
    c.advance(1);
    expect(reads.recall('q', 'attributes')).toBeUndefined();
  });

  it('exclusive: findings on a shared resource run one after the other, in the order they asked; others in parallel', async () => {
    const reads = new CycleReads();
    const events: string[] = [];
    const gate = () => {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { open, opened };
    };
    const a = gate();
    const runA = reads.exclusive(['q1', 'dlq1'], async () => {
      events.push('a start');
      await a.opened;
      events.push('a end');
    });
    const runB = reads.exclusive(['q1'], async () => {
      events.push('b');
    });
    const runC = reads.exclusive(['q2'], async () => {
      events.push('c');
    });
    await runC;
    expect(events).toEqual(['a start', 'c']);
    a.open();
    await Promise.all([runA, runB]);
    expect(events).toEqual(['a start', 'c', 'a end', 'b']);
  });

  it('exclusive releases a resource when the run throws', async () => {
    const reads = new CycleReads();
    await expect(
      reads.exclusive(['q'], async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(reads.exclusive(['q'], async () => 'next')).resolves.toBe('next');
  });
});
