import type { Action } from '../model.js';

/** What one rule concludes about one resource, before the planner adds policy and enforcement. */
export interface RuleVerdict {
  status: 'pass' | 'drift' | 'ticket' | 'busy' | 'skipped';
  observed: unknown;
  desired: unknown;
  message: string;
  actions?: Action[];
}
