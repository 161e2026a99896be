import type { PolicySet } from '../policy/model.js';
import { MANAGED_BY_VALUE, TAGS } from '../policy/schema.js';
import type { TagQuery } from './tagging.js';

/** What one cycle must read, derived from the policies alone (pure). */
export interface ReadPlan {
  /** Tag queries whose union holds every resource some policy may select. */
  readonly selectorQueries: readonly TagQuery[];
  /** Resources that must never be touched, whatever selects them. */
  readonly ignoredQuery: TagQuery;
  /** Resources edaguard created (DLQs it may adopt, and which queue each serves). */
  readonly managedQuery: TagQuery;
  readonly needsConsumers: boolean;
  readonly dlqSuffixes: readonly string[];
}

export function planReads(policySet: PolicySet): ReadPlan {
  const queries = new Map<string, TagQuery>();
  for (const policy of policySet.policies) {
    if (!policy.resourceTypes.includes('sqs:queue')) continue;
    const tags = Object.fromEntries(Object.entries(policy.matchTags).sort(([a], [b]) => a.localeCompare(b)));
    queries.set(JSON.stringify(tags), { resourceType: 'sqs', tags });
  }
  // A query without tags returns every queue: the narrower ones add nothing.
  const selectorQueries = queries.has('{}') ? [queries.get('{}') as TagQuery] : [...queries.values()];
  const suffixes = new Set<string>();
  for (const policy of policySet.policies) {
    const create = policy.rules['sqs-dead-letter-queue']?.create;
    if (create) suffixes.add(create.nameSuffix);
  }
  return {
    selectorQueries,
    ignoredQuery: { resourceType: 'sqs', tags: { [TAGS.ignore]: 'true' } },
    managedQuery: { resourceType: 'sqs', tags: { [TAGS.managedBy]: MANAGED_BY_VALUE } },
    needsConsumers: policySet.policies.some((p) => p.rules['sqs-visibility-timeout'] !== undefined),
    dlqSuffixes: [...suffixes].sort(),
  };
}
