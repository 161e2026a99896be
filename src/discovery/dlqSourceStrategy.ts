/**
 * How discovery learns whether the selected queues that may need a DLQ are some queue's DLQ
 * themselves, when nothing already known says so (pure). Two ways give the same answer:
 * one ListDeadLetterSourceQueues per candidate, or the RedrivePolicy of every queue of the account
 * not read yet (the account's queue list shows which; every redrive edge is then known at once).
 * Each cycle takes the one estimated to cost fewer calls.
 */
import { LIST_QUEUES_PAGE_SIZE } from './queueNamePrefixes.js';

export type DlqSourceStrategy = 'list-dead-letter-source-queues' | 'read-unread-attributes';

/** What the report and the log say about the choice. */
export interface DlqSourceChoice {
  readonly strategy: DlqSourceStrategy;
  /** Selected queues lacking a DLQ that nothing already read shows to be a DLQ. */
  readonly candidates: number;
  /** Queues of the account not read this cycle; undefined when the account was not listed. */
  readonly unreadQueues?: number;
  /** Calls each strategy is estimated to make (beyond the account listing, when it is shared). */
  readonly estimatedCalls: {
    readonly 'list-dead-letter-source-queues': number;
    readonly 'read-unread-attributes'?: number;
  };
  readonly reason: string;
}

/** The fewest ListQueues pages an account holding at least this many queues takes to list. */
export const listingPagesAtLeast = (knownQueues: number) =>
  Math.max(1, Math.ceil(knownQueues / LIST_QUEUES_PAGE_SIZE));

/**
 * Whether to list the whole account: the name lookups need it anyway (no prefix narrows them), or
 * there are more candidates than the fewest pages the listing can take (else it cannot pay off).
 */
export function shouldListAccount(input: {
  readonly candidates: number;
  readonly knownQueues: number;
  readonly namesNeedWholeAccount: boolean;
  readonly forced?: DlqSourceStrategy;
}): boolean {
  if (input.namesNeedWholeAccount) return true;
  if (input.forced === 'read-unread-attributes') return input.candidates > 0;
  if (input.forced === 'list-dead-letter-source-queues') return false;
  return input.candidates > listingPagesAtLeast(input.knownQueues);
}

/**
 * The strategy for this cycle. `unreadQueues` is undefined when the account's queue list is not
 * known (not listed, its listing failed or was cut short): only ListDeadLetterSourceQueues can
 * answer then. Otherwise the pages are already spent and the cheaper of the two is taken; on a tie
 * ListDeadLetterSourceQueues, which reads nothing the rules do not need.
 */
export function chooseDlqSourceStrategy(input: {
  readonly candidates: number;
  readonly unreadQueues: number | undefined;
  /** Why the list is unknown, for the reason (e.g. "not listed: 3 candidates ≤ 1 page"). */
  readonly unlistedBecause?: string;
  /** A strategy forced by DiscoverOptions.dlqSourceStrategy (benches and tests), else the cheaper. */
  readonly forced?: DlqSourceStrategy;
}): DlqSourceChoice {
  const { candidates, unreadQueues, forced } = input;
  const listCalls = candidates;
  const forcedNote = forced ? ` (forced: ${forced})` : '';
  if (unreadQueues === undefined) {
    return {
      strategy: 'list-dead-letter-source-queues',
      candidates,
      estimatedCalls: { 'list-dead-letter-source-queues': listCalls },
      reason: `the account's queue list is unknown (${input.unlistedBecause ?? 'not listed'}): ${candidates} ListDeadLetterSourceQueues${forcedNote}`,
    };
  }
  const estimatedCalls = {
    'list-dead-letter-source-queues': listCalls,
    'read-unread-attributes': unreadQueues,
  };
  if (forced)
    return {
      strategy: forced,
      candidates,
      unreadQueues,
      estimatedCalls,
      reason: `forced (${forced}); estimated ${listCalls} ListDeadLetterSourceQueues against ${unreadQueues} reads of unread queues`,
    };
  const readUnread = unreadQueues < listCalls;
  return {
    strategy: readUnread ? 'read-unread-attributes' : 'list-dead-letter-source-queues',
    candidates,
    unreadQueues,
    estimatedCalls,
    reason: readUnread
      ? `reading the ${unreadQueues} unread queues' RedrivePolicy costs fewer calls than ${candidates} ListDeadLetterSourceQueues`
      : `${candidates} ListDeadLetterSourceQueues cost no more calls than reading the ${unreadQueues} unread queues' RedrivePolicy`,
  };
}
