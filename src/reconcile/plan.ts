import { isDeepStrictEqual } from 'node:util';
import { resourceTypeOfArn } from '../aws/arn.js';
import type { FunctionFacts, Inventory, QueueFacts } from '../discovery/inventory.js';
import { dlqNameFor } from '../policy/dlqName.js';
import type { Policy, PolicySet } from '../policy/model.js';
import type { ResourceType, RuleId, RuleSettings } from '../policy/schema.js';
import { isIgnored, policyGoverns, policySelects } from '../policy/selectors.js';
import { type Finding, type FindingResourceType, findingKey, type Plan } from './model.js';
import { planDlqAlarm, planIteratorAgeAlarm } from './rules/alarms.js';
import { planDlqNotEmpty } from './rules/dlqNotEmpty.js';
import { isBatchMapping, planPartialBatchResponse } from './rules/esmPartialBatchResponse.js';
import { isStreamMapping, planStreamFailureHandling } from './rules/esmStreamFailureHandling.js';
import { planIdempotencyStore } from './rules/idempotencyStore.js';
import { planAsyncInvokeConfig } from './rules/lambdaAsyncInvokeConfig.js';
import { planQueueDeadLetter } from './rules/sqsDeadLetterQueue.js';
import { planDlqRetention } from './rules/sqsDlqRetention.js';
import { planFifoOrdering } from './rules/sqsFifoOrdering.js';
import { planVisibilityTimeout } from './rules/sqsVisibilityTimeout.js';
import type { RuleVerdict } from './rules/verdict.js';

type Governance<R extends RuleId> =
  | { kind: 'none' }
  | { kind: 'conflict'; policies: Policy[] }
  | { kind: 'governed'; settings: RuleSettings[R]; policies: Policy[] };

/**
 * Which settings apply for `rule`: those of the policies that have it. Policies that agree act
 * together (audit if any says audit); policies that disagree make a conflict, and nothing is written.
 */
export function resolveRule<R extends RuleId>(policies: readonly Policy[], rule: R): Governance<R> {
  const having = policies.filter((p) => p.rules[rule] !== undefined);
  const first = having[0];
  if (!first) return { kind: 'none' };
  if (having.some((p) => !isDeepStrictEqual(p.rules[rule], first.rules[rule]))) {
    return { kind: 'conflict', policies: having };
  }
  return { kind: 'governed', settings: first.rules[rule] as RuleSettings[R], policies: having };
}

const enforcementOf = (policies: readonly Policy[]) =>
  policies.every((p) => p.enforcement === 'enforce') ? 'enforce' : 'audit';
const namesOf = (policies: readonly Policy[]) => policies.map((p) => p.name).join(',');

function finding(
  resource: string,
  resourceType: FindingResourceType,
  rule: RuleId,
  policies: readonly Policy[],
  verdict: RuleVerdict,
): Finding {
  return {
    resource,
    resourceType,
    policy: namesOf(policies),
    rule,
    status: verdict.status,
    observed: verdict.observed,
    desired: verdict.desired,
    message: verdict.message,
    enforcement: enforcementOf(policies),
    actions: verdict.actions ?? [],
  };
}

function conflictFinding(
  resource: string,
  resourceType: FindingResourceType,
  rule: RuleId,
  policies: readonly Policy[],
): Finding {
  return {
    resource,
    resourceType,
    policy: namesOf(policies),
    rule: 'policy-conflict',
    status: 'drift',
    observed: { rule, settings: Object.fromEntries(policies.map((p) => [p.name, p.rules[rule]])) },
    desired: null,
    message: `policies ${policies.map((p) => `"${p.name}"`).join(', ')} set ${rule} differently here; nothing is written until they agree`,
    enforcement: 'audit',
    actions: [],
  };
}

/** Evaluates one rule on one resource under the policies that select it. */
function evaluate<R extends RuleId>(
  findings: Finding[],
  selecting: readonly Policy[],
  type: ResourceType,
  rule: R,
  subject: Subject,
  verdictFor: (settings: RuleSettings[R]) => RuleVerdict | undefined,
): RuleVerdict | undefined {
  const governance = resolveRule(
    selecting.filter((p) => policyGoverns(p, rule, type)),
    rule,
  );
  if (governance.kind === 'conflict') {
    findings.push(conflictFinding(subject.resource, subject.resourceType, rule, governance.policies));
  }
  if (governance.kind !== 'governed') return undefined;
  const planned = verdictFor(governance.settings);
  const verdict = planned && ownedElsewhere(planned, subject.tags, governance.policies);
  if (verdict)
    findings.push(finding(subject.resource, subject.resourceType, rule, governance.policies, verdict));
  return verdict;
}

/** What a rule is evaluated on, with the tags that tell who owns it. */
interface Subject {
  resource: string;
  resourceType: FindingResourceType;
  tags: Readonly<Record<string, string>>;
}

/**
 * A resource that infrastructure as code owns (a tag the policy names, such as
 * aws:cloudformation:stack-name) gets a ticket instead of a fix: the stack would revert it.
 */
function ownedElsewhere(
  verdict: RuleVerdict,
  tags: Readonly<Record<string, string>>,
  policies: readonly Policy[],
): RuleVerdict {
  if (verdict.status !== 'drift' || !verdict.actions?.length) return verdict;
  const key = policies.flatMap((p) => p.ticketWhenTagged).find((k) => tags[k] !== undefined);
  if (key === undefined) return verdict;
  return {
    ...verdict,
    status: 'ticket',
    actions: [],
    message: `owned by ${key}=${tags[key]}: change it there, not here (a fix here would be reverted). ${verdict.message}`,
  };
}

/** The DLQ a queue has (when it exists), or the one of ours it will adopt under its DLQ name. */
function existingDlqOf(
  queue: QueueFacts,
  dlqSettings: RuleSettings['sqs-dead-letter-queue'] | undefined,
  inventory: Inventory,
): QueueFacts | undefined {
  const current = queue.redrivePolicy && inventory.queues.get(queue.redrivePolicy.deadLetterTargetArn);
  if (current) return current;
  if (!dlqSettings?.create) return undefined;
  const candidate = inventory.queueNameCandidates.get(
    dlqNameFor(queue.name, queue.fifo, dlqSettings.create.nameSuffix),
  );
  return candidate?.managedByEdaguard ? inventory.queues.get(candidate.arn) : undefined;
}

/**
 * plan(policies, inventory) → findings with the writes that fix them. Pure: no I/O, no clock;
 * the same inputs always give the same plan, in the same order.
 */
export function plan(policySet: PolicySet, inventory: Inventory): Plan {
  const findings: Finding[] = inventory.readErrors.map((e) => ({
    resource: e.resource,
    resourceType:
      resourceTypeOfArn(e.resource) ??
      (e.resource.includes(':event-source-mapping:') ? 'lambda:event-source-mapping' : 'sqs:queue'),
    policy: '',
    rule: 'read-error',
    status: 'error',
    observed: { operation: e.operation, code: e.code },
    desired: null,
    message: `${e.operation} failed: ${e.code}: ${e.message}`,
    enforcement: 'audit',
    actions: [],
  }));
  const selectingOf = (type: ResourceType, tags: Readonly<Record<string, string>>) =>
    policySet.policies.filter((p) => policySelects(p, type, tags));

  planQueues(policySet, inventory, findings, selectingOf);
  for (const resource of inventory.tagged) {
    if (resource.type === 'lambda:function') {
      const fn = inventory.functions.get(resource.arn);
      const selecting = selectingOf('lambda:function', resource.tags);
      if (fn && selecting.length > 0) planFunction(fn, selecting, inventory, findings);
    }
    if (resource.type === 'dynamodb:table') {
      const table = inventory.tables.get(resource.arn);
      const selecting = selectingOf('dynamodb:table', resource.tags);
      if (!table || selecting.length === 0) continue;
      evaluate(
        findings,
        selecting,
        'dynamodb:table',
        'idempotency-store',
        { resource: table.arn, resourceType: 'dynamodb:table', tags: table.tags },
        (s) => planIdempotencyStore(table, s),
      );
    }
  }

  findings.sort((a, b) => a.resource.localeCompare(b.resource) || a.rule.localeCompare(b.rule));
  return { target: inventory.target, findings: shareCreatedQueues(findings) };
}

function planFunction(
  fn: FunctionFacts,
  selecting: readonly Policy[],
  inventory: Inventory,
  findings: Finding[],
): void {
  for (const mapping of inventory.mappings) {
    if (mapping.functionArn !== fn.arn) continue;
    // A mapping is owned with its function.
    const subject = {
      resource: mapping.arn,
      resourceType: 'lambda:event-source-mapping' as const,
      tags: fn.tags,
    };
    if (isStreamMapping(mapping)) {
      evaluate(findings, selecting, 'lambda:function', 'esm-stream-failure-handling', subject, (s) =>
        planStreamFailureHandling(mapping, fn, s, inventory),
      );
    }
    if (isBatchMapping(mapping)) {
      evaluate(findings, selecting, 'lambda:function', 'esm-partial-batch-response', subject, (s) =>
        planPartialBatchResponse(mapping, fn, s),
      );
    }
  }
  const alarms = inventory.alarms;
  if (alarms && inventory.mappings.some((m) => m.functionArn === fn.arn && isStreamMapping(m))) {
    const subject = { resource: fn.arn, resourceType: 'lambda:function' as const, tags: fn.tags };
    evaluate(findings, selecting, 'lambda:function', 'stream-iterator-age-alarm', subject, (s) =>
      planIteratorAgeAlarm(fn, s, alarms),
    );
  }
  evaluate(
    findings,
    selecting,
    'lambda:function',
    'lambda-async-invoke-config',
    { resource: fn.arn, resourceType: 'lambda:function', tags: fn.tags },
    (s) => planAsyncInvokeConfig(fn, s, inventory),
  );
}

/** A DLQ of selected queues (or a selected queue that is a DLQ), and the policies that govern it. */
interface DlqEntry {
  arn: string;
  name: string;
  /** Undefined for a DLQ this plan creates: only rules that need no facts apply to it yet. */
  facts?: QueueFacts;
  policies: Policy[];
  sources: string[];
}

const DLQ_RULES = ['sqs-dlq-retention', 'sqs-dlq-alarm', 'dlq-not-empty'] as const;

function planQueues(
  policySet: PolicySet,
  inventory: Inventory,
  findings: Finding[],
  selectingOf: (type: ResourceType, tags: Readonly<Record<string, string>>) => Policy[],
): void {
  const dlqs = new Map<string, DlqEntry>();
  const governDlq = (
    dlq: Omit<DlqEntry, 'policies' | 'sources'>,
    policies: readonly Policy[],
    source?: string,
  ) => {
    const entry = dlqs.get(dlq.arn) ?? { ...dlq, policies: [], sources: [] };
    for (const p of policies) if (!entry.policies.includes(p)) entry.policies.push(p);
    if (source && !entry.sources.includes(source)) entry.sources.push(source);
    dlqs.set(dlq.arn, entry);
  };

  for (const resource of inventory.tagged) {
    if (resource.type !== 'sqs:queue') continue;
    const queue = inventory.queues.get(resource.arn);
    if (!queue) continue;
    const selecting = selectingOf('sqs:queue', resource.tags);
    if (selecting.length === 0) continue;
    const subject = { resource: queue.arn, resourceType: 'sqs:queue' as const, tags: queue.tags };
    const applicable = (rule: RuleId) => selecting.filter((p) => policyGoverns(p, rule, 'sqs:queue'));

    const retention = resolveRule(applicable('sqs-dlq-retention'), 'sqs-dlq-retention');
    const minRetention = retention.kind === 'governed' ? retention.settings.minSeconds : undefined;
    const dlqVerdict = evaluate(findings, selecting, 'sqs:queue', 'sqs-dead-letter-queue', subject, (s) =>
      planQueueDeadLetter(queue, s, inventory, minRetention),
    );
    if (inventory.consumers) {
      const consumers = inventory.consumers.get(queue.arn) ?? [];
      evaluate(findings, selecting, 'sqs:queue', 'sqs-visibility-timeout', subject, (s) =>
        planVisibilityTimeout(queue, s, consumers),
      );
    }
    evaluate(findings, selecting, 'sqs:queue', 'sqs-fifo-ordering', subject, (s) =>
      planFifoOrdering(queue, s),
    );

    // The DLQ rules govern this queue's DLQ: the one it has, the one of ours it adopts, or the one
    // this plan creates; and this queue itself if it is a DLQ.
    if (!DLQ_RULES.some((rule) => applicable(rule).length > 0)) continue;
    const dlqRule = resolveRule(applicable('sqs-dead-letter-queue'), 'sqs-dead-letter-queue');
    const existing = existingDlqOf(
      queue,
      dlqRule.kind === 'governed' ? dlqRule.settings : undefined,
      inventory,
    );
    const created = dlqVerdict?.actions?.find((a) => a.kind === 'CreateQueue');
    if (existing)
      governDlq({ arn: existing.arn, name: existing.name, facts: existing }, selecting, queue.arn);
    else if (created?.kind === 'CreateQueue') {
      governDlq({ arn: created.queueArn, name: created.queueName }, selecting, queue.arn);
    }
    if (inventory.deadLetterSources.has(queue.arn)) {
      governDlq({ arn: queue.arn, name: queue.name, facts: queue }, selecting);
    }
  }

  for (const entry of dlqs.values()) {
    // Policy-set order and sorted sources: the plan must not depend on the order tags were read in.
    const policies = policySet.policies.filter((p) => entry.policies.includes(p));
    const sources = [
      ...new Set([...entry.sources, ...(inventory.deadLetterSources.get(entry.arn) ?? [])]),
    ].sort();
    const subject = {
      resource: entry.arn,
      resourceType: 'sqs:queue' as const,
      tags: entry.facts?.tags ?? {},
    };
    const facts = entry.facts;
    if (facts && isIgnored(facts.tags)) {
      for (const rule of DLQ_RULES) {
        evaluate(findings, policies, 'sqs:queue', rule, subject, () => ({
          status: 'skipped',
          observed: null,
          desired: null,
          message: 'DLQ is tagged edaguard.dev/ignore=true',
        }));
      }
      continue;
    }
    if (facts) {
      evaluate(findings, policies, 'sqs:queue', 'sqs-dlq-retention', subject, (s) =>
        planDlqRetention(facts, s, sources),
      );
      evaluate(findings, policies, 'sqs:queue', 'dlq-not-empty', subject, () =>
        planDlqNotEmpty(facts, sources),
      );
    }
    const alarms = inventory.alarms;
    if (alarms) {
      evaluate(findings, policies, 'sqs:queue', 'sqs-dlq-alarm', subject, (s) =>
        planDlqAlarm(entry, s, alarms),
      );
    }
  }
}

/**
 * A queue that several findings need (a function's on-failure queue, for its mappings and its
 * async config) is created by the first of them; the others wait for that finding's writes.
 */
function shareCreatedQueues(findings: readonly Finding[]): Finding[] {
  // Keyed by enforcement too: an enforced finding must never wait for an audited one, which never runs.
  const creator = new Map<string, string>();
  return findings.map((f) => {
    if (f.status !== 'drift') return f;
    const dependsOn: string[] = [];
    const actions = f.actions.filter((a) => {
      if (a.kind !== 'CreateQueue') return true;
      const key = `${a.queueArn} ${f.enforcement}`;
      const first = creator.get(key);
      if (first === undefined) {
        creator.set(key, findingKey(f));
        return true;
      }
      dependsOn.push(first);
      return false;
    });
    return dependsOn.length === 0 ? f : { ...f, actions, dependsOn };
  });
}
