import { isDeepStrictEqual } from 'node:util';
import type { Inventory, QueueFacts } from '../discovery/inventory.js';
import { dlqNameFor } from '../policy/dlqName.js';
import type { Policy, PolicySet } from '../policy/model.js';
import type { RuleId, RuleSettings } from '../policy/schema.js';
import { isIgnored, policyGoverns, policySelects } from '../policy/selectors.js';
import type { Finding, Plan } from './model.js';
import { planQueueDeadLetter } from './rules/sqsDeadLetterQueue.js';
import { planDlqRetention } from './rules/sqsDlqRetention.js';
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

function finding(resource: string, rule: RuleId, policies: readonly Policy[], verdict: RuleVerdict): Finding {
  return {
    resource,
    resourceType: 'sqs:queue',
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

function conflictFinding(resource: string, rule: RuleId, policies: readonly Policy[]): Finding {
  return {
    resource,
    resourceType: 'sqs:queue',
    policy: namesOf(policies),
    rule: 'policy-conflict',
    status: 'drift',
    observed: { rule, settings: Object.fromEntries(policies.map((p) => [p.name, p.rules[rule]])) },
    desired: null,
    message: `policies ${policies.map((p) => `"${p.name}"`).join(', ')} set ${rule} differently for this queue; nothing is written until they agree`,
    enforcement: 'audit',
    actions: [],
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
  const candidate = inventory.dlqNameCandidates.get(
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
    resourceType: 'sqs:queue',
    policy: '',
    rule: 'read-error',
    status: 'error',
    observed: { operation: e.operation, code: e.code },
    desired: null,
    message: `${e.operation} failed: ${e.code}: ${e.message}`,
    enforcement: 'audit',
    actions: [],
  }));

  const retentionByDlq = new Map<string, { dlq: QueueFacts; policies: Policy[]; sources: string[] }>();
  const governRetention = (dlq: QueueFacts, policies: readonly Policy[], source?: string) => {
    const entry = retentionByDlq.get(dlq.arn) ?? { dlq, policies: [], sources: [] };
    for (const p of policies) if (!entry.policies.includes(p)) entry.policies.push(p);
    if (source && !entry.sources.includes(source)) entry.sources.push(source);
    retentionByDlq.set(dlq.arn, entry);
  };

  for (const resource of inventory.tagged) {
    const queue = inventory.queues.get(resource.arn);
    if (!queue) continue;
    const selecting = policySet.policies.filter((p) => policySelects(p, 'sqs:queue', resource.tags));
    if (selecting.length === 0) continue;
    const applicable = (rule: RuleId) => selecting.filter((p) => policyGoverns(p, rule, 'sqs:queue'));

    const retention = resolveRule(applicable('sqs-dlq-retention'), 'sqs-dlq-retention');
    const dlqRule = resolveRule(applicable('sqs-dead-letter-queue'), 'sqs-dead-letter-queue');
    if (dlqRule.kind === 'conflict')
      findings.push(conflictFinding(queue.arn, 'sqs-dead-letter-queue', dlqRule.policies));
    if (dlqRule.kind === 'governed') {
      const minRetention = retention.kind === 'governed' ? retention.settings.minSeconds : undefined;
      findings.push(
        finding(
          queue.arn,
          'sqs-dead-letter-queue',
          dlqRule.policies,
          planQueueDeadLetter(queue, dlqRule.settings, inventory, minRetention),
        ),
      );
    }

    const visibility = resolveRule(applicable('sqs-visibility-timeout'), 'sqs-visibility-timeout');
    if (visibility.kind === 'conflict')
      findings.push(conflictFinding(queue.arn, 'sqs-visibility-timeout', visibility.policies));
    if (visibility.kind === 'governed' && inventory.consumers) {
      const consumers = inventory.consumers.get(queue.arn) ?? [];
      findings.push(
        finding(
          queue.arn,
          'sqs-visibility-timeout',
          visibility.policies,
          planVisibilityTimeout(queue, visibility.settings, consumers),
        ),
      );
    }

    // Retention is a rule on the DLQ: of this queue's DLQ (the one it has, or the one of ours it
    // adopts this cycle), or of this queue if it is a DLQ.
    const retentionPolicies = applicable('sqs-dlq-retention');
    if (retentionPolicies.length === 0) continue;
    const dlq = existingDlqOf(queue, dlqRule.kind === 'governed' ? dlqRule.settings : undefined, inventory);
    if (dlq) governRetention(dlq, retentionPolicies, queue.arn);
    if (inventory.deadLetterSources.has(queue.arn)) governRetention(queue, retentionPolicies);
  }

  for (const entry of retentionByDlq.values()) {
    const { dlq } = entry;
    // Policy-set order and sorted sources: the plan must not depend on the order tags were read in.
    const policies = policySet.policies.filter((p) => entry.policies.includes(p));
    const allSources = [
      ...new Set([...entry.sources, ...(inventory.deadLetterSources.get(dlq.arn) ?? [])]),
    ].sort();
    if (isIgnored(dlq.tags)) {
      findings.push(
        finding(dlq.arn, 'sqs-dlq-retention', policies, {
          status: 'skipped',
          observed: null,
          desired: null,
          message: 'DLQ is tagged edaguard.dev/ignore=true',
        }),
      );
      continue;
    }
    const resolved = resolveRule(policies, 'sqs-dlq-retention');
    if (resolved.kind === 'conflict')
      findings.push(conflictFinding(dlq.arn, 'sqs-dlq-retention', resolved.policies));
    if (resolved.kind === 'governed') {
      findings.push(
        finding(
          dlq.arn,
          'sqs-dlq-retention',
          resolved.policies,
          planDlqRetention(dlq, resolved.settings, allSources),
        ),
      );
    }
  }

  findings.sort((a, b) => a.resource.localeCompare(b.resource) || a.rule.localeCompare(b.rule));
  return { target: inventory.target, findings };
}
