import type { Inventory } from '../discovery/inventory.js';
import type { Finding } from './model.js';
import { evaluate, type SelectingPolicies } from './ruleEvaluation.js';
import { planPipeSourceFailureHandling } from './rules/pipeSourceFailureHandling.js';

/** The Pipes rules: pipe-source-failure-handling on each selected pipe discovery read. */
export function planPipes(inventory: Inventory, findings: Finding[], selectingOf: SelectingPolicies): void {
  for (const pipe of inventory.pipes?.values() ?? []) {
    const selecting = selectingOf('pipes:pipe', pipe.tags);
    if (selecting.length === 0) continue;
    const subject = { resource: pipe.arn, resourceType: 'pipes:pipe' as const, tags: pipe.tags };
    evaluate(findings, selecting, 'pipes:pipe', 'pipe-source-failure-handling', subject, (settings) =>
      planPipeSourceFailureHandling(pipe, settings),
    );
  }
}
