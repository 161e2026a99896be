/**
 * Which service clients one cycle over a policy set needs (pure): what discovery reads (the read
 * plan) and what the rules' writes call. `loadAwsClients(settings, servicesForPolicies(set))`
 * then loads only those SDK packages: an SQS-only policy set needs SQS and the tagging API alone.
 */
import type { AwsService } from '../aws/clients.js';
import type { PolicySet } from '../policy/model.js';
import { planReads, type ReadPlan } from './readPlan.js';

/** The services a cycle with this read plan calls (its writes included: each rule writes to a service it reads). */
export function servicesForReads(readPlan: ReadPlan, policySet: PolicySet): AwsService[] {
  // Every cycle: the tag queries, and SQS (the selected queues, DLQs, the queues edaguard creates).
  const services = new Set<AwsService>(['tagging', 'sqs']);
  const add = (when: boolean, ...these: AwsService[]) => {
    if (when) for (const s of these) services.add(s);
  };
  add(readPlan.needsFunctions || readPlan.needsMappings || readPlan.needsStreams, 'lambda');
  // Async callers of functions: SNS subscriptions, EventBridge targets, S3 notifications.
  add(readPlan.needsAsyncInvokers, 'sns', 'eventbridge', 's3');
  add(readPlan.needsTopics, 'sns');
  add(readPlan.needsEventRules, 'eventbridge');
  add(readPlan.needsPipes, 'pipes');
  add(readPlan.needsKmsKeys, 'kms');
  add(readPlan.needsAlarms, 'cloudwatch');
  // Streams: listed and tagged (stream rules, alarms), and a mapping's stream retention (read and raised).
  const streamRule = policySet.policies.some((p) => p.rules['esm-stream-failure-handling'] !== undefined);
  add(readPlan.needsStreamList || readPlan.needsStreams || streamRule, 'kinesis');
  add(
    policySet.policies.some((p) => p.resourceTypes.includes('dynamodb:table')),
    'dynamodb',
  );
  return [...services].sort();
}

export const servicesForPolicies = (policySet: PolicySet): AwsService[] =>
  servicesForReads(planReads(policySet), policySet);
