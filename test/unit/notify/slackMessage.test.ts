import { describe, expect, it } from 'vitest';
import { diffReports, reportState } from '../../../src/notify/reportDigest.js';
import {
  buildSlackMessage,
  escapeMrkdwn,
  listSection,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackPayload,
} from '../../../src/notify/slackMessage.js';
import { plainText, renderSlackText } from '../../../src/notify/slackText.js';
import { ticketFingerprint } from '../../../src/notify/tickets/fingerprint.js';
import { NOTIFY_TARGET, queueArn, report, result } from '../../support/driftReports.js';

const R = 'sqs-dead-letter-queue';
const V = 'sqs-visibility-timeout';

const sectionTexts = (p: SlackPayload) =>
  p.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
const header = (p: SlackPayload) => (p.blocks[0] as Extract<SlackBlock, { type: 'header' }>).text.text;

describe('buildSlackMessage', () => {
  const current = report([
    result('orders', R, 'fixed', { message: 'it has no DLQ; create orders-dlq and attach it' }),
    result('payments.fifo', V, 'ticket'),
    result('shipping', R, 'drift'),
    result('audit', R, 'pass'),
    result('legacy', 'read-error', 'failed', { message: 'GetQueueAttributes failed: AccessDenied: no' }),
  ]);
  const changes = diffReports(undefined, current);
  const fp = ticketFingerprint(NOTIFY_TARGET, queueArn('payments.fifo'), V);
  const payload = buildSlackMessage({
    report: current,
    changes,
    ticketLinks: new Map([
      [fp, { fingerprint: fp, id: '12', url: 'https://github.example/acme/platform/issues/12' }],
    ]),
  });

  it('is Block Kit: a header, the counts, what changed, then the lists', () => {
    expect(payload.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'context',
      'divider',
      'section',
      'section',
      'section',
    ]);
    expect(header(payload)).toBe(':rotating_light: edaguard: 2 need a person in 123456789012/us-east-1');
    const counts = payload.blocks[1] as Extract<SlackBlock, { type: 'section' }>;
    expect(counts.fields?.map((f) => f.text)).toEqual([
      '*Resources*\n5',
      '*Compliant*\n1',
      '*Fixed*\n1',
      '*Need a person*\n1',
      '*Failed*\n1',
      '*Drifted*\n1',
      '*Deferred*\n0',
    ]);
    expect(payload.text).toBe(
      'edaguard 123456789012/us-east-1: 2 need a person, 1 fixed, 1 drifted, 0 resolved',
    );
  });

  it('lists what needs a person first (new first, failures before tickets), with the ticket link', () => {
    const [needs, fixed, unfixed] = sectionTexts(payload).slice(0);
    expect(needs).toBe(
      [
        ':raising_hand: *Needs a person* (2)',
        '• *new* `legacy` read-error: GetQueueAttributes failed: AccessDenied: no',
        '• *new* `payments.fifo` sqs-visibility-timeout: needs 50000 s, above the SQS maximum of 43200 s: shorten the function timeout <https://github.example/acme/platform/issues/12|#12>',
      ].join('\n'),
    );
    expect(fixed).toBe(
      ':wrench: *Fixed since the last report* (1)\n• `orders` sqs-dead-letter-queue: it has no DLQ; create orders-dlq and attach it',
    );
    expect(unfixed).toContain(':hourglass_flowing_sand: *Drift not fixed* (1)\n• *new* `shipping`');
  });

  it('lists what was resolved, once (a fixed item is not listed twice)', () => {
    const before = reportState(
      report([result('a', R, 'drift'), result('b', R, 'ticket'), result('c', R, 'failed')]),
    );
    const now = report([result('a', R, 'fixed'), result('b', R, 'pass')]);
    const texts = sectionTexts(buildSlackMessage({ report: now, changes: diffReports(before, now) }));
    expect(texts).toEqual([
      ':wrench: *Fixed since the last report* (1)\n• `a` sqs-dead-letter-queue: it has no DLQ; create it and attach it',
      [
        ':white_check_mark: *Resolved since the last report* (2)',
        '• `b` sqs-dead-letter-queue: was ticket, now pass',
        '• `c` sqs-dead-letter-queue: was failed, now gone from the report',
      ].join('\n'),
    ]);
  });

  it('cuts long lists with a count of the rest', () => {
    const many = report(
      Array.from({ length: 25 }, (_, i) => result(`q${String(i).padStart(2, '0')}`, R, 'drift')),
    );
    const texts = sectionTexts(
      buildSlackMessage({ report: many, changes: diffReports(undefined, many), maxItems: 10 }),
    );
    const lines = (texts[0] ?? '').split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe(':hourglass_flowing_sand: *Drift not fixed* (25)');
    expect(lines[11]).toBe('…and 15 more');
  });

  it('stays within Slack limits whatever the messages', () => {
    const huge = report(
      Array.from({ length: 60 }, (_, i) => result(`q${i}`, R, 'ticket', { message: 'x'.repeat(5000) })),
      { dryRun: true },
    );
    const p = buildSlackMessage({ report: huge, changes: diffReports(undefined, huge), maxItems: 60 });
    for (const text of sectionTexts(p)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(header(p).length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header(p)).toMatch(/^DRY-RUN /);
    expect(p.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(sectionTexts(p)[0]).toMatch(/…and \d+ more$/);
  });

  it('escapes mrkdwn control characters in messages', () => {
    const r = report([result('a', R, 'ticket', { message: 'value <1> & <!channel>' })]);
    const [needs] = sectionTexts(buildSlackMessage({ report: r, changes: diffReports(undefined, r) }));
    expect(needs).toContain('value &lt;1&gt; &amp; &lt;!channel&gt;');
    expect(needs).not.toContain('<!channel>');
  });

  it('shows notices about the whole cycle', () => {
    const r = report([result('a', R, 'drift')], {
      notices: [{ code: 'change-cap-exceeded', message: 'the plan has 500 writes, above the cap of 100' }],
    });
    expect(sectionTexts(buildSlackMessage({ report: r, changes: diffReports(undefined, r) }))).toContain(
      ':information_source: the plan has 500 writes, above the cap of 100',
    );
  });
});

describe('listSection', () => {
  it.each([
    { lines: 0, max: 10, shown: undefined },
    { lines: 3, max: 10, shown: 3 },
    { lines: 11, max: 10, shown: 10 },
    { lines: 5, max: 0, shown: 0 },
  ])('$lines lines, at most $max → $shown shown', ({ lines, max, shown }) => {
    const block = listSection(
      'T',
      Array.from({ length: lines }, (_, i) => `• ${i}`),
      max,
    );
    if (shown === undefined) return expect(block).toBeUndefined();
    const text = (block as { text: { text: string } }).text.text.split('\n');
    expect(text.filter((l) => l.startsWith('• '))).toHaveLength(shown);
    if (lines > shown) expect(text.at(-1)).toBe(`…and ${lines - shown} more`);
  });
});

describe('Slack text rendering', () => {
  it('escapes and unescapes', () => {
    expect(plainText(escapeMrkdwn('a <b> & c'))).toBe('a <b> & c');
    expect(plainText('*Fixed* `orders` <https://x.example/1|#1>')).toBe(
      'Fixed orders #1 (https://x.example/1)',
    );
  });

  it('renders the message as readable text', () => {
    const r = report([result('orders', R, 'fixed'), result('payments.fifo', V, 'ticket')]);
    const text = renderSlackText(buildSlackMessage({ report: r, changes: diffReports(undefined, r) }));
    expect(text).toContain('(!) edaguard: 1 need a person in 123456789012/us-east-1\n=====');
    expect(text).toContain('Resources: 2 | Compliant: 0 | Fixed: 1 | Need a person: 1');
    expect(text).toContain('Needs a person (1)\n• new payments.fifo sqs-visibility-timeout: needs 50000 s');
    expect(text).toContain('Fixed since the last report (1)\n• orders sqs-dead-letter-queue');
    expect(text).not.toMatch(/[*`]|:[a-z_]+:/);
  });
});
