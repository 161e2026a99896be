import { describe, expect, it } from 'vitest';
import { createScrubber } from '../../../../src/notify/redact.js';
import { ticketFingerprint } from '../../../../src/notify/tickets/fingerprint.js';
import { planTickets, reconcileTickets } from '../../../../src/notify/tickets/reconcileTickets.js';
import type { TicketRef, TicketSink } from '../../../../src/notify/tickets/sink.js';
import { stateHashOf } from '../../../../src/notify/tickets/ticketContent.js';
import type { DriftResult } from '../../../../src/report/driftReport.js';
import { accessDenied, NOTIFY_TARGET, queueArn, report, result } from '../../../support/driftReports.js';
import { recordingLogger } from '../../../support/harness.js';

const V = 'sqs-visibility-timeout';
const fp = (name: string, rule = V) => ticketFingerprint(NOTIFY_TARGET, queueArn(name), rule);
const ticket = (name: string, rule = V, extra: Partial<TicketRef> = {}): TicketRef => ({
  fingerprint: fp(name, rule),
  id: `#${name}`,
  stateHash: stateHashOf(result(name, rule, 'ticket')),
  ...extra,
});
const summary = (results: DriftResult[], open: TicketRef[], maxOps = 30) => {
  const plan = planTickets(report(results), open, { maxOps });
  const describe = (op: (typeof plan.ops)[number]) =>
    op.kind === 'open'
      ? `open ${op.content.facts.resource.split(':').pop()}/${op.content.facts.rule}`
      : op.kind === 'update'
        ? `update ${op.ref.id}`
        : `resolve ${op.ref.id} (${op.resolution.reason})`;
  return {
    ops: plan.ops.map(describe),
    deferred: plan.deferred.map(describe),
    unchanged: plan.unchanged.map((r) => r.id),
  };
};

describe('planTickets', () => {
  it.each<{ name: string; results: DriftResult[]; open: TicketRef[]; ops: string[]; unchanged?: string[] }>([
    {
      name: 'a new ticket finding opens a ticket',
      results: [result('a', V, 'ticket')],
      open: [],
      ops: [`open a/${V}`],
    },
    {
      name: 'an AccessDenied read opens a ticket on read-error',
      results: [accessDenied('a')],
      open: [],
      ops: ['open a/read-error'],
    },
    {
      name: 'the same finding with its ticket open: nothing to write',
      results: [result('a', V, 'ticket')],
      open: [ticket('a')],
      ops: [],
      unchanged: ['#a'],
    },
    {
      name: 'the finding changed: update the ticket',
      results: [result('a', V, 'ticket', { observed: { value: 7 } })],
      open: [ticket('a')],
      ops: ['update #a'],
    },
    {
      name: 'a ticket without a state marker is updated once',
      results: [result('a', V, 'ticket')],
      open: [ticket('a', V, { stateHash: undefined })],
      ops: ['update #a'],
    },
    {
      name: 'pass closes',
      results: [result('a', V, 'pass')],
      open: [ticket('a')],
      ops: ['resolve #a (pass)'],
    },
    {
      name: 'fixed closes',
      results: [result('a', V, 'fixed')],
      open: [ticket('a')],
      ops: ['resolve #a (fixed)'],
    },
    {
      name: 'skipped closes',
      results: [result('a', V, 'skipped')],
      open: [ticket('a')],
      ops: ['resolve #a (skipped)'],
    },
    {
      name: 'drift keeps the ticket open (not fixed yet)',
      results: [result('a', V, 'drift')],
      open: [ticket('a')],
      ops: [],
    },
    {
      name: 'a failure that is not AccessDenied keeps it open',
      results: [result('a', V, 'failed')],
      open: [ticket('a')],
      ops: [],
    },
    {
      name: 'a resource missing from the report (discovery failed) keeps its ticket',
      results: [result('b', V, 'pass')],
      open: [ticket('a')],
      ops: [],
    },
    {
      name: 'the resource is there but this rule was not evaluated: keep it',
      results: [result('a', 'sqs-dead-letter-queue', 'pass')],
      open: [ticket('a')],
      ops: [],
    },
    {
      name: 'a read-error ticket closes when the resource is read and evaluated again',
      results: [result('a', V, 'drift')],
      open: [ticket('a', 'read-error')],
      ops: ['resolve #a (readable)'],
    },
    {
      name: 'a read-error ticket stays while the read still fails',
      results: [result('a', 'read-error', 'failed', { observed: { code: 'Throttling' } })],
      open: [ticket('a', 'read-error')],
      ops: [],
    },
    {
      name: 'a read-error ticket stays when the resource is absent',
      results: [result('b', V, 'pass')],
      open: [ticket('a', 'read-error')],
      ops: [],
    },
    {
      name: 'tickets of another target are left alone',
      results: [result('a', V, 'pass')],
      open: [
        {
          ...ticket('a'),
          fingerprint: ticketFingerprint({ ...NOTIFY_TARGET, region: 'eu-west-1' }, queueArn('a'), V),
        },
      ],
      ops: [],
    },
    {
      name: 'a duplicate open ticket is closed in favour of the first',
      results: [result('a', V, 'ticket')],
      open: [ticket('a', V, { id: '1', url: 'https://t/1' }), ticket('a', V, { id: '2' })],
      ops: ['resolve 2 (duplicate)'],
      unchanged: ['1'],
    },
    {
      name: 'opens first, then updates, then closes',
      results: [result('c', V, 'pass'), result('b', V, 'ticket', { observed: 9 }), result('a', V, 'ticket')],
      open: [ticket('b'), ticket('c')],
      ops: [`open a/${V}`, 'update #b', 'resolve #c (pass)'],
    },
  ])('$name', ({ results, open, ops, unchanged = [] }) => {
    const planned = summary(results, open);
    expect(planned.ops).toEqual(ops);
    expect(planned.unchanged).toEqual(unchanged);
    expect(planned.deferred).toEqual([]);
  });

  it('defers what does not fit in the budget', () => {
    const results = ['a', 'b', 'c'].map((n) => result(n, V, 'ticket'));
    expect(summary(results, [], 2)).toEqual({
      ops: [`open a/${V}`, `open b/${V}`],
      deferred: [`open c/${V}`],
      unchanged: [],
    });
  });
});

describe('reconcileTickets', () => {
  const sink = (overrides: Partial<TicketSink>): TicketSink => ({
    kind: 'dry-run',
    listOpen: async () => [],
    open: async (c) => ({ fingerprint: c.fingerprint, id: 'new', url: 'https://t/new' }),
    update: async (ref) => ref,
    resolve: async () => {},
    ...overrides,
  });
  const options = () => ({ maxOps: 30, logger: recordingLogger().logger, scrub: createScrubber([]) });

  it('does nothing when the open tickets cannot be listed (it could duplicate them)', async () => {
    let opened = 0;
    const outcome = await reconcileTickets(
      report([result('a', V, 'ticket')]),
      sink({
        listOpen: async () => {
          throw new Error('boom');
        },
        open: async (c) => {
          opened += 1;
          return { fingerprint: c.fingerprint, id: 'x' };
        },
      }),
      options(),
    );
    expect(opened).toBe(0);
    expect(outcome).toMatchObject({ failed: 1, opened: 0 });
  });

  it("lists and closes the report's target's tickets: the sink is told which target", async () => {
    const asked: unknown[] = [];
    await reconcileTickets(
      report([result('c', V, 'pass')]),
      sink({
        listOpen: async (target) => {
          asked.push(['list', target]);
          return [ticket('c')];
        },
        resolve: async (_ref, _resolution, target) => {
          asked.push(['resolve', target]);
        },
      }),
      options(),
    );
    expect(asked).toEqual([
      ['list', NOTIFY_TARGET],
      ['resolve', NOTIFY_TARGET],
    ]);
  });

  it('counts a failed operation and carries on with the rest', async () => {
    const outcome = await reconcileTickets(
      report([result('a', V, 'ticket'), result('b', V, 'ticket'), result('c', V, 'pass')]),
      sink({
        listOpen: async () => [ticket('c')],
        open: async (c) => {
          if (c.facts.resource === queueArn('a'))
            throw Object.assign(new Error('rate limited'), { status: 429 });
          return { fingerprint: c.fingerprint, id: 'b1', url: 'https://t/b1' };
        },
      }),
      options(),
    );
    expect(outcome).toMatchObject({ opened: 1, resolved: 1, failed: 1, unchanged: 0 });
    expect([...outcome.links.values()].map((r) => r.id)).toEqual(['b1']);
  });
});
