import { parseArn, resourceTypeOfArn } from '../aws/arn.js';
import type { Policy } from '../policy/model.js';
import type { ResourceType } from '../policy/schema.js';
import { policySelects } from '../policy/selectors.js';
import type { TaggedResource, Target } from './inventory.js';
import type { TaggedArn } from './tagging.js';

/** What the tag queries (the first, account-wide stage) answered. */
export interface TagAnswers {
  /** One list per selector query of the read plan. */
  readonly selector: readonly (readonly TaggedArn[])[];
  readonly ignored: readonly TaggedArn[];
  readonly managed: readonly TaggedArn[];
}

/** The resources the policies select, and what the later stages need from the tag answers. */
export interface Selection {
  readonly target: Target;
  /** Every resource the selector queries found (deduplicated by ARN). */
  readonly tagged: readonly TaggedResource[];
  /** Those some policy selects. */
  readonly selected: readonly TaggedResource[];
  /** Tags of the queues edaguard created, by ARN. */
  readonly managedTags: ReadonlyMap<string, Record<string, string>>;
  /** Tags of the resources carrying the ignore tag, by ARN. */
  readonly ignoredTags: ReadonlyMap<string, Record<string, string>>;
}

export function selectingPoliciesOf(
  policies: readonly Policy[],
  type: ResourceType,
  tags: Readonly<Record<string, string>>,
): Policy[] {
  return policies.filter((p) => policySelects(p, type, tags));
}

const byArn = (list: readonly TaggedArn[]) => new Map(list.map((r) => [r.arn, r.tags]));

/** Pure: the tag answers → the selection (and the target, from the first ARN found). */
export function selectionOf(policies: readonly Policy[], answers: TagAnswers, region: string): Selection {
  const tagged: TaggedResource[] = [];
  for (const [arn, tags] of byArn(answers.selector.flat())) {
    const type = resourceTypeOfArn(arn);
    if (type) tagged.push({ arn, type, tags });
  }
  return {
    target: targetOf(
      [...tagged, ...answers.managed].map((r) => r.arn),
      region,
    ),
    tagged,
    selected: tagged.filter((r) => selectingPoliciesOf(policies, r.type, r.tags).length > 0),
    managedTags: byArn(answers.managed),
    ignoredTags: byArn(answers.ignored),
  };
}

export function selectedOfType(selection: Selection, type: ResourceType): TaggedResource[] {
  return selection.selected.filter((r) => r.type === type);
}

export function targetOf(arns: readonly string[], region: string): Target {
  const first = arns[0];
  if (!first) return { partition: 'aws', accountId: 'unknown', region };
  const arn = parseArn(first);
  return { partition: arn.partition, accountId: arn.accountId, region: arn.region || region };
}
