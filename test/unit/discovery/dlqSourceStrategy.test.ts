/** The per-cycle choice of how to learn which queues lacking a DLQ are DLQs themselves (pure). */
import { describe, expect, it } from 'vitest';
import {
  chooseDlqSourceStrategy,
  listingPagesAtLeast,
  shouldListAccount,
} from '../../../src/discovery/dlqSourceStrategy.js';

describe('chooseDlqSourceStrategy', () => {
  it.each([
    // candidates, unread queues, strategy, estimated ListDeadLetterSourceQueues, estimated unread reads
    { candidates: 750, unread: 0, strategy: 'read-unread-attributes', list: 750, read: 0 },
    { candidates: 6, unread: 3, strategy: 'read-unread-attributes', list: 6, read: 3 },
    { candidates: 1, unread: 10, strategy: 'list-dead-letter-source-queues', list: 1, read: 10 },
    { candidates: 4, unread: 4, strategy: 'list-dead-letter-source-queues', list: 4, read: 4 },
    { candidates: 2, unread: 0, strategy: 'read-unread-attributes', list: 2, read: 0 },
  ] as const)(
    '$candidates candidates, $unread unread queues: $strategy',
    ({ candidates, unread, strategy, list, read }) => {
      const choice = chooseDlqSourceStrategy({ candidates, unreadQueues: unread });
      expect(choice.strategy).toBe(strategy);
      expect(choice.estimatedCalls).toEqual({
        'list-dead-letter-source-queues': list,
        'read-unread-attributes': read,
      });
      expect(choice.unreadQueues).toBe(unread);
      expect(choice.reason).toContain(`${candidates} ListDeadLetterSourceQueues`);
      expect(choice.reason).toContain(`${unread} unread queues`);
    },
  );

  it('without the account list only ListDeadLetterSourceQueues can answer, and the reason says why', () => {
    const choice = chooseDlqSourceStrategy({
      candidates: 3,
      unreadQueues: undefined,
      unlistedBecause: 'ListQueues cut its answer short',
    });
    expect(choice).toEqual({
      strategy: 'list-dead-letter-source-queues',
      candidates: 3,
      estimatedCalls: { 'list-dead-letter-source-queues': 3 },
      reason:
        "the account's queue list is unknown (ListQueues cut its answer short): 3 ListDeadLetterSourceQueues",
    });
  });
});

describe('a forced strategy (DiscoverOptions.dlqSourceStrategy: benches and tests)', () => {
  it.each([
    { forced: 'list-dead-letter-source-queues', candidates: 500, unread: 250 },
    { forced: 'read-unread-attributes', candidates: 2, unread: 250 },
  ] as const)(
    '$forced is taken even when dearer, and the reason says it was forced',
    ({ forced, candidates, unread }) => {
      const choice = chooseDlqSourceStrategy({ candidates, unreadQueues: unread, forced });
      expect(choice.strategy).toBe(forced);
      expect(choice.estimatedCalls).toEqual({
        'list-dead-letter-source-queues': candidates,
        'read-unread-attributes': unread,
      });
      expect(choice.reason).toContain(`forced (${forced})`);
    },
  );

  it('read-unread-attributes cannot be forced without the account list: ListDeadLetterSourceQueues answers', () => {
    const choice = chooseDlqSourceStrategy({
      candidates: 3,
      unreadQueues: undefined,
      unlistedBecause: 'ListQueues cut its answer short',
      forced: 'read-unread-attributes',
    });
    expect(choice.strategy).toBe('list-dead-letter-source-queues');
    expect(choice.reason).toContain('(forced: read-unread-attributes)');
  });

  it.each([
    { forced: 'read-unread-attributes', candidates: 1, list: true },
    { forced: 'read-unread-attributes', candidates: 0, list: false },
    { forced: 'list-dead-letter-source-queues', candidates: 500, list: false },
  ] as const)(
    'shouldListAccount with $forced forced, $candidates candidates → $list',
    ({ forced, candidates, list }) => {
      expect(shouldListAccount({ candidates, knownQueues: 1000, namesNeedWholeAccount: false, forced })).toBe(
        list,
      );
    },
  );
});

describe('shouldListAccount', () => {
  it.each([
    { candidates: 0, knownQueues: 10, namesNeedWholeAccount: false, list: false },
    { candidates: 1, knownQueues: 10, namesNeedWholeAccount: false, list: false },
    { candidates: 2, knownQueues: 10, namesNeedWholeAccount: false, list: true },
    { candidates: 0, knownQueues: 10, namesNeedWholeAccount: true, list: true },
    // 2,500 queues read already: the listing takes at least 3 pages, more than 3 candidates cost.
    { candidates: 3, knownQueues: 2500, namesNeedWholeAccount: false, list: false },
    { candidates: 4, knownQueues: 2500, namesNeedWholeAccount: false, list: true },
  ])(
    '$candidates candidates, $knownQueues queues read, whole account for names: $namesNeedWholeAccount → $list',
    (row) => {
      expect(shouldListAccount(row)).toBe(row.list);
    },
  );

  it('a listing takes at least one page, one more per 1,000 queues known', () => {
    expect([0, 1, 1000, 1001, 2500].map(listingPagesAtLeast)).toEqual([1, 1, 1, 2, 3]);
  });
});
