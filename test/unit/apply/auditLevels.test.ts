/**
 * The audit trail's levels: a compliant or skipped finding is a `debug` line (most of an account is
 * compliant; at `info` those lines would bury the ones a person must act on), a failed one `error`,
 * and a finding that needs a person or a write stays `info`.
 */
import { describe, expect, it } from 'vitest';
import { unwrittenResult } from '../../../src/apply/notRun.js';
import type { Finding } from '../../../src/reconcile/model.js';
import { recordingLogger } from '../../support/harness.js';

const finding = (status: Finding['status']): Finding => ({
  resource: 'arn:aws:sqs:us-east-1:111122223333:orders',
  resourceType: 'sqs:queue',
  policy: 'orders',
  rule: 'sqs-dead-letter-queue',
  status,
  observed: null,
  desired: null,
  message: `${status} finding`,
  enforcement: 'enforce',
  actions: [],
});

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

describe('audit line levels of findings that write nothing', () => {
  it.each([
    ['pass', 'pass', LEVEL.debug],
    ['skipped', 'skipped', LEVEL.debug],
    ['ticket', 'ticket', LEVEL.info],
    ['drift', 'drift', LEVEL.info],
    ['error', 'failed', LEVEL.error],
  ] as const)('%s → status %s at level %i', (status, reported, level) => {
    const log = recordingLogger('debug');
    const result = unwrittenResult(log.logger, finding(status), 'no-write');
    expect(result.status).toBe(reported);
    expect(log.lines()).toEqual([expect.objectContaining({ level, status: reported, decision: 'none' })]);
  });

  it('an info logger (a terminal’s audit trail) leaves compliant findings out', () => {
    const log = recordingLogger('info');
    unwrittenResult(log.logger, finding('pass'), 'no-write');
    unwrittenResult(log.logger, finding('skipped'), 'no-write');
    expect(log.lines()).toEqual([]);
  });
});
