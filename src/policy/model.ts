import type { ResourceType, RuleId, RuleSettings } from './ruleSettings.js';
import type { ReliabilityPolicyDocument } from './schema.js';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A validated policy with defaults filled in, and where it came from. */
export interface Policy {
  readonly name: string;
  readonly enforcement: 'enforce' | 'audit';
  /** Resource types the policy selects: match.resourceTypes, else every type its rules apply to. */
  readonly resourceTypes: readonly ResourceType[];
  readonly matchTags: Readonly<Record<string, string>>;
  readonly excludeTags: Readonly<Record<string, string>>;
  /** Tag keys marking a resource as owned by IaC: its drift gets a ticket, not a fix. */
  readonly ticketWhenTagged: readonly string[];
  readonly rules: Readonly<Partial<RuleSettings>>;
  readonly source: SourceLocation;
  readonly nameLocation: SourceLocation;
  /** Where each rule's settings start, to point conflict errors at them. */
  readonly ruleLocations: Readonly<Partial<Record<RuleId, SourceLocation>>>;
  readonly document: ReliabilityPolicyDocument;
  /** spec.exceptions: waivers (src/reconcile/waivers.ts); absent: none. */
  readonly exceptions?: readonly PolicyException[];
}

/** A waiver of spec.exceptions, with where its `expires` is (validate's date errors point there). */
export interface PolicyException {
  readonly resources: readonly string[];
  readonly rules: readonly RuleId[];
  readonly reason: string;
  /** The last day (UTC, YYYY-MM-DD) it holds. */
  readonly expires: string;
  readonly ticket?: string;
  readonly expiresAt: SourceLocation;
}

export interface PolicySet {
  readonly policies: readonly Policy[];
  /** Files read (relative to the working directory, as CI annotations want them), in order. */
  readonly files: readonly string[];
}
