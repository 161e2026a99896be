import type { Inventory, QueueFacts } from '../discovery/inventory.js';
import { dlqNameFor } from '../policy/dlqName.js';
import type { Policy } from '../policy/model.js';
import { DLQ_RULE_IDS, type RuleId, type RuleSettings } from '../policy/ruleSettings.js';
import { policyGoverns } from '../policy/selectors.js';
import { resolveRule } from './ruleEvaluation.js';
import type { RuleVerdict } from './rules/verdict.js';

/** The rules that judge a DLQ rather than the source that sends to it. */
export const DLQ_RULES = DLQ_RULE_IDS;

/** A DLQ of selected queues (or a selected queue that is a DLQ), and the policies that govern it. */
export interface DlqEntry {
  arn: string;
  name: string;
  /** Undefined for a DLQ this plan creates: only rules that need no facts apply to it yet. */
  facts?: QueueFacts;
  policies: Policy[];
  sources: string[];
}

/**
 * The DLQs the DLQ rules govern, and under which policies, gathered queue by queue: a DLQ that
 * several selected queues share is judged once, under all their policies.
 */
export class DlqRegistry {
  private readonly byArn = new Map<string, DlqEntry>();

  /** In the order they were first governed. */
  entries(): Iterable<DlqEntry> {
    return this.byArn.values();
  }

  /** `policies` govern this DLQ, as the DLQ of `source` when given. */
  govern(dlq: Omit<DlqEntry, 'policies' | 'sources'>, policies: readonly Policy[], source?: string): void {
    const entry = this.byArn.get(dlq.arn) ?? { ...dlq, policies: [], sources: [] };
    for (const p of policies) if (!entry.policies.includes(p)) entry.policies.push(p);
    if (source && !entry.sources.includes(source)) entry.sources.push(source);
    this.byArn.set(dlq.arn, entry);
  }

  /**
   * The DLQ rules of `selecting` govern this queue's DLQ: the one it has, the one of ours it
   * adopts, or the one this plan creates (from `dlqVerdict`); and this queue itself if it is a DLQ.
   */
  governDlqsOf(
    queue: QueueFacts,
    selecting: readonly Policy[],
    dlqVerdict: RuleVerdict | undefined,
    inventory: Inventory,
  ): void {
    const applicable = (rule: RuleId) => selecting.filter((p) => policyGoverns(p, rule, 'sqs:queue'));
    if (!DLQ_RULES.some((rule) => applicable(rule).length > 0)) return;
    const dlqRule = resolveRule(applicable('sqs-dead-letter-queue'), 'sqs-dead-letter-queue');
    const existing = existingDlqOf(
      queue,
      dlqRule.kind === 'governed' ? dlqRule.settings : undefined,
      inventory,
    );
    const created = dlqVerdict?.actions?.find((a) => a.kind === 'CreateQueue');
    if (existing) {
      this.govern({ arn: existing.arn, name: existing.name, facts: existing }, selecting, queue.arn);
    } else if (created?.kind === 'CreateQueue') {
      this.govern({ arn: created.queueArn, name: created.queueName }, selecting, queue.arn);
    }
    if (inventory.deadLetterSources.has(queue.arn)) {
      this.govern({ arn: queue.arn, name: queue.name, facts: queue }, selecting);
    }
  }
}

/** The DLQ a queue has (when it exists), or the one of ours it will adopt under its DLQ name. */
export function existingDlqOf(
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
