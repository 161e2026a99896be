/**
 * Queue existence from ListQueues pages: NextToken followed, names matched exactly (FIFO suffix
 * included), a page cut short narrowed to the names it did not show. The client answers from a
 * fake account.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { listQueues, lookUpQueueNames } from '../../../src/discovery/queueListing.js';
import { createReadRunner } from '../../../src/discovery/readRequeue.js';
import { urlOf } from '../fixtures.js';

interface ListInput {
  QueueNamePrefix?: string;
  MaxResults?: number;
  NextToken?: string;
}

/**
 * ListQueues over `names`: pages of MaxResults with a NextToken (AWS), or with `cap`, at most that
 * many and never a token (moto).
 */
function fakeSqs(names: readonly string[], options: { cap?: number } = {}) {
  const calls: ListInput[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: ListInput }) => {
      if (command.constructor.name !== 'ListQueuesCommand')
        throw new Error(`unexpected ${command.constructor.name}`);
      const input = command.input;
      calls.push(input);
      const matching = names.filter((n) => n.startsWith(input.QueueNamePrefix ?? ''));
      if (options.cap !== undefined) return { QueueUrls: matching.slice(0, options.cap).map(urlOf) };
      const start = Number(input.NextToken ?? 0);
      const size = input.MaxResults ?? 1000;
      const page = matching.slice(start, start + size);
      return {
        QueueUrls: page.map(urlOf),
        ...(start + size < matching.length ? { NextToken: String(start + size) } : {}),
      };
    },
  } as unknown as SQSClient;
  return { client, calls };
}

const run = createReadRunner({ concurrency: 4, sleep: async () => {} });
const numbered = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe('listQueues', () => {
  it('follows NextToken in pages of 1,000 and knows the list is complete', async () => {
    const sqs = fakeSqs(numbered('q-', 2500));
    const listing = await listQueues(sqs.client, run, '');
    expect(listing.urls.size).toBe(2500);
    expect(listing.complete).toBe(true);
    expect(sqs.calls).toEqual([
      { MaxResults: 1000 },
      { MaxResults: 1000, NextToken: '1000' },
      { MaxResults: 1000, NextToken: '2000' },
    ]);
  });

  it('a full page without NextToken (moto) is not taken for the whole list', async () => {
    const listing = await listQueues(fakeSqs(numbered('q-', 1200), { cap: 1000 }).client, run, '');
    expect(listing.complete).toBe(false);
  });
});

describe('lookUpQueueNames', () => {
  it('FIFO names are matched exactly: orders-dlq exists, orders-dlq.fifo does not', async () => {
    const sqs = fakeSqs(['orders', 'orders-dlq', 'ledger.fifo', 'ledger-dlq.fifo']);
    const lookup = await lookUpQueueNames(sqs.client, run, [
      'orders-dlq.fifo',
      'ledger-dlq.fifo',
      'orders-dlq',
    ]);
    expect([...lookup.urls.keys()].sort()).toEqual(['ledger-dlq.fifo', 'orders-dlq']);
    expect([...lookup.absent]).toEqual(['orders-dlq.fifo']);
    // orders-dlq covers orders-dlq.fifo: two listings for three names.
    expect(sqs.calls.map((c) => c.QueueNamePrefix)).toEqual(['ledger-dlq.fifo', 'orders-dlq']);
  });

  it('750 names under one prefix in an account of 1,250 queues: one listing, no call per name', async () => {
    const queues = numbered('audit-q-', 1000);
    const existing = [...queues, ...queues.slice(0, 250).map((q) => `${q}-dlq`)];
    const wanted = queues.slice(250).map((q) => `${q}-dlq`);
    const sqs = fakeSqs(existing);
    const lookup = await lookUpQueueNames(sqs.client, run, [...wanted, 'audit-q-0000-dlq']);
    expect(lookup.absent.size).toBe(750);
    expect([...lookup.urls.keys()]).toEqual(['audit-q-0000-dlq']);
    expect(sqs.calls).toEqual([
      { MaxResults: 1000, QueueNamePrefix: 'audit-q-0' },
      { MaxResults: 1000, QueueNamePrefix: 'audit-q-0', NextToken: '1000' },
    ]);
  });

  it('a listing cut short (moto) is narrowed by the next character of the names it did not show', async () => {
    const queues = numbered('audit-q-', 1250);
    const sqs = fakeSqs([...queues, 'audit-q-0101-dlq'], { cap: 1000 });
    const wanted = ['0001', '0101', '0201', '0301', '0401', '1101'].map((n) => `audit-q-${n}-dlq`);
    const lookup = await lookUpQueueNames(sqs.client, run, wanted);
    expect([...lookup.urls.keys()]).toEqual(['audit-q-0101-dlq']);
    expect([...lookup.absent].sort()).toEqual(wanted.filter((n) => n !== 'audit-q-0101-dlq'));
    expect(lookup.unresolved).toEqual([]);
    // audit-q-0 holds 1,001 queues: moto's 1,000 without a token say nothing of the rest.
    expect(sqs.calls.map((c) => c.QueueNamePrefix).sort()).toEqual([
      'audit-q-0',
      'audit-q-0001-dlq',
      'audit-q-0101-dlq',
      'audit-q-0201-dlq',
      'audit-q-0301-dlq',
      'audit-q-0401-dlq',
      'audit-q-1101-dlq',
    ]);
  });

  it('answers from a complete account listing without another call', async () => {
    const sqs = fakeSqs(['a', 'a-dlq']);
    const account = await listQueues(sqs.client, run, '');
    const lookup = await lookUpQueueNames(sqs.client, run, ['a-dlq', 'b-dlq'], account);
    expect([...lookup.urls.keys()]).toEqual(['a-dlq']);
    expect([...lookup.absent]).toEqual(['b-dlq']);
    expect(sqs.calls).toHaveLength(1);
  });
});
