/**
 * The stage after the sources are read: which selected queues lacking a DLQ are DLQs themselves,
 * then what exists under the names edaguard may create. Both come from as few SQS calls as the
 * account allows: what is already known first, then the cheaper of the two DLQ-source strategies,
 * and ListQueues pages instead of one GetQueueUrl per name.
 */
import { sqsQueueArn } from '../aws/arn.js';
import type { Discovery } from './discoveryContext.js';
import {
  chooseDlqSourceStrategy,
  type DlqSourceChoice,
  type DlqSourceStrategy,
  listingPagesAtLeast,
  shouldListAccount,
} from './dlqSourceStrategy.js';
import type { QueueFacts, QueueNameCandidate, Target } from './inventory.js';
import { listQueues, lookUpQueueNames, type QueueListing } from './queueListing.js';
import { chooseQueueNamePrefixes } from './queueNamePrefixes.js';
import {
  type QueueBook,
  type QueueReadContext,
  readDeadLetterSources,
  readQueueNameCandidates,
} from './queueReads.js';
import { readRedriveOnly } from './sqs.js';

export interface DlqSourceStageResult {
  readonly queueNameCandidates: Map<string, QueueNameCandidate>;
  /** The strategy taken for the candidates; undefined when there were none. */
  readonly dlqSources?: DlqSourceChoice;
}

/** Every redrive policy read this cycle (selected queues, their DLQs, other DLQs) is a known edge. */
function addKnownRedriveEdges(book: QueueBook): void {
  for (const queue of book.queues.values())
    if (queue.redrivePolicy) book.addSource(queue.redrivePolicy.deadLetterTargetArn, queue.arn);
}

/**
 * @param needingDlq selected queues that may need a DLQ (queuesToCheckForDeadLetterSources)
 * @param namesToLookUp the names edaguard may create, from what the book knows when called
 */
export async function readDlqSourcesAndQueueNames(
  d: Discovery,
  needingDlq: readonly QueueFacts[],
  namesToLookUp: () => string[],
): Promise<DlqSourceStageResult> {
  const ctx = d.queueReads;
  const { managedTags, target } = d.selection;
  addKnownRedriveEdges(ctx.book);
  const candidates = needingDlq.filter((q) => !ctx.book.deadLetterSources.has(q.arn));
  const unmanaged = () => namesToLookUp().filter((n) => !managedTags.has(sqsQueueArn(target, n)));
  const forced = d.dlqSourceStrategy;
  const listing = await listAccountIfWorth(d, candidates.length, unmanaged(), forced);
  let dlqSources: DlqSourceChoice | undefined;
  if (candidates.length > 0) {
    const unread = listing.account?.complete ? unreadQueues(listing.account, ctx.book, target) : undefined;
    dlqSources = chooseDlqSourceStrategy({
      candidates: candidates.length,
      unreadQueues: unread?.length,
      ...(listing.why ? { unlistedBecause: listing.why } : {}),
      ...(forced ? { forced } : {}),
    });
    dlqSources = await applyStrategy(d, dlqSources, candidates, unread ?? []);
    d.logger?.info({ dlqSources }, `dead-letter sources: ${dlqSources.strategy} (${dlqSources.reason})`);
  }
  const names = unmanaged();
  const lookup = await lookUpQueueNames(ctx.sqs, ctx.run, names, listing.account);
  const all = [...new Set(namesToLookUp())];
  const queueNameCandidates = await readQueueNameCandidates(ctx, all, lookup, target, managedTags);
  return { queueNameCandidates, ...(dlqSources ? { dlqSources } : {}) };
}

/** The whole account's queue list when the names need it or it may pay for itself; else why not. */
async function listAccountIfWorth(
  d: Discovery,
  candidates: number,
  names: readonly string[],
  forced: DlqSourceStrategy | undefined,
): Promise<{ account?: QueueListing; why?: string }> {
  const ctx = d.queueReads;
  const namesNeedWholeAccount = chooseQueueNamePrefixes(names).includes('');
  const knownQueues = ctx.book.queues.size;
  if (candidates === 0 && !namesNeedWholeAccount) return {};
  if (!shouldListAccount({ candidates, knownQueues, namesNeedWholeAccount, ...(forced ? { forced } : {}) }))
    return {
      why:
        forced === 'list-dead-letter-source-queues'
          ? 'not listed: ListDeadLetterSourceQueues forced'
          : `${candidates} candidate(s), listing takes at least ${listingPagesAtLeast(knownQueues)} page(s)`,
    };
  try {
    const account = await listQueues(ctx.sqs, ctx.run, '');
    return account.complete ? { account } : { account, why: 'ListQueues cut its answer short' };
  } catch (error) {
    d.logger?.warn({ err: (error as Error).message }, 'ListQueues of the account failed');
    return { why: `ListQueues failed: ${(error as { name?: string }).name ?? 'error'}` };
  }
}

/** Listed queues this cycle has not read (nor found missing), as [ARN, URL]. */
function unreadQueues(account: QueueListing, book: QueueBook, target: Target): Array<[string, string]> {
  const unread: Array<[string, string]> = [];
  for (const [name, url] of account.urls) {
    const arn = sqsQueueArn(target, name);
    if (!book.queues.has(arn) && !book.missingQueues.has(arn)) unread.push([arn, url]);
  }
  return unread;
}

/**
 * Runs the chosen strategy. Reading the unread queues must see every one of them to prove that
 * a candidate is no DLQ: when one of those reads fails, the candidates not yet shown to be DLQs
 * are asked with ListDeadLetterSourceQueues after all (the choice's reason says so).
 */
async function applyStrategy(
  d: Discovery,
  choice: DlqSourceChoice,
  candidates: readonly QueueFacts[],
  unread: ReadonlyArray<[string, string]>,
): Promise<DlqSourceChoice> {
  const ctx: QueueReadContext = d.queueReads;
  const { target } = d.selection;
  if (choice.strategy === 'list-dead-letter-source-queues') {
    await readDeadLetterSources(ctx, candidates, target);
    return choice;
  }
  let failed = 0;
  await Promise.all(
    unread.map(async ([arn, url]) => {
      try {
        const redrive = await ctx.run(() => readRedriveOnly(ctx.sqs, arn, url));
        if (redrive) ctx.book.addSource(redrive.deadLetterTargetArn, arn);
      } catch {
        failed += 1;
      }
    }),
  );
  if (failed === 0) return choice;
  const left = candidates.filter((q) => !ctx.book.deadLetterSources.has(q.arn));
  d.logger?.warn(
    { failed, candidates: left.length },
    'unread queues could not be read: asking ListDeadLetterSourceQueues',
  );
  await readDeadLetterSources(ctx, left, target);
  return {
    ...choice,
    reason: `${choice.reason}; ${failed} of those reads failed, so ${left.length} ListDeadLetterSourceQueues followed`,
  };
}
