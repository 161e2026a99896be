/** spec.exceptions in a policy: what the loader accepts, and its errors in plain words, where they are. */
import { describe, expect, it } from 'vitest';
import { PolicyValidationError } from '../../../src/errors.js';
import { parsePolicySources } from '../../../src/policy/loader.js';

const doc = (exceptions: string) => `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: orders }
spec:
  match: { tags: { team: orders } }
  rules:
    sqs-dead-letter-queue: {}
  exceptions:
${exceptions}`;

/** The issues of one document as `line path: message`. */
function issuesOf(text: string): string[] {
  try {
    parsePolicySources([{ file: 'p.yaml', text }]);
    return [];
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    return error.issues.map((i) => `${i.line} ${i.path}: ${i.message}`);
  }
}

describe('spec.exceptions', () => {
  it('accepts a waiver with resources, rules, reason and expires (ticket optional)', () => {
    const text = doc(
      '    - resources: [orders, "arn:aws:sqs:*:legacy-*"]\n      rules: [sqs-dead-letter-queue]\n      reason: the consumer is retired in Q2\n      expires: 2026-06-30\n      ticket: OPS-42',
    );
    const [policy] = parsePolicySources([{ file: 'p.yaml', text }]).policies;
    expect(policy?.exceptions).toEqual([
      {
        resources: ['orders', 'arn:aws:sqs:*:legacy-*'],
        rules: ['sqs-dead-letter-queue'],
        reason: 'the consumer is retired in Q2',
        expires: '2026-06-30',
        ticket: 'OPS-42',
        expiresAt: { file: 'p.yaml', line: 12, column: 16 },
      },
    ]);
  });

  it.each<[string, string, string[]]>([
    [
      'reason and expires are required',
      '    - { resources: [orders], rules: [sqs-dead-letter-queue] }',
      [
        '9 spec.exceptions.0.reason: required field is missing (a string)',
        '9 spec.exceptions.0.expires: required field is missing (a string)',
      ],
    ],
    [
      'an empty reason',
      '    - { resources: [orders], rules: [sqs-dead-letter-queue], reason: " ", expires: 2026-06-30 }',
      ['9 spec.exceptions.0.reason: a reason is required: why this drift is accepted'],
    ],
    [
      'a date that is not YYYY-MM-DD',
      '    - { resources: [orders], rules: [sqs-dead-letter-queue], reason: r, expires: 30/06/2026 }',
      ['9 spec.exceptions.0.expires: expected a date as YYYY-MM-DD, e.g. 2026-03-31, got "30/06/2026"'],
    ],
    [
      'a misspelled rule',
      '    - { resources: [orders], rules: [sqs-dead-leter-queue], reason: r, expires: 2026-06-30 }',
      [
        '9 spec.exceptions.0.rules.0: unknown rule "sqs-dead-leter-queue": did you mean "sqs-dead-letter-queue"?',
      ],
    ],
    [
      'a rule the policy does not have',
      '    - { resources: [orders], rules: [sqs-visibility-timeout], reason: r, expires: 2026-06-30 }',
      [
        '9 spec.exceptions.0.rules.0: "sqs-visibility-timeout" is not a rule of this policy, so there is nothing to waive (this policy\'s rules: sqs-dead-letter-queue)',
      ],
    ],
    [
      'a misspelled field',
      '    - { resources: [orders], rules: [sqs-dead-letter-queue], reason: r, expiry: 2026-06-30 }',
      [
        '9 spec.exceptions.0.expires: required field is missing (a string)',
        '9 spec.exceptions.0.expiry: unknown field "expiry": did you mean "expires"?',
      ],
    ],
    [
      'no resources',
      '    - { resources: [], rules: [sqs-dead-letter-queue], reason: r, expires: 2026-06-30 }',
      ['9 spec.exceptions.0.resources: needs at least 1 item(s), has 0'],
    ],
  ])('%s', (_, exceptions, expected) => {
    expect(issuesOf(doc(exceptions))).toEqual(expected);
  });
});
