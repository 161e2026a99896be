import { describe, expect, it } from 'vitest';
import type { ResultStatus } from '../../../src/apply/apply.js';
import { diffReports, reportState, targetKey } from '../../../src/notify/reportDigest.js';
import { queueArn, report, result } from '../../support/driftReports.js';

type Row = [name: string, rule: string, status: ResultStatus];
const build = (rows: Row[], notices: string[] = []) =>
  report(
    rows.map(([n, r, s]) => result(n, r, s)),
    notices.length > 0
      ? { notices: notices.map((code) => ({ code: code as 'change-cap-exceeded', message: code })) }
      : {},
  );
const R = 'sqs-dead-letter-queue';
const V = 'sqs-visibility-timeout';

describe('reportState', () => {
  it('keys only what needs attention, sorted, so that order and passes do not matter', () => {
    const a = reportState(
      build([
        ['a', R, 'drift'],
        ['b', R, 'pass'],
        ['c', V, 'ticket'],
        ['d', R, 'fixed'],
      ]),
    );
    const b = reportState(
      build([
        ['c', V, 'ticket'],
        ['a', R, 'drift'],
        ['e', R, 'skipped'],
      ]),
    );
    expect(a).toEqual(b);
    expect(a.keys).toEqual([`${queueArn('a')}\t${R}\tdrift`, `${queueArn('c')}\t${V}\tticket`]);
  });

  it('a different status is a different digest', () => {
    expect(reportState(build([['a', R, 'drift']])).digest).not.toBe(
      reportState(build([['a', R, 'failed']])).digest,
    );
  });

  it('keys targets apart', () => {
    expect(targetKey({ partition: 'aws', accountId: '1', region: 'eu-west-1' })).toBe('aws:1:eu-west-1');
  });
});

describe('diffReports', () => {
  it.each<{
    name: string;
    before: Row[] | undefined;
    now: Row[];
    opened?: string[];
    statusChanged?: string[];
    resolved?: string[];
    fixed?: string[];
    changed: boolean;
  }>([
    { name: 'first report, all compliant', before: undefined, now: [['a', R, 'pass']], changed: false },
    {
      name: 'first report with drift',
      before: undefined,
      now: [['a', R, 'drift']],
      opened: ['a'],
      changed: true,
    },
    {
      name: 'the same drift again',
      before: [['a', R, 'drift']],
      now: [
        ['a', R, 'drift'],
        ['b', R, 'pass'],
      ],
      changed: false,
    },
    {
      name: 'new drift next to old drift',
      before: [['a', R, 'drift']],
      now: [
        ['a', R, 'drift'],
        ['b', V, 'ticket'],
      ],
      opened: ['b'],
      changed: true,
    },
    {
      name: 'drift turned failure',
      before: [['a', R, 'drift']],
      now: [['a', R, 'failed']],
      statusChanged: ['a'],
      changed: true,
    },
    {
      name: 'drift turned pass',
      before: [['a', R, 'drift']],
      now: [['a', R, 'pass']],
      resolved: ['a'],
      changed: true,
    },
    {
      name: 'drift fixed (both fixed and resolved)',
      before: [['a', R, 'drift']],
      now: [['a', R, 'fixed']],
      resolved: ['a'],
      fixed: ['a'],
      changed: true,
    },
    {
      name: 'drift gone from the report',
      before: [['a', R, 'drift']],
      now: [['b', R, 'pass']],
      resolved: ['a'],
      changed: true,
    },
    { name: 'a fix is always news', before: [], now: [['a', R, 'fixed']], fixed: ['a'], changed: true },
    { name: 'an empty report after an empty one', before: [], now: [], changed: false },
  ])('$name', ({ before, now, opened = [], statusChanged = [], resolved = [], fixed = [], changed }) => {
    const previous = before ? reportState(build(before)) : undefined;
    const diff = diffReports(previous, build(now));
    expect(diff.opened.map((r) => r.resource)).toEqual(opened.map((n) => queueArn(n)));
    expect(diff.statusChanged.map((r) => r.resource)).toEqual(statusChanged.map((n) => queueArn(n)));
    expect(diff.resolved.map((r) => r.resource)).toEqual(resolved.map((n) => queueArn(n)));
    expect(diff.fixed.map((r) => r.resource)).toEqual(fixed.map((n) => queueArn(n)));
    expect(diff.changed).toBe(changed);
  });

  it('says what a resolved item was and is', () => {
    const diff = diffReports(
      reportState(
        build([
          ['a', R, 'ticket'],
          ['b', R, 'failed'],
        ]),
      ),
      build([['a', R, 'pass']]),
    );
    expect(diff.resolved).toEqual([
      { resource: queueArn('a'), rule: R, previousStatus: 'ticket', status: 'pass' },
      { resource: queueArn('b'), rule: R, previousStatus: 'failed' },
    ]);
  });

  it('a new notice is news; the same notice again is not', () => {
    const first = build([['a', R, 'drift']], ['change-cap-exceeded']);
    expect(diffReports(reportState(build([['a', R, 'drift']])), first).newNotices).toHaveLength(1);
    expect(diffReports(reportState(first), first).changed).toBe(false);
  });
});
