/**
 * The generic JSON ticket webhook against a local receiver: open | update | resolve events with
 * the fingerprint, no duplicate across cycles and (with the state file) restarts, retries, a dead
 * endpoint, and no secret URL in any log line or state file.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ticketFingerprint } from '../../src/notify/tickets/fingerprint.js';
import { NOTIFY_TARGET, queueArn, report, result } from '../support/driftReports.js';
import { fakeTicketWebhook } from '../support/fakeApis.js';
import { expectNoSecrets, testNotifier } from '../support/notifyHarness.js';
import { deadEndpoint, type RecordingServer, startRecordingServer } from '../support/recordingServer.js';

const V = 'sqs-visibility-timeout';
const SECRET = 'hook-secret-5a4b3c';
const HOOK = `/hooks/${SECRET}`;

let server: RecordingServer;
let receiver: ReturnType<typeof fakeTicketWebhook>;
beforeEach(async () => {
  server = await startRecordingServer();
  receiver = fakeTicketWebhook(server, SECRET);
});
afterEach(() => server.close());

const env = () => ({ EDAGUARD_TICKETS: 'webhook', EDAGUARD_TICKET_WEBHOOK_URL: receiver.url });
const finding = (observed: unknown = { VisibilityTimeout: 30 }) =>
  result('payments.fifo', V, 'ticket', { observed });
const fp = ticketFingerprint(NOTIFY_TARGET, queueArn('payments.fifo'), V);
const events = () => server.find('POST', HOOK).map((r) => (r.body as { event: string }).event);

describe('ticket webhook', () => {
  it('posts open, then update on change, then resolve, each with the fingerprint', async () => {
    const t = testNotifier(env());
    await t.notifier.notify(report([finding()]));
    await t.notifier.notify(report([finding()]));
    await t.notifier.notify(report([finding({ VisibilityTimeout: 45 })]));
    await t.notifier.notify(report([result('payments.fifo', V, 'pass')]));
    await t.notifier.notify(report([result('payments.fifo', V, 'pass')]));
    expect(events()).toEqual(['open', 'update', 'resolve']);

    const [open, update, resolve] = server.find('POST', HOOK);
    expect(open?.headers['content-type']).toBe('application/json');
    expect(open?.headers['idempotency-key']).toMatch(new RegExp(`^${fp}-open-[0-9a-f]+$`));
    expect(open?.body).toMatchObject({
      source: 'edaguard',
      event: 'open',
      fingerprint: fp,
      ticket: {
        title: '[edaguard] sqs-visibility-timeout: payments.fifo (123456789012/us-east-1)',
        resource: queueArn('payments.fifo'),
        rule: V,
        status: 'ticket',
        observed: { VisibilityTimeout: 30 },
        desired: { value: 1 },
        whyItMatters: expect.stringMatching(/^A visibility timeout shorter/),
        whatToDo: expect.any(String),
        labels: ['edaguard', `edaguard-${fp}`],
      },
    });
    expect(update?.body).toMatchObject({
      event: 'update',
      ticketId: 'T-1',
      ticket: { observed: { VisibilityTimeout: 45 } },
    });
    expect(resolve?.body).toMatchObject({ event: 'resolve', ticketId: 'T-1', resolution: 'pass' });
    expect(receiver.tickets.get(fp)).toMatchObject({ open: false, events: ['open', 'update', 'resolve'] });
  });

  it('remembers open tickets in the state file, so a restart does not open them again', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-hook-'));
    const stateFile = path.join(dir, 'notify-state.json');
    await testNotifier({ ...env(), EDAGUARD_NOTIFY_STATE_FILE: stateFile }).notifier.notify(
      report([finding()]),
    );
    const restarted = testNotifier({ ...env(), EDAGUARD_NOTIFY_STATE_FILE: stateFile });
    expect((await restarted.notifier.notify(report([finding()]))).tickets).toMatchObject({
      opened: 0,
      unchanged: 1,
    });
    expect(events()).toEqual(['open']);
    const state = JSON.parse(await readFile(stateFile, 'utf8'));
    expect(state.tickets[fp]).toMatchObject({ id: 'T-1', url: 'https://tickets.example/T-1' });
    expectNoSecrets(JSON.stringify(state), [receiver.url, SECRET]);
  });

  it('counts a ticket whose state could not be written (the event went; the receiver dedupes a repeat)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-hook-'));
    const blocker = path.join(dir, 'not-a-directory');
    await writeFile(blocker, 'x');
    const t = testNotifier({ ...env(), EDAGUARD_NOTIFY_STATE_FILE: path.join(blocker, 'state.json') });
    expect(await t.notifier.notify(report([finding()]))).toMatchObject({
      tickets: { opened: 0, failed: 1 },
      errors: 1,
    });
    expect(events()).toEqual(['open']);
    expect(t.logs()).toContain('cannot write notification state');
  });

  it('retries 429 (after Retry-After) and 5xx', async () => {
    server.script(
      'POST',
      HOOK,
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 502, body: 'bad gateway' },
    );
    const t = testNotifier(env());
    expect((await t.notifier.notify(report([finding()]))).tickets).toMatchObject({ opened: 1, failed: 0 });
    expect(server.find('POST', HOOK)).toHaveLength(3);
    expect(t.waits[0]).toBeGreaterThanOrEqual(2000);
    // Every retry of one event carries the same idempotency key.
    expect(new Set(server.find('POST', HOOK).map((r) => r.headers['idempotency-key'])).size).toBe(1);
  });

  it('a dead receiver is retried and counted, every cycle, without throwing', async () => {
    const dead = `${await deadEndpoint()}/hooks/${SECRET}`;
    const t = testNotifier({ EDAGUARD_TICKETS: 'webhook', EDAGUARD_TICKET_WEBHOOK_URL: dead });
    const outcome = await t.notifier.notify(report([finding()]));
    expect(outcome).toMatchObject({ tickets: { failed: 1, opened: 0 }, errors: 1 });
    expect(t.waits).toHaveLength(3);
    expect((await t.notifier.notify(report([finding()]))).tickets).toMatchObject({ failed: 1, opened: 0 });
    expectNoSecrets(t.logs(), [dead, SECRET]);
  });
});
