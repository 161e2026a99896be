import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/reconcile/model.js';
import { evaluate, resolveRule } from '../../../src/reconcile/ruleEvaluation.js';
import type { RuleVerdict } from '../../../src/reconcile/rules/verdict.js';
import { arnOf, policy, urlOf } from '../fixtures.js';

const RETENTION = (minSeconds: number) => ({ 'sqs-dlq-retention': { minSeconds } });
const SUBJECT = { resource: arnOf('orders'), resourceType: 'sqs:queue' as const, tags: {} };
const DRIFT: RuleVerdict = {
  status: 'drift',
  observed: { messageRetentionPeriod: 60 },
  desired: { messageRetentionPeriod: 86_400 },
  message: 'too short',
  actions: [
    {
      kind: 'SetQueueAttributes',
      queueArn: arnOf('orders'),
      queueUrl: urlOf('orders'),
      attributes: { MessageRetentionPeriod: '86400' },
    },
  ],
};

describe('resolveRule', () => {
  it('is none when no policy has the rule, governed when they agree, a conflict when they differ', () => {
    const a = policy({ name: 'a', rules: RETENTION(86_400) });
    const b = policy({ name: 'b', rules: RETENTION(86_400) });
    const c = policy({ name: 'c', rules: RETENTION(3_600) });
    expect(resolveRule([a], 'sqs-dlq-alarm').kind).toBe('none');
    expect(resolveRule([a, b], 'sqs-dlq-retention')).toMatchObject({ kind: 'governed', policies: [a, b] });
    expect(resolveRule([a, c], 'sqs-dlq-retention')).toMatchObject({ kind: 'conflict', policies: [a, c] });
  });
});

describe('evaluate', () => {
  it('adds no finding and asks nothing when no selecting policy governs the rule', () => {
    const findings: Finding[] = [];
    let asked = false;
    const verdict = evaluate(findings, [], 'sqs:queue', 'sqs-dlq-retention', SUBJECT, () => {
      asked = true;
      return DRIFT;
    });
    expect(verdict).toBeUndefined();
    expect(asked).toBe(false);
    expect(findings).toEqual([]);
  });

  it('makes the finding under the agreeing policies; audit when any of them audits', () => {
    const enforce = policy({ name: 'enforcing', enforcement: 'enforce', rules: RETENTION(86_400) });
    const audit = policy({ name: 'auditing', enforcement: 'audit', rules: RETENTION(86_400) });
    const findings: Finding[] = [];
    evaluate(findings, [enforce, audit], 'sqs:queue', 'sqs-dlq-retention', SUBJECT, (s) => {
      expect(s.minSeconds).toBe(86_400);
      return DRIFT;
    });
    expect(findings).toEqual([
      {
        resource: SUBJECT.resource,
        resourceType: 'sqs:queue',
        policy: 'enforcing,auditing',
        rule: 'sqs-dlq-retention',
        status: 'drift',
        observed: DRIFT.observed,
        desired: DRIFT.desired,
        message: 'too short',
        enforcement: 'audit',
        actions: DRIFT.actions,
      },
    ]);
  });

  it('turns disagreeing policies into one policy-conflict finding, with no writes', () => {
    const a = policy({ name: 'a', enforcement: 'enforce', rules: RETENTION(86_400) });
    const b = policy({ name: 'b', enforcement: 'enforce', rules: RETENTION(3_600) });
    const findings: Finding[] = [];
    const verdict = evaluate(findings, [a, b], 'sqs:queue', 'sqs-dlq-retention', SUBJECT, () => DRIFT);
    expect(verdict).toBeUndefined();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'policy-conflict', enforcement: 'audit', actions: [] });
  });

  it('tickets a drift on a resource that a tag the policy names marks as owned elsewhere', () => {
    const owned = {
      ...policy({ name: 'a', enforcement: 'enforce', rules: RETENTION(86_400) }),
      ticketWhenTagged: ['aws:cloudformation:stack-name'],
    };
    const findings: Finding[] = [];
    const subject = { ...SUBJECT, tags: { 'aws:cloudformation:stack-name': 'orders-stack' } };
    const verdict = evaluate(findings, [owned], 'sqs:queue', 'sqs-dlq-retention', subject, () => DRIFT);
    expect(verdict).toMatchObject({ status: 'ticket', actions: [] });
    expect(findings[0]?.message).toMatch(
      /^owned by aws:cloudformation:stack-name=orders-stack: .*too short$/,
    );
    // A pass is not a ticket, however the resource is owned.
    const passes: Finding[] = [];
    evaluate(passes, [owned], 'sqs:queue', 'sqs-dlq-retention', subject, () => ({
      status: 'pass',
      observed: null,
      desired: null,
      message: 'fine',
    }));
    expect(passes[0]?.status).toBe('pass');
  });
});
