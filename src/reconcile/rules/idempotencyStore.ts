import type { TableFacts } from '../../discovery/inventory.js';
import type { RuleSettings } from '../../policy/ruleSettings.js';
import type { Action } from '../model.js';
import type { RuleVerdict } from './verdict.js';

/**
 * `idempotency-store`: the table where handlers record processed event ids must expire them
 * (TTL), and should be billed on demand: retries come in bursts, and throttled writes to the
 * idempotency store defeat its purpose.
 */
export function planIdempotencyStore(
  table: TableFacts,
  settings: RuleSettings['idempotency-store'],
): RuleVerdict {
  const ttlOn = table.ttlStatus === 'ENABLED' || table.ttlStatus === 'ENABLING';
  const observed = {
    ttlStatus: table.ttlStatus,
    ttlAttribute: table.ttlAttribute ?? null,
    billingMode: table.billingMode,
  };
  const wantOnDemand = settings.onDemandBilling !== 'ignore';
  const desired = {
    ttlStatus: 'ENABLED',
    ttlAttribute: settings.ttlAttribute,
    billingMode: wantOnDemand ? 'PAY_PER_REQUEST' : table.billingMode,
  };
  if (table.ttlStatus === 'DISABLING') {
    return {
      status: 'busy',
      observed,
      desired,
      message: 'TTL is being disabled: looked at again next cycle',
    };
  }
  if (ttlOn && table.ttlAttribute !== settings.ttlAttribute) {
    return {
      status: 'ticket',
      observed,
      desired,
      message: `TTL is on attribute "${table.ttlAttribute}", not "${settings.ttlAttribute}": fix the policy, or disable TTL and let edaguard enable it on "${settings.ttlAttribute}" (DynamoDB allows one TTL change per hour)`,
    };
  }
  const actions: Action[] = [];
  const problems: string[] = [];
  if (!ttlOn) {
    problems.push(`TTL is off: processed event ids are never expired`);
    actions.push({
      kind: 'UpdateTimeToLive',
      tableArn: table.arn,
      tableName: table.name,
      attributeName: settings.ttlAttribute,
    });
  }
  const billingDrift = wantOnDemand && table.billingMode !== 'PAY_PER_REQUEST';
  if (billingDrift) {
    problems.push(`billed ${table.billingMode}: bursts of retries will be throttled`);
    if (settings.onDemandBilling === 'fix') {
      actions.push({
        kind: 'UpdateTableBillingMode',
        tableArn: table.arn,
        tableName: table.name,
        billingMode: 'PAY_PER_REQUEST',
      });
    }
  }
  if (problems.length === 0) {
    return {
      status: 'pass',
      observed,
      desired,
      message: `TTL on "${settings.ttlAttribute}"${wantOnDemand ? ', on-demand billing' : ''}`,
    };
  }
  const reportOnly =
    billingDrift && settings.onDemandBilling === 'report'
      ? ' (billing: report only; onDemandBilling: fix lets edaguard switch it)'
      : '';
  return { status: 'drift', observed, desired, message: `${problems.join('; ')}${reportOnly}`, actions };
}
