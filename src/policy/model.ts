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
}

export interface PolicySet {
  readonly policies: readonly Policy[];
  /** Files read (relative to the working directory, as CI annotations want them), in order. */
  readonly files: readonly string[];
}
