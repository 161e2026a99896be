/**
 * What edaguard's own rules require of the seeded resources: the bench asks src/reconcile/rules
 * rather than restating them, so its expectations follow the rules when they change.
 */
import { requiredVisibilityTimeout } from '../../src/reconcile/rules/sqsVisibilityTimeout.js';
import type { Consumer } from './account.js';
import { functionArnOf } from './arns.js';
import { POLICY } from './parameters.js';

/** The visibility timeout the sqs-visibility-timeout rule requires of a queue with these consumers. */
export function requiredVisibility(consumers: readonly Consumer[]): number {
  return requiredVisibilityTimeout(
    consumers.map((c, i) => ({
      mappingUuid: `seeded-${i}`,
      functionArn: functionArnOf(c.fn),
      functionTimeoutSeconds: c.timeout,
      maximumBatchingWindowInSeconds: c.window,
    })),
    POLICY.timeoutMultiple,
  );
}
