/**
 * Which queues exist, from ListQueues pages (1,000 URLs each) instead of one GetQueueUrl per name:
 * the whole account, or the names edaguard may create under a few QueueNamePrefix listings.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { chooseQueueNamePrefixes, commonPrefix, LIST_QUEUES_PAGE_SIZE } from './queueNamePrefixes.js';
import type { ReadRunner } from './readRequeue.js';
import { listQueuesPage } from './sqs.js';

export const queueNameOfUrl = (url: string) => url.slice(url.lastIndexOf('/') + 1);

export interface QueueListing {
  /** Queue name → URL, for every queue listed. */
  readonly urls: ReadonlyMap<string, string>;
  /**
   * false when a full page came without a NextToken: the answer may have been cut short (moto
   * returns at most 1,000 queues and never pages), so a name not listed may still exist.
   */
  readonly complete: boolean;
}

/** Every queue whose name starts with `prefix` ('' for the whole account), page by page. */
export async function listQueues(sqs: SQSClient, run: ReadRunner, prefix: string): Promise<QueueListing> {
  const urls = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await run(() => listQueuesPage(sqs, prefix, LIST_QUEUES_PAGE_SIZE, token));
    for (const url of page.urls) urls.set(queueNameOfUrl(url), url);
    if (!page.nextToken && page.urls.length >= LIST_QUEUES_PAGE_SIZE) return { urls, complete: false };
    token = page.nextToken;
  } while (token);
  return { urls, complete: true };
}

/** What the listings say about each name looked up. */
export interface NameLookup {
  /** Names that exist → their URL. */
  readonly urls: Map<string, string>;
  readonly absent: Set<string>;
  /** Names a listing could not settle (cut short under the name itself): asked one by one. */
  readonly unresolved: string[];
  /** Names whose listing failed, with its error. */
  readonly failed: Map<string, unknown>;
}

/**
 * Looks the names up in `account` when that listing is complete, else under the prefixes
 * chooseQueueNamePrefixes picks. A listing cut short is narrowed to the next character of the
 * names it did not show, until every name is settled or is itself the prefix.
 */
export async function lookUpQueueNames(
  sqs: SQSClient,
  run: ReadRunner,
  names: readonly string[],
  account?: QueueListing,
): Promise<NameLookup> {
  const out: NameLookup = { urls: new Map(), absent: new Set(), unresolved: [], failed: new Map() };
  const settle = (listing: QueueListing, wanted: readonly string[]) => {
    const rest: string[] = [];
    for (const name of wanted) {
      const url = listing.urls.get(name);
      if (url) out.urls.set(name, url);
      else if (listing.complete) out.absent.add(name);
      else rest.push(name);
    }
    return rest;
  };
  const under = async (prefix: string, wanted: readonly string[]): Promise<void> => {
    let listing: QueueListing;
    try {
      listing = await listQueues(sqs, run, prefix);
    } catch (error) {
      for (const name of wanted) out.failed.set(name, error);
      return;
    }
    const groups = new Map<string, string[]>();
    for (const name of settle(listing, wanted)) {
      if (name.length === prefix.length) {
        out.unresolved.push(name);
        continue;
      }
      const head = name.slice(0, prefix.length + 1);
      const group = groups.get(head);
      if (group) group.push(name);
      else groups.set(head, [name]);
    }
    await Promise.all([...groups.values()].map((group) => under(commonPrefix(group), group)));
  };
  if (account?.complete) {
    settle(account, names);
    return out;
  }
  const prefixes = chooseQueueNamePrefixes(names);
  await Promise.all(
    prefixes.map((prefix) =>
      under(
        prefix,
        names.filter((n) => prefixes.find((p) => n.startsWith(p)) === prefix),
      ),
    ),
  );
  return out;
}
