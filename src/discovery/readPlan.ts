import type { PolicySet } from '../policy/model.js';
import { MANAGED_BY_VALUE, RESOURCE_TYPES, type ResourceType, TAGS } from '../policy/schema.js';
import type { TagQuery } from './tagging.js';

/** The Resource Groups Tagging API's type filter for each resource type edaguard selects. */
export const TAGGING_TYPE_FILTER: Record<ResourceType, string> = {
  'sqs:queue': 'sqs',
  'lambda:function': 'lambda:function',
  'dynamodb:table': 'dynamodb:table',
};

/** What one cycle must read, derived from the policies alone (pure). */
export interface ReadPlan {
  /** Tag queries whose union holds every resource some policy may select. */
  readonly selectorQueries: readonly TagQuery[];
  /** Resources that must never be touched, whatever selects them. */
  readonly ignoredQuery: TagQuery;
  /** Queues edaguard created (DLQs and failure destinations it may adopt, and whose they are). */
  readonly managedQuery: TagQuery;
  /** Event source mappings (ListEventSourceMappings pages). */
  readonly needsMappings: boolean;
  /** Function configurations (ListFunctions pages). */
  readonly needsFunctions: boolean;
  /** SNS, EventBridge and S3 callers of functions. */
  readonly needsAsyncInvokers: boolean;
  /** edaguard's CloudWatch alarms (DescribeAlarms by prefix). */
  readonly needsAlarms: boolean;
  readonly dlqSuffixes: readonly string[];
}

export function planReads(policySet: PolicySet): ReadPlan {
  const queries = new Map<string, TagQuery>();
  for (const type of RESOURCE_TYPES) {
    const perType = new Map<string, TagQuery>();
    for (const policy of policySet.policies) {
      if (!policy.resourceTypes.includes(type)) continue;
      const tags = Object.fromEntries(
        Object.entries(policy.matchTags).sort(([a], [b]) => a.localeCompare(b)),
      );
      perType.set(JSON.stringify(tags), { resourceTypes: [TAGGING_TYPE_FILTER[type]], tags });
    }
    // A query without tags returns every resource of the type: the narrower ones add nothing.
    const all = perType.get('{}');
    for (const [key, query] of all ? [['{}', all] as const] : perType) queries.set(`${type} ${key}`, query);
  }
  const suffixes = new Set<string>();
  const has = (rule: keyof PolicySet['policies'][number]['rules']) =>
    policySet.policies.some((p) => p.rules[rule] !== undefined);
  for (const policy of policySet.policies) {
    const create = policy.rules['sqs-dead-letter-queue']?.create;
    if (create) suffixes.add(create.nameSuffix);
  }
  const needsMappings =
    has('sqs-visibility-timeout') ||
    has('esm-stream-failure-handling') ||
    has('esm-partial-batch-response') ||
    has('stream-iterator-age-alarm');
  return {
    selectorQueries: [...queries.values()],
    ignoredQuery: { resourceTypes: Object.values(TAGGING_TYPE_FILTER), tags: { [TAGS.ignore]: 'true' } },
    managedQuery: { resourceTypes: ['sqs'], tags: { [TAGS.managedBy]: MANAGED_BY_VALUE } },
    needsMappings,
    needsFunctions: needsMappings || has('lambda-async-invoke-config'),
    needsAsyncInvokers: policySet.policies.some(
      (p) => p.rules['lambda-async-invoke-config']?.appliesTo === 'async-invoked',
    ),
    needsAlarms: has('sqs-dlq-alarm') || has('stream-iterator-age-alarm'),
    dlqSuffixes: [...suffixes].sort(),
  };
}
