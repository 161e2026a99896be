import type { EventBridgeClient, Target as SdkTarget } from '@aws-sdk/client-eventbridge';
import { sdk } from '../aws/sdk.js';
import { dlqNameFor, isValidQueueName } from '../policy/dlqName.js';
import type { Policy } from '../policy/model.js';
import { allPages } from './eventBridgePages.js';
import type { EventRuleFacts, EventTargetFacts, QueueFacts, ReadError, Target } from './inventory.js';
import { type QueueReadContext, readQueueInto } from './queueReads.js';
import { toReadError } from './readErrors.js';
import type { ReadRunner } from './readRequeue.js';
import { type Selection, selectedOfType, selectingPoliciesOf } from './selection.js';
import type { TaggedArn } from './tagging.js';

/** AWS's RetryPolicy when a target has none (or leaves a field out): 185 retries, 24 hours. */
export const EVENTBRIDGE_RETRY_DEFAULTS = {
  maximumRetryAttempts: 185,
  maximumEventAgeInSeconds: 86_400,
} as const;

/** A rule from ListRules, with its tags: a selection candidate (the tagging API does not list rules everywhere). */
export interface ListedRule extends TaggedArn {
  readonly name: string;
  readonly eventBusName: string;
  readonly managedBy?: string;
}

/** EventBridge's largest page (ListEventBuses, ListRules, ListTargetsByRule): fewest calls. */
const PAGE_SIZE = 100;

/**
 * Every rule of every event bus, with its tags: ListEventBuses, ListRules per bus (both paginated),
 * then one ListTagsForResource per rule through the read runner. A rule whose tags cannot be read
 * is that rule's read error, and left out.
 */
export async function listTaggedRules(
  eventbridge: EventBridgeClient,
  run: ReadRunner,
  readErrors: ReadError[],
): Promise<ListedRule[]> {
  const { ListEventBusesCommand, ListRulesCommand } = await sdk.eventbridge();
  const busPages = await allPages((token) =>
    eventbridge.send(new ListEventBusesCommand({ Limit: PAGE_SIZE, ...(token ? { NextToken: token } : {}) })),
  );
  const buses = busPages.flatMap((p) => p.EventBuses ?? []).flatMap((b) => (b.Name ? [b.Name] : []));
  const listed: Omit<ListedRule, 'tags'>[] = [];
  for (const bus of buses) {
    const pages = await allPages((token) =>
      eventbridge.send(
        new ListRulesCommand({ EventBusName: bus, Limit: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }),
      ),
    );
    for (const r of pages.flatMap((p) => p.Rules ?? []))
      if (r.Name && r.Arn)
        listed.push({
          arn: r.Arn,
          name: r.Name,
          eventBusName: bus,
          ...(r.ManagedBy ? { managedBy: r.ManagedBy } : {}),
        });
  }
  const found: ListedRule[] = [];
  await Promise.all(
    listed.map(async (rule) => {
      const { ListTagsForResourceCommand } = await sdk.eventbridge();
      try {
        const out = await run(() =>
          eventbridge.send(new ListTagsForResourceCommand({ ResourceARN: rule.arn })),
        );
        const tags: Record<string, string> = {};
        for (const tag of out.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
        found.push({ ...rule, tags });
      } catch (error) {
        readErrors.push(toReadError(rule.arn, 'ListTagsForResource', error));
      }
    }),
  );
  return found.sort((a, b) => a.arn.localeCompare(b.arn));
}

/** A target as discovery models it: AWS's retry defaults for absent fields, the answer kept whole. */
export function toEventTargetFacts(target: SdkTarget): EventTargetFacts {
  const retry = target.RetryPolicy;
  const dlq = target.DeadLetterConfig?.Arn;
  return {
    id: target.Id ?? '',
    arn: target.Arn ?? '',
    ...(dlq ? { deadLetterArn: dlq } : {}),
    maximumRetryAttempts: retry?.MaximumRetryAttempts ?? EVENTBRIDGE_RETRY_DEFAULTS.maximumRetryAttempts,
    maximumEventAgeInSeconds:
      retry?.MaximumEventAgeInSeconds ?? EVENTBRIDGE_RETRY_DEFAULTS.maximumEventAgeInSeconds,
    raw: target as unknown as Readonly<Record<string, unknown>>,
  };
}

/** Every target of a rule (ListTargetsByRule, paginated), exactly as answered. */
export async function listTargets(
  eventbridge: EventBridgeClient,
  rule: { readonly name: string; readonly eventBusName: string },
): Promise<SdkTarget[]> {
  const { ListTargetsByRuleCommand } = await sdk.eventbridge();
  const pages = await allPages((token) =>
    eventbridge.send(
      new ListTargetsByRuleCommand({
        Rule: rule.name,
        EventBusName: rule.eventBusName,
        Limit: PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      }),
    ),
  );
  return pages.flatMap((p) => p.Targets ?? []);
}

/** The selected rules' targets; a rule whose read still fails is its read error, and left out. */
export async function readEventRules(
  eventbridge: EventBridgeClient,
  selected: readonly ListedRule[],
  run: ReadRunner,
  readErrors: ReadError[],
): Promise<Map<string, EventRuleFacts>> {
  const rules = new Map<string, EventRuleFacts>();
  await Promise.all(
    selected.map(async (rule) => {
      try {
        const targets = await run(() => listTargets(eventbridge, rule));
        rules.set(rule.arn, {
          arn: rule.arn,
          name: rule.name,
          eventBusName: rule.eventBusName,
          tags: rule.tags,
          ...(rule.managedBy ? { managedBy: rule.managedBy } : {}),
          targets: targets.map(toEventTargetFacts),
        });
      } catch (error) {
        readErrors.push(toReadError(rule.arn, 'ListTargetsByRule', error));
      }
    }),
  );
  return new Map([...rules].sort(([a], [b]) => a.localeCompare(b)));
}

const sqsPrefix = (target: Target) => `arn:${target.partition}:sqs:${target.region}:${target.accountId}:`;

/** The DLQs the rules' targets name in this account and region, not read yet (pure). */
export function eventRuleDlqArnsToRead(
  rules: ReadonlyMap<string, EventRuleFacts>,
  queues: ReadonlyMap<string, QueueFacts>,
  target: Target,
): string[] {
  const arns = new Set<string>();
  for (const rule of rules.values())
    for (const t of rule.targets) {
      const dlq = t.deadLetterArn;
      if (dlq?.startsWith(sqsPrefix(target)) && !queues.has(dlq)) arns.add(dlq);
    }
  return [...arns];
}

/**
 * The DLQ names eventbridge-target-dlq may create (pure): one per rule (per create suffix) that
 * AWS does not manage and has a target whose DLQ is not a known standard queue of this account
 * and region (EventBridge DLQs must be standard queues). Valid names only.
 */
export function eventRuleDlqNamesToLookUp(
  policies: readonly Policy[],
  rules: ReadonlyMap<string, EventRuleFacts>,
  queues: ReadonlyMap<string, QueueFacts>,
  target: Target,
): string[] {
  const names = new Set<string>();
  for (const rule of rules.values()) {
    if (rule.managedBy) continue;
    const lacking = rule.targets.some((t) => {
      const dlq = t.deadLetterArn?.startsWith(sqsPrefix(target)) ? queues.get(t.deadLetterArn) : undefined;
      return !dlq || dlq.fifo;
    });
    if (!lacking) continue;
    for (const policy of selectingPoliciesOf(policies, 'events:rule', rule.tags)) {
      const create = policy.rules['eventbridge-target-dlq']?.create;
      if (create) names.add(dlqNameFor(rule.name, false, create.nameSuffix));
    }
  }
  return [...names].filter(isValidQueueName);
}

/** What the rules stage reads with: discovery's shared state (structurally). */
export interface EventRulesStage {
  readonly queueReads: QueueReadContext;
  readonly aws: { readonly eventbridge: EventBridgeClient };
  /** Every rule listed, with its tags. */
  readonly listedRules: readonly ListedRule[];
  readonly selection: Selection;
  readonly policySet: { readonly policies: readonly Policy[] };
}

/**
 * The selected rules (among those listed) and their targets, then the DLQs the targets name
 * (into the queue book); with the names of the DLQs eventbridge-target-dlq may create.
 */
export async function readEventRulesAndDlqs(
  d: EventRulesStage,
  knownTags: (arn: string) => Readonly<Record<string, string>>,
): Promise<{ rules: Map<string, EventRuleFacts>; dlqNames: string[] }> {
  const ctx = d.queueReads;
  const { target } = d.selection;
  const selectedArns = new Set(selectedOfType(d.selection, 'events:rule').map((r) => r.arn));
  const selected = d.listedRules.filter((r) => selectedArns.has(r.arn));
  const rules = await readEventRules(d.aws.eventbridge, selected, ctx.run, ctx.readErrors);
  const dlqs = eventRuleDlqArnsToRead(rules, ctx.book.queues, target);
  await Promise.all(dlqs.map((arn) => readQueueInto(ctx, arn, { ...knownTags(arn) })));
  return { rules, dlqNames: eventRuleDlqNamesToLookUp(d.policySet.policies, rules, ctx.book.queues, target) };
}
