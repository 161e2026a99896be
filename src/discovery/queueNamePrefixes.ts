/**
 * Which QueueNamePrefix listings answer "does a queue of this name exist?" for a set of names
 * (pure). ListQueues returns up to 1,000 URLs a page whatever the prefix, so a few narrow prefixes
 * cost a few calls where one GetQueueUrl per name would cost one each.
 */

/** ListQueues' largest page (MaxResults). */
export const LIST_QUEUES_PAGE_SIZE = 1000;

/** More prefixes than this and one listing under their common prefix is cheaper to ask. */
export const MAX_NAME_PREFIXES = 5;

/** The longest prefix all the names share ('' for none or for no names). */
export function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0] as string;
  for (const name of names) {
    let i = 0;
    while (i < prefix.length && i < name.length && prefix[i] === name[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/**
 * The prefixes to list, at most `maxPrefixes`: the names themselves when they are that few (a name
 * that begins another name covers it), else the longest heads that keep the groups within the
 * limit, each narrowed to its names' common prefix. [''] means the whole account; [] no listing.
 */
export function chooseQueueNamePrefixes(names: readonly string[], maxPrefixes = MAX_NAME_PREFIXES): string[] {
  const covering: string[] = [];
  for (const name of [...new Set(names)].sort())
    if (!covering.some((p) => name.startsWith(p))) covering.push(name);
  if (covering.length <= maxPrefixes) return covering;
  let groups = new Map<string, string[]>([['', covering]]);
  const longest = Math.max(...covering.map((n) => n.length));
  for (let length = 1; length <= longest; length++) {
    const next = new Map<string, string[]>();
    for (const name of covering) {
      const head = name.slice(0, length);
      const group = next.get(head);
      if (group) group.push(name);
      else next.set(head, [name]);
    }
    if (next.size > maxPrefixes) break;
    groups = next;
  }
  return [...groups.values()].map(commonPrefix);
}
