import { dlqNameFor, failureQueueNameFor, isValidQueueName } from '../policy/dlqName.js';
import type { Policy, PolicySet } from '../policy/model.js';
import { DLQ_RULE_IDS, type RuleId } from '../policy/ruleSettings.js';
import { MANAGED_BY_VALUE, RESOURCE_TYPES, type ResourceType, TAGS } from '../policy/schema.js';
import type { FunctionFacts, MappingFacts, QueueFacts, Target, TopicFacts } from './inventory.js';
import { selectingPoliciesOf } from './selection.js';
import type { TagQuery } from './tagging.js';

/**
 * Types listed by their service's own list call and tag read (ListStreams + ListTagsForStream,
 * ListRules + ListTagsForResource, ListPipes + DescribePipe): not every environment's tagging
 * API lists them (moto's does not).
 */
export const LISTED_BY_OWN_SERVICE = ['kinesis:stream', 'events:rule', 'pipes:pipe'] as const;
type ListedByOwnService = (typeof LISTED_BY_OWN_SERVICE)[number];
const listedByOwnService = (type: ResourceType): type is ListedByOwnService =>
  (LISTED_BY_OWN_SERVICE as readonly string[]).includes(type);

/** The Resource Groups Tagging API's type filter for each resource type edaguard selects by it. */
export const TAGGING_TYPE_FILTER: Record<Exclude<ResourceType, ListedByOwnService>, string> = {
  'sqs:queue': 'sqs',
  'lambda:function': 'lambda:function',
  'dynamodb:table': 'dynamodb:table',
  // moto's GetResources lists tagged SNS topics under `sns`, not `sns:topic` (like `sqs`).
  'sns:topic': 'sns',
};

/** The account-wide stage: what one cycle must read, derived from the policies alone (pure). */
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
  /** Kinesis streams and their tags (ListStreams, ListTagsForStream): a policy selects them. */
  readonly needsStreams: boolean;
  /** Only the list of streams and their tags (selection), also when just their alarms are needed. */
  readonly needsStreamList: boolean;
  /** SNS topics' attributes and subscriptions (sns-subscription-dlq). */
  readonly needsTopics: boolean;
  /** EventBridge rules, their tags and targets (ListRules, ListTagsForResource, ListTargetsByRule). */
  readonly needsEventRules: boolean;
  /** Pipes, their tags and source parameters (ListPipes, DescribePipe): pipe-source-failure-handling. */
  readonly needsPipes: boolean;
  /** The key policies of the DLQs SNS and EventBridge deliver to (dlq-delivery-permission). */
  readonly needsKmsKeys: boolean;
  /** edaguard's CloudWatch alarms (DescribeAlarms by prefix). */
  readonly needsAlarms: boolean;
  readonly dlqSuffixes: readonly string[];
}

export function planReads(policySet: PolicySet): ReadPlan {
  const queries = new Map<string, TagQuery>();
  for (const type of RESOURCE_TYPES) {
    if (listedByOwnService(type)) continue;
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
  /** Some policy selects `type` and has one of `rules`: that type's own reads are needed. */
  const selectsWith = (type: ResourceType, rules: readonly RuleId[]) =>
    policySet.policies.some(
      (p) => p.resourceTypes.includes(type) && rules.some((r) => p.rules[r] !== undefined),
    );
  const alarmsOn = (type: ResourceType) => selectsWith(type, ['failure-metric-alarms']);
  const needsStreams = selectsWith('kinesis:stream', ['stream-retention']);
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
    needsFunctions: needsMappings || has('lambda-async-invoke-config') || alarmsOn('lambda:function'),
    needsAsyncInvokers:
      policySet.policies.some((p) => p.rules['lambda-async-invoke-config']?.appliesTo === 'async-invoked') ||
      alarmsOn('lambda:function'),
    needsStreams,
    needsStreamList: needsStreams || alarmsOn('kinesis:stream'),
    needsTopics: selectsWith('sns:topic', [
      'sns-subscription-dlq',
      'dlq-delivery-permission',
      ...DLQ_RULE_IDS,
    ]),
    needsEventRules: selectsWith('events:rule', [
      'eventbridge-target-dlq',
      'dlq-delivery-permission',
      'failure-metric-alarms',
      ...DLQ_RULE_IDS,
    ]),
    needsPipes: selectsWith('pipes:pipe', ['pipe-source-failure-handling', ...DLQ_RULE_IDS]),
    needsKmsKeys: has('dlq-delivery-permission'),
    needsAlarms: has('sqs-dlq-alarm') || has('stream-iterator-age-alarm') || has('failure-metric-alarms'),
    dlqSuffixes: [...suffixes].sort(),
  };
}

/*
 * Per-resource stages, each derived from what the earlier reads answered (pure). Discovery reads
 * in this order: tag queries and account-wide lists → selected queues and tables → the DLQs their
 * redrive policies name → stream retention and event-invoke configs → dead-letter sources of
 * queues that may need a DLQ → what exists under the names edaguard may create.
 */

/** The DLQs that queues read so far redrive to and that have not been read yet. */
export function dlqArnsToRead(queues: ReadonlyMap<string, QueueFacts>): string[] {
  const arns = new Set<string>();
  for (const queue of queues.values()) {
    const dlq = queue.redrivePolicy?.deadLetterTargetArn;
    if (dlq && !queues.has(dlq)) arns.add(dlq);
  }
  return [...arns];
}

/**
 * Selected queues that may need a new DLQ (none, or one that does not exist), unless already
 * known as some queue's DLQ: ListDeadLetterSourceQueues tells whether they are DLQs themselves.
 */
export function queuesToCheckForDeadLetterSources(
  queues: ReadonlyMap<string, QueueFacts>,
  selectedQueueArns: ReadonlySet<string>,
  deadLetterSources: ReadonlyMap<string, readonly string[]>,
  missingQueues: ReadonlySet<string>,
): QueueFacts[] {
  return [...queues.values()].filter(
    (q) =>
      selectedQueueArns.has(q.arn) &&
      !deadLetterSources.has(q.arn) &&
      (!q.redrivePolicy || missingQueues.has(q.redrivePolicy.deadLetterTargetArn)),
  );
}

/** Selected functions some policy's async rule governs: one GetFunctionEventInvokeConfig each. */
export function functionsNeedingInvokeConfig(
  policies: readonly Policy[],
  functions: ReadonlyMap<string, FunctionFacts>,
  selectedFunctionArns: ReadonlySet<string>,
): FunctionFacts[] {
  return [...functions.values()].filter(
    (fn) =>
      selectedFunctionArns.has(fn.arn) &&
      selectingPoliciesOf(policies, 'lambda:function', fn.tags).some((p) => {
        const rule = p.rules['lambda-async-invoke-config'];
        // failure-metric-alarms: a function with an event-invoke config is invoked asynchronously.
        if (p.rules['failure-metric-alarms'] !== undefined && fn.asyncInvokers.length === 0) return true;
        return rule !== undefined && (rule.appliesTo === 'all-selected' || fn.asyncInvokers.length > 0);
      }),
  );
}

/** Mappings of selected functions the stream rule governs: their stream's retention is read. */
export function mappingsNeedingStreamRetention(
  policies: readonly Policy[],
  mappings: readonly MappingFacts[],
  selectedFunctionTags: ReadonlyMap<string, Readonly<Record<string, string>>>,
): MappingFacts[] {
  return mappings.filter((m) => {
    const tags = selectedFunctionTags.get(m.functionArn);
    return (
      tags !== undefined &&
      selectingPoliciesOf(policies, 'lambda:function', tags).some(
        (p) => p.rules['esm-stream-failure-handling'] !== undefined,
      )
    );
  });
}

/**
 * The names of the queues edaguard may create this cycle (DLQs of queues with no known source
 * and no DLQ, on-failure queues of selected functions), valid ones only: what exists under each
 * is read.
 */
export function queueNamesToLookUp(input: {
  readonly policies: readonly Policy[];
  readonly dlqSuffixes: readonly string[];
  readonly needingDlq: readonly QueueFacts[];
  readonly deadLetterSources: ReadonlyMap<string, readonly string[]>;
  readonly functions: ReadonlyMap<string, FunctionFacts>;
  readonly selectedFunctionArns: ReadonlySet<string>;
  readonly mappings: readonly MappingFacts[];
}): string[] {
  const names = new Set<string>();
  for (const queue of input.needingDlq) {
    if (input.deadLetterSources.has(queue.arn)) continue;
    for (const suffix of input.dlqSuffixes) names.add(dlqNameFor(queue.name, queue.fifo, suffix));
  }
  for (const fn of input.functions.values()) {
    if (!input.selectedFunctionArns.has(fn.arn)) continue;
    const policies = selectingPoliciesOf(input.policies, 'lambda:function', fn.tags);
    for (const name of failureQueueNamesNeeded(fn, input.mappings, policies)) names.add(name);
  }
  return [...names].filter(isValidQueueName);
}

/** Names of the on-failure queues this function's policies would have edaguard create. */
export function failureQueueNamesNeeded(
  fn: FunctionFacts,
  mappings: readonly MappingFacts[],
  policies: readonly Policy[],
): string[] {
  const needsStream = mappings.some(
    (m) =>
      m.functionArn === fn.arn &&
      (m.sourceKind === 'kinesis' || m.sourceKind === 'dynamodb') &&
      !m.onFailureDestination,
  );
  const names: string[] = [];
  for (const policy of policies) {
    const stream = policy.rules['esm-stream-failure-handling']?.onFailure;
    if (stream && 'create' in stream && needsStream)
      names.push(failureQueueNameFor(fn.name, stream.create.nameSuffix));
    const async = policy.rules['lambda-async-invoke-config']?.onFailure;
    // null: the function has no config (one is to be created); undefined: not read.
    const noDestination = fn.eventInvokeConfig !== undefined && !fn.eventInvokeConfig?.onFailureDestination;
    if (async && 'create' in async && noDestination)
      names.push(failureQueueNameFor(fn.name, async.create.nameSuffix));
  }
  return names;
}

/** The DLQs the selected topics' subscriptions name in this account and region, not read yet. */
export function topicDlqArnsToRead(
  topics: ReadonlyMap<string, TopicFacts>,
  queues: ReadonlyMap<string, QueueFacts>,
  target: Target,
): string[] {
  const prefix = `arn:${target.partition}:sqs:${target.region}:${target.accountId}:`;
  const arns = new Set<string>();
  for (const topic of topics.values())
    for (const sub of topic.subscriptions) {
      const dlq = sub.deadLetterTargetArn;
      if (typeof dlq === 'string' && dlq.startsWith(prefix) && !queues.has(dlq)) arns.add(dlq);
    }
  return [...arns];
}

/**
 * The DLQ names sns-subscription-dlq may create: one per topic (per create suffix) with a
 * confirmed subscription whose DLQ is not a known queue of the right kind. Valid names only.
 */
export function topicDlqNamesToLookUp(
  policies: readonly Policy[],
  topics: ReadonlyMap<string, TopicFacts>,
  queues: ReadonlyMap<string, QueueFacts>,
): string[] {
  const names = new Set<string>();
  for (const topic of topics.values()) {
    const lacking = topic.subscriptions.some((s) => {
      const dlq = typeof s.deadLetterTargetArn === 'string' ? queues.get(s.deadLetterTargetArn) : undefined;
      return !s.pendingConfirmation && (!dlq || (topic.fifo && !dlq.fifo));
    });
    if (!lacking) continue;
    for (const policy of selectingPoliciesOf(policies, 'sns:topic', topic.tags)) {
      const create = policy.rules['sns-subscription-dlq']?.create;
      if (create) names.add(dlqNameFor(topic.name, topic.fifo, create.nameSuffix));
    }
  }
  return [...names].filter(isValidQueueName);
}
