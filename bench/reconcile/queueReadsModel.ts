/**
 * The SQS reads discovery makes to learn which queues lacking a DLQ are DLQs and whether the
 * names edaguard would create are free: ListQueues, ListDeadLetterSourceQueues, and the
 * GetQueueAttributes of unread queues. Worked out with edaguard's own pure choices over the
 * seeded account's queue names, on moto's ListQueues (one answer of at most 1,000 URLs, never a
 * NextToken) and on AWS's (pages of 1,000).
 */
import { chooseDlqSourceStrategy, shouldListAccount } from '../../src/discovery/dlqSourceStrategy.js';
import {
  chooseQueueNamePrefixes,
  commonPrefix,
  LIST_QUEUES_PAGE_SIZE,
} from '../../src/discovery/queueNamePrefixes.js';

export interface QueueReadsModel {
  listQueues: number;
  listDeadLetterSources: number;
  /** GetQueueAttributes(RedrivePolicy) of the queues not read otherwise. */
  unreadReads: number;
  strategy: string;
}

export function modelQueueReads(input: {
  /** Every queue of the account when discovery lists it. */
  queues: readonly string[];
  /** Queues discovery read before this stage (selected + the DLQs they name). */
  readQueues: number;
  /** Selected queues lacking a DLQ that nothing read shows to be a DLQ. */
  candidates: number;
  /** The names edaguard would create (none of them exists yet). */
  names: readonly string[];
  onMoto: boolean;
}): QueueReadsModel {
  const { queues, onMoto } = input;
  let listQueues = 0;
  const list = (prefix: string) => {
    const matching = queues.filter((q) => q.startsWith(prefix)).length;
    listQueues += onMoto ? 1 : Math.max(1, Math.ceil(matching / LIST_QUEUES_PAGE_SIZE));
    return onMoto ? matching < LIST_QUEUES_PAGE_SIZE : true;
  };
  const namesNeedWholeAccount = chooseQueueNamePrefixes(input.names).includes('');
  const listed =
    (input.candidates > 0 || namesNeedWholeAccount) &&
    shouldListAccount({ candidates: input.candidates, knownQueues: input.readQueues, namesNeedWholeAccount });
  const complete = listed && list('');
  const choice =
    input.candidates > 0
      ? chooseDlqSourceStrategy({
          candidates: input.candidates,
          unreadQueues: complete ? queues.length - input.readQueues : undefined,
        })
      : undefined;
  if (!complete) lookUp(input.names, list);
  const readUnread = choice?.strategy === 'read-unread-attributes';
  return {
    listQueues,
    listDeadLetterSources: choice && !readUnread ? input.candidates : 0,
    unreadReads: readUnread ? queues.length - input.readQueues : 0,
    strategy: choice?.strategy ?? 'none needed',
  };
}

/** lookUpQueueNames' listings: each prefix, narrowed by the next character where cut short. */
function lookUp(names: readonly string[], list: (prefix: string) => boolean): void {
  const under = (prefix: string, wanted: readonly string[]) => {
    if (list(prefix)) return;
    const groups = new Map<string, string[]>();
    for (const name of wanted) {
      if (name.length === prefix.length) continue;
      const head = name.slice(0, prefix.length + 1);
      groups.set(head, [...(groups.get(head) ?? []), name]);
    }
    for (const group of groups.values()) under(commonPrefix(group), group);
  };
  const prefixes = chooseQueueNamePrefixes(names);
  for (const prefix of prefixes)
    under(
      prefix,
      names.filter((n) => prefixes.find((p) => n.startsWith(p)) === prefix),
    );
}
