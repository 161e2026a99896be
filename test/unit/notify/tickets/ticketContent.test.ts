import { describe, expect, it } from 'vitest';
import {
  fingerprintFromLabels,
  fingerprintLabel,
  markdownMarkers,
  markersIn,
  ticketFingerprint,
} from '../../../../src/notify/tickets/fingerprint.js';
import { RULE_GUIDANCE } from '../../../../src/notify/tickets/ruleGuidance.js';
import {
  isAccessDenied,
  needsTicket,
  resolution,
  resourceName,
  stateHashOf,
  ticketContent,
} from '../../../../src/notify/tickets/ticketContent.js';
import { RULE_IDS } from '../../../../src/policy/schema.js';
import { accessDenied, NOTIFY_TARGET, queueArn, result } from '../../../support/driftReports.js';

const V = 'sqs-visibility-timeout';

describe('ticketFingerprint', () => {
  const base = ticketFingerprint(NOTIFY_TARGET, queueArn('orders'), V);

  it('is 16 hex characters and stable', () => {
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(ticketFingerprint({ ...NOTIFY_TARGET }, queueArn('orders'), V)).toBe(base);
  });

  it.each([
    {
      what: 'account',
      fp: ticketFingerprint({ ...NOTIFY_TARGET, accountId: '210987654321' }, queueArn('orders'), V),
    },
    {
      what: 'region',
      fp: ticketFingerprint({ ...NOTIFY_TARGET, region: 'eu-west-1' }, queueArn('orders'), V),
    },
    { what: 'resource', fp: ticketFingerprint(NOTIFY_TARGET, queueArn('orders-2'), V) },
    { what: 'rule', fp: ticketFingerprint(NOTIFY_TARGET, queueArn('orders'), 'sqs-dead-letter-queue') },
  ])('changes with the $what', ({ fp }) => {
    expect(fp).not.toBe(base);
  });

  it('is found again from a label or from the hidden markers', () => {
    expect(fingerprintLabel(base)).toBe(`edaguard-${base}`);
    expect(fingerprintFromLabels(['bug', 'edaguard', fingerprintLabel(base)])).toBe(base);
    expect(fingerprintFromLabels(['edaguard', 'edaguard-nothex'])).toBeUndefined();
    expect(markersIn(`text\n${markdownMarkers(base, 'abc123')}`)).toEqual({
      fingerprint: base,
      stateHash: 'abc123',
    });
    expect(markersIn(JSON.stringify({ text: `edaguard:fingerprint=${base} edaguard:state=00ff` }))).toEqual({
      fingerprint: base,
      stateHash: '00ff',
    });
    expect(markersIn(null)).toEqual({});
  });
});

describe('which results get a ticket', () => {
  it.each([
    { name: 'ticket', r: result('q', V, 'ticket'), ticket: true },
    { name: 'AccessDenied read', r: accessDenied('q'), ticket: true },
    {
      name: 'AccessDenied write',
      r: result('q', V, 'failed', {
        message: 'SetQueueAttributes failed: AccessDenied: User is not authorized',
        observed: { VisibilityTimeout: 30 },
      }),
      ticket: true,
    },
    {
      name: 'AccessDeniedException code',
      r: result('q', 'read-error', 'failed', { observed: { code: 'AccessDeniedException' }, message: 'x' }),
      ticket: true,
    },
    {
      name: 'throttled read',
      r: result('q', 'read-error', 'failed', { observed: { code: 'Throttling' } }),
      ticket: false,
    },
    { name: 'a write that failed otherwise', r: result('q', V, 'failed'), ticket: false },
    { name: 'drift', r: result('q', V, 'drift'), ticket: false },
    { name: 'deferred', r: result('q', V, 'deferred'), ticket: false },
    {
      name: 'pass',
      r: result('q', V, 'pass', { message: 'AccessDenied in a passing message' }),
      ticket: false,
    },
  ])('$name: $ticket', ({ r, ticket }) => {
    expect(needsTicket(r)).toBe(ticket);
  });

  it('AccessDenied is only about failures', () => {
    expect(isAccessDenied(result('q', V, 'ticket', { message: 'AccessDenied' }))).toBe(false);
  });
});

describe('ticketContent', () => {
  const r = result('payments.fifo', V, 'ticket', {
    observed: { VisibilityTimeout: 30, consumers: [{ timeout: 900 }] },
    desired: { VisibilityTimeout: 54000 },
    message:
      'needs 54000 s (6 × 900 s), above the SQS maximum of 43200 s: shorten the function timeout or lower lambdaTimeoutMultiple',
  });
  const content = ticketContent(NOTIFY_TARGET, r, '2027-01-04T03:00:00.000Z');

  it('has a title that names rule, resource and target', () => {
    expect(content.title).toBe('[edaguard] sqs-visibility-timeout: payments.fifo (123456789012/us-east-1)');
    expect(content.labels).toEqual(['edaguard', `edaguard-${content.fingerprint}`]);
  });

  it('says what is wrong, why it matters, what to do, observed and desired, and carries the markers', () => {
    const body = content.body;
    expect(body).toContain(`**What is wrong:** ${r.message}`);
    expect(body).toContain(`**Why it matters:** ${RULE_GUIDANCE[V]?.why}`);
    expect(body).toContain(`**What to do:** ${RULE_GUIDANCE[V]?.todo}`);
    expect(body).toContain('**Observed**\n```json\n{\n  "VisibilityTimeout": 30,');
    expect(body).toContain('**Desired**\n```json\n{\n  "VisibilityTimeout": 54000\n}\n```');
    expect(body).toContain(`| Resource | \`${queueArn('payments.fifo')}\` |`);
    expect(markersIn(body)).toEqual({ fingerprint: content.fingerprint, stateHash: content.stateHash });
  });

  it('tells how to fix an AccessDenied whatever the rule', () => {
    const denied = ticketContent(NOTIFY_TARGET, accessDenied('q'), 'now');
    expect(denied.facts.whatToDo).toMatch(/deploy\/iam\/edaguard-policy\.json/);
    expect(denied.facts.whyItMatters).toBe(RULE_GUIDANCE['read-error']?.why);
  });

  it('the state hash follows what is reported, not when or how it is worded', () => {
    const reworded = { ...r, message: 'other words' };
    expect(stateHashOf(r)).toBe(stateHashOf(reworded));
    expect(ticketContent(NOTIFY_TARGET, r, 'later').stateHash).toBe(content.stateHash);
    expect(stateHashOf({ ...r, observed: { VisibilityTimeout: 60 } })).not.toBe(content.stateHash);
    expect(stateHashOf({ ...r, status: 'failed' })).not.toBe(content.stateHash);
  });

  it('names resources briefly', () => {
    expect(resourceName(queueArn('orders'))).toBe('orders');
    expect(resourceName('arn:aws:lambda:us-east-1:1:function:fn')).toBe('function:fn');
    expect(resourceName('not-an-arn')).toBe('not-an-arn');
  });

  it('resolution comments say why the ticket closes', () => {
    const at = '2027-01-05T03:00:00Z';
    expect(resolution('fixed', { resource: queueArn('a'), rule: V, at }).comment).toBe(
      `Resolved: edaguard fixed \`a\` (${V}) at ${at} and read the fix back. Closing.`,
    );
    expect(resolution('pass', { resource: queueArn('a'), rule: V, at }).comment).toMatch(/compliant/);
    expect(resolution('duplicate', { resource: 'a', rule: V, at, duplicateOf: '#3' }).comment).toMatch(
      /^Duplicate of #3/,
    );
  });
});

describe('RULE_GUIDANCE', () => {
  const issueRules = [
    'sqs-dead-letter-queue',
    'sqs-dlq-retention',
    'sqs-visibility-timeout',
    'esm-stream-failure-handling',
    'esm-partial-batch-response',
    'lambda-async-invoke-config',
    'idempotency-store',
    'sqs-fifo-ordering',
    'sqs-dlq-alarm',
    'stream-iterator-age-alarm',
    'dlq-not-empty',
    'policy-conflict',
    'read-error',
  ];

  it.each([...new Set([...issueRules, ...RULE_IDS])])(
    '%s has one line of why and one of what to do',
    (rule) => {
      const g = RULE_GUIDANCE[rule];
      expect(g?.why).toMatch(/^\S.*\.$/);
      expect(g?.todo).toMatch(/^\S.*\.$/);
      expect(`${g?.why}${g?.todo}`).not.toContain('\n');
    },
  );
});
