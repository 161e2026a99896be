import type { Target } from '../discovery/inventory.js';
import type { ResourceType, RuleId } from '../policy/schema.js';

/** The closed set of writes edaguard makes. Each sends only what it owns. */
export type Action =
  | {
      readonly kind: 'CreateQueue';
      readonly queueArn: string;
      readonly queueName: string;
      readonly attributes: Readonly<Record<string, string>>;
      readonly tags: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'SetQueueAttributes';
      readonly queueArn: string;
      readonly queueUrl: string;
      /** Only the attributes that change. */
      readonly attributes: Readonly<Record<string, string>>;
    };

export type FindingRule = RuleId | 'policy-conflict' | 'read-error';

/**
 * pass: compliant. drift: differs from policy (its actions fix it, or the policy only reports).
 * ticket: differs, and no automatic fix is safe: a person must act (the message says what).
 * skipped: the rule does not apply here (with why). error: the facts could not be read.
 */
export type FindingStatus = 'pass' | 'drift' | 'ticket' | 'skipped' | 'error';

export interface Finding {
  readonly resource: string;
  readonly resourceType: ResourceType;
  /** Names of the policies that govern this (resource, rule), comma-separated. */
  readonly policy: string;
  readonly rule: FindingRule;
  readonly status: FindingStatus;
  readonly observed: unknown;
  readonly desired: unknown;
  readonly message: string;
  readonly enforcement: 'enforce' | 'audit';
  /** Writes that fix the drift, in the order they must run. Empty: nothing safe to do. */
  readonly actions: readonly Action[];
}

export interface Plan {
  readonly target: Target;
  readonly findings: readonly Finding[];
}

export function plannedActions(plan: Plan): Action[] {
  return plan.findings.flatMap((f) => (f.status === 'drift' ? f.actions : []));
}
