import { describe, expect, it } from 'vitest';
import type { TableFacts } from '../../../../src/discovery/inventory.js';
import { IdempotencyStoreSettings, type RuleSettings } from '../../../../src/policy/ruleSettings.js';
import type { Action } from '../../../../src/reconcile/model.js';
import { planIdempotencyStore } from '../../../../src/reconcile/rules/idempotencyStore.js';
import { table } from '../../lambdaFixtures.js';

type Settings = RuleSettings['idempotency-store'];
const settings = (input: Record<string, unknown>): Settings => IdempotencyStoreSettings.parse(input);

const REPORT = settings({ ttlAttribute: 'expiresAt' });
const FIX = settings({ ttlAttribute: 'expiresAt', onDemandBilling: 'fix' });
const IGNORE = settings({ ttlAttribute: 'expiresAt', onDemandBilling: 'ignore' });

const T = table('idempotency');
const enableTtl: Action = {
  kind: 'UpdateTimeToLive',
  tableArn: T.arn,
  tableName: 'idempotency',
  attributeName: 'expiresAt',
};
const onDemand: Action = {
  kind: 'UpdateTableBillingMode',
  tableArn: T.arn,
  tableName: 'idempotency',
  billingMode: 'PAY_PER_REQUEST',
};

const observedOf = (t: TableFacts) => ({
  ttlStatus: t.ttlStatus,
  ttlAttribute: t.ttlAttribute ?? null,
  billingMode: t.billingMode,
});

describe('planIdempotencyStore: TTL', () => {
  it('onDemandBilling defaults to report', () => {
    expect(REPORT.onDemandBilling).toBe('report');
  });

  it('TTL DISABLED → UpdateTimeToLive on the policy’s attribute', () => {
    const t = table('idempotency', { ttlStatus: 'DISABLED', ttlAttribute: undefined });
    expect(planIdempotencyStore(t, REPORT)).toStrictEqual({
      status: 'drift',
      observed: { ttlStatus: 'DISABLED', ttlAttribute: null, billingMode: 'PAY_PER_REQUEST' },
      desired: { ttlStatus: 'ENABLED', ttlAttribute: 'expiresAt', billingMode: 'PAY_PER_REQUEST' },
      message: 'TTL is off: processed event ids are never expired',
      actions: [enableTtl],
    });
  });

  it.each(['ENABLED', 'ENABLING'])('TTL %s on the right attribute → pass', (ttlStatus) => {
    const t = table('idempotency', { ttlStatus });
    expect(planIdempotencyStore(t, REPORT)).toStrictEqual({
      status: 'pass',
      observed: observedOf(t),
      desired: { ttlStatus: 'ENABLED', ttlAttribute: 'expiresAt', billingMode: 'PAY_PER_REQUEST' },
      message: 'TTL on "expiresAt", on-demand billing',
    });
  });

  it.each(['ENABLED', 'ENABLING'])('TTL %s on another attribute → ticket, no actions', (ttlStatus) => {
    const t = table('idempotency', { ttlStatus, ttlAttribute: 'ttl' });
    expect(planIdempotencyStore(t, FIX)).toStrictEqual({
      status: 'ticket',
      observed: observedOf(t),
      desired: { ttlStatus: 'ENABLED', ttlAttribute: 'expiresAt', billingMode: 'PAY_PER_REQUEST' },
      message:
        'TTL is on attribute "ttl", not "expiresAt": fix the policy, or disable TTL and let edaguard enable it on "expiresAt" (DynamoDB allows one TTL change per hour)',
    });
  });

  it('attribute names are compared exactly (case matters in DynamoDB)', () => {
    const t = table('idempotency', { ttlAttribute: 'ExpiresAt' });
    expect(planIdempotencyStore(t, REPORT).status).toBe('ticket');
  });

  it.each([
    { name: 'on-demand, right attribute', t: table('idempotency', { ttlStatus: 'DISABLING' }) },
    {
      name: 'provisioned, another attribute',
      t: table('idempotency', { ttlStatus: 'DISABLING', ttlAttribute: 'ttl', billingMode: 'PROVISIONED' }),
    },
  ])('TTL DISABLING → busy, no actions ($name)', ({ t }) => {
    expect(planIdempotencyStore(t, FIX)).toStrictEqual({
      status: 'busy',
      observed: observedOf(t),
      desired: { ttlStatus: 'ENABLED', ttlAttribute: 'expiresAt', billingMode: 'PAY_PER_REQUEST' },
      message: 'TTL is being disabled: looked at again next cycle',
    });
  });
});

describe('planIdempotencyStore: billing', () => {
  const reportOnly = ' (billing: report only; onDemandBilling: fix lets edaguard switch it)';
  const billed = 'billed PROVISIONED: bursts of retries will be throttled';
  const ttlOff = 'TTL is off: processed event ids are never expired';

  it.each([
    { s: IGNORE, ttl: 'ENABLED', status: 'pass', actions: [], message: 'TTL on "expiresAt"' },
    { s: IGNORE, ttl: 'DISABLED', status: 'drift', actions: [enableTtl], message: ttlOff },
    { s: REPORT, ttl: 'ENABLED', status: 'drift', actions: [], message: `${billed}${reportOnly}` },
    {
      s: REPORT,
      ttl: 'DISABLED',
      status: 'drift',
      actions: [enableTtl],
      message: `${ttlOff}; ${billed}${reportOnly}`,
    },
    { s: FIX, ttl: 'ENABLED', status: 'drift', actions: [onDemand], message: billed },
    {
      s: FIX,
      ttl: 'DISABLED',
      status: 'drift',
      actions: [enableTtl, onDemand],
      message: `${ttlOff}; ${billed}`,
    },
  ] as const)(
    'PROVISIONED, onDemandBilling $s.onDemandBilling, TTL $ttl → $status',
    ({ s, ttl, status, actions, message }) => {
      const t = table('idempotency', { billingMode: 'PROVISIONED', ttlStatus: ttl });
      const verdict = planIdempotencyStore(t, s);
      expect(verdict.status).toBe(status);
      expect(verdict.message).toBe(message);
      expect(verdict.actions ?? []).toStrictEqual(actions);
      expect(verdict.desired).toStrictEqual({
        ttlStatus: 'ENABLED',
        ttlAttribute: 'expiresAt',
        billingMode: s.onDemandBilling === 'ignore' ? 'PROVISIONED' : 'PAY_PER_REQUEST',
      });
    },
  );

  it.each([IGNORE, REPORT, FIX])(
    'PAY_PER_REQUEST and TTL on → pass (onDemandBilling $onDemandBilling)',
    (s) => {
      const verdict = planIdempotencyStore(T, s);
      expect(verdict.status).toBe('pass');
      expect(verdict.actions).toBeUndefined();
    },
  );
});
