import type { KmsKeyFacts } from '../../discovery/inventory.js';
import { keyPolicyGrants } from '../kmsKeyGrant.js';
import type { Action } from '../model.js';
import {
  checkDeliveryGrant,
  type GrantStatement,
  kmsKeyPolicyGuidance,
  needsKmsKeyGrant,
} from '../queuePolicyGrant.js';
import type { RuleVerdict } from './verdict.js';

/** A service that delivers failed messages to a DLQ, from one source (a topic, a rule). */
export interface DeliveryEdge {
  readonly servicePrincipal: 'sns.amazonaws.com' | 'events.amazonaws.com';
  readonly sourceArn: string;
}

/** What the rule needs of the DLQ: its policy text and its encryption key. */
export interface DeliveryDlq {
  readonly arn: string;
  /** The queue's Policy; undefined when it has none (or is created in this cycle). */
  readonly policy?: string;
  readonly kmsMasterKeyId?: string;
  /** What discovery could read of that key (undefined: not read). */
  readonly kmsKey?: KmsKeyFacts;
}

/**
 * What the DLQ's customer-managed key policy still needs, or undefined: an AWS-managed key, or a
 * key policy that already lets every source's service use the key.
 */
function kmsKeyProblem(dlq: DeliveryDlq, edges: readonly DeliveryEdge[]): string | undefined {
  const keyId = dlq.kmsMasterKeyId;
  if (!needsKmsKeyGrant(keyId) || keyId === undefined || dlq.kmsKey?.keyManager === 'AWS') return undefined;
  const policy = dlq.kmsKey?.policy;
  const missing = edges.filter(
    (e) => policy === undefined || !keyPolicyGrants(policy, e.servicePrincipal, e.sourceArn),
  );
  if (missing.length === 0) return undefined;
  const unread = dlq.kmsKey?.readError
    ? ` (edaguard could not read the key policy: ${dlq.kmsKey.readError})`
    : '';
  return `${missing.map((e) => kmsKeyPolicyGuidance(e.servicePrincipal, e.sourceArn, keyId)).join('; ')}${unread}`;
}

const label = (edge: DeliveryEdge) =>
  `${edge.servicePrincipal === 'sns.amazonaws.com' ? 'SNS topic' : 'EventBridge rule'} ${edge.sourceArn}`;

/**
 * `dlq-delivery-permission` (pure; planned in planDeliveryPermissions.ts): the DLQ's queue policy
 * lets every service that names it as a dead-letter target deliver, with aws:SourceArn = the
 * source. Fix: one write adding edaguard's statements (stable Sids) to the policy text as it was
 * read, every other statement kept byte-for-byte. A customer-managed KMS key also needs its key
 * policy changed, which edaguard never does: that is a ticket saying exactly what to add.
 */
export function planDlqDeliveryPermission(dlq: DeliveryDlq, edges: readonly DeliveryEdge[]): RuleVerdict {
  const sources = edges.map((e) => `${e.servicePrincipal} ← ${e.sourceArn}`);
  let policyText = dlq.policy;
  const added: GrantStatement[] = [];
  const blocked: string[] = [];
  for (const edge of edges) {
    const check = checkDeliveryGrant({ ...edge, queueArn: dlq.arn, policyText });
    if (check.status === 'missing') {
      added.push(check.statement);
      policyText = check.policyText;
    } else if (check.status === 'ticket') {
      blocked.push(`${label(edge)}: ${check.reason}`);
    }
  }
  const observed = { policyGrants: sources.length - added.length - blocked.length, of: sources.length };
  const desired = { policyGrants: sources };
  if (blocked.length > 0) {
    return {
      status: 'ticket',
      observed,
      desired,
      message: `cannot grant delivery safely: ${blocked.join('; ')}`,
    };
  }
  const kms = kmsKeyProblem(dlq, edges);
  if (added.length > 0 && policyText !== undefined) {
    const action: Action = {
      kind: 'AddQueuePolicyStatements',
      queueArn: dlq.arn,
      statements: added,
      ...(dlq.policy !== undefined ? { observedPolicy: dlq.policy } : {}),
      policy: policyText,
    };
    const who = added.map((s) => `${s.Principal.Service} from ${s.Condition.ArnEquals['aws:SourceArn']}`);
    return {
      status: 'drift',
      observed,
      desired,
      message: `the queue policy does not let ${who.join(', ')} deliver: add ${added.map((s) => s.Sid).join(', ')}${kms ? `; and ${kms}` : ''}`,
      actions: [action],
    };
  }
  if (kms) return { status: 'ticket', observed, desired, message: kms };
  return {
    status: 'pass',
    observed,
    desired,
    message: `the queue policy lets ${sources.length} source(s) deliver`,
  };
}
