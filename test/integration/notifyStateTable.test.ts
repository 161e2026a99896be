/**
 * Notification state in the state table (moto's DynamoDB), one item per target: a restarted
 * notifier neither re-posts an unchanged Slack report nor re-opens a webhook ticket (with the
 * memory store it re-posts), two targets' notifiers interleaved keep their own state, a stale
 * writer cannot overwrite a newer state, and an unreachable table is counted, never thrown.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/discovery/inventory.js';
import { createNotifier } from '../../src/notify/index.js';
import { decodeNotifyItem } from '../../src/notify/notifyStateItem.js';
import { targetKey } from '../../src/notify/reportDigest.js';
import { retryPolicy } from '../../src/notify/retry.js';
import { createSlackNotifier } from '../../src/notify/slackNotifier.js';
import { tableStateStore } from '../../src/notify/tableStateStore.js';
import { ticketFingerprint } from '../../src/notify/tickets/fingerprint.js';
import { createStateTable } from '../../src/runtime/stateTable.js';
import { NOTIFY_TARGET, queueArn, report, result } from '../support/driftReports.js';
import { fakeSlack, fakeTicketWebhook } from '../support/fakeApis.js';
import { recordingLogger, testClients, useCleanEmulator } from '../support/harness.js';
import { expectNoSecrets, testNotifier } from '../support/notifyHarness.js';
import { deadEndpoint, type RecordingServer, startRecordingServer } from '../support/recordingServer.js';

useCleanEmulator();

const TABLE = 'edaguard-state';
const R = 'sqs-dead-letter-queue';
const V = 'sqs-visibility-timeout';
const SLACK_SECRET = 'xoxb-not-a-real-secret-4c3b2a';
const HOOK_SECRET = 'hook-secret-77aa66';
const SLACK_PATH = '/services/:team/:bot/:secret';
const OTHER: Target = { partition: 'aws', accountId: '210987654321', region: 'eu-west-1' };

const aws = testClients();
afterAll(() => aws.destroy());
const stateTable = { dynamodb: aws.dynamodb, table: TABLE };

let server: RecordingServer;
let slackUrl: string;
let hookUrl: string;
beforeEach(async () => {
  server = await startRecordingServer();
  slackUrl = fakeSlack(server, SLACK_SECRET).url;
  hookUrl = fakeTicketWebhook(server, HOOK_SECRET).url;
  await createStateTable(aws.dynamodb, TABLE, recordingLogger().logger);
});
afterEach(() => server.close());

const env = () => ({
  EDAGUARD_SLACK_WEBHOOK_URL: slackUrl,
  EDAGUARD_TICKETS: 'webhook',
  EDAGUARD_TICKET_WEBHOOK_URL: hookUrl,
});
const slackPosts = () => server.find('POST', SLACK_PATH);
const hookEvents = () =>
  server
    .find('POST', `/hooks/${HOOK_SECRET}`)
    .map((r) => `${(r.body as { event: string }).event} ${(r.body as { fingerprint: string }).fingerprint}`);

/** A drifted queue and a finding that needs a ticket, in `target`. */
function drifted(target: Target, at = '2027-01-04T03:00:00.000Z') {
  const on = (name: string) => ({ resource: queueArn(name, target) });
  return report(
    [result('shipping', R, 'drift', on('shipping')), result('payments', V, 'ticket', on('payments'))],
    { target },
    at,
  );
}

async function storedItem(target: Target) {
  const out = await aws.dynamodb.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: `notify#${target.accountId}/${target.region}` } },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) throw new Error(`no notification item for ${targetKey(target)}`);
  return { item: out.Item, decoded: decodeNotifyItem(target, out.Item) };
}

describe('notification state in the state table', () => {
  it('a restarted notifier does not post an unchanged report again; with the memory store it does', async () => {
    const first = testNotifier(env(), { stateTable });
    expect((await first.notifier.notify(drifted(NOTIFY_TARGET))).slack).toBe('sent');
    const restarted = testNotifier(env(), { stateTable });
    const later = drifted(NOTIFY_TARGET, '2027-01-04T03:05:00.000Z');
    expect(await restarted.notifier.notify(later)).toMatchObject({
      slack: 'unchanged',
      tickets: { opened: 0, unchanged: 1 },
      errors: 0,
    });
    expect(slackPosts()).toHaveLength(1);
    expect(first.logs()).toContain('"state":"table"');
    expect(first.logs()).toContain(`"stateTable":"${TABLE}"`);

    const { item, decoded } = await storedItem(NOTIFY_TARGET);
    expect(item.recordType?.S).toBe('notify');
    expect(decoded).toMatchObject({ version: 2 }); // the ticket, then the Slack report
    expectNoSecrets(JSON.stringify(decoded), [slackUrl, SLACK_SECRET, hookUrl, HOOK_SECRET]);
    expectNoSecrets(first.logs() + restarted.logs(), [slackUrl, SLACK_SECRET, hookUrl, HOOK_SECRET]);

    // Today's behaviour without the table: each process starts from nothing and posts again.
    await testNotifier(env()).notifier.notify(drifted(NOTIFY_TARGET));
    await testNotifier(env()).notifier.notify(later);
    expect(slackPosts()).toHaveLength(3);
  });

  it("does not open the webhook sink's ticket twice across restarts, and closes it after one", async () => {
    const fp = ticketFingerprint(NOTIFY_TARGET, queueArn('payments'), V);
    await testNotifier(env(), { stateTable }).notifier.notify(drifted(NOTIFY_TARGET));
    await testNotifier(env(), { stateTable }).notifier.notify(drifted(NOTIFY_TARGET));
    expect(hookEvents()).toEqual([`open ${fp}`]);

    const fixedNow = report([result('payments', V, 'pass'), result('shipping', R, 'pass')]);
    expect((await testNotifier(env(), { stateTable }).notifier.notify(fixedNow)).tickets).toMatchObject({
      resolved: 1,
    });
    expect((await testNotifier(env(), { stateTable }).notifier.notify(fixedNow)).tickets).toMatchObject({
      resolved: 0,
      opened: 0,
    });
    expect(hookEvents()).toEqual([`open ${fp}`, `resolve ${fp}`]);
  });

  it("keeps two targets' states apart when their notifiers write the same table in turn", async () => {
    const a = testNotifier(env(), { stateTable });
    const b = testNotifier(env(), { stateTable });
    await a.notifier.notify(drifted(NOTIFY_TARGET));
    await b.notifier.notify(drifted(OTHER));
    const aResolved = report([result('shipping', R, 'pass'), result('payments', V, 'ticket')]);
    await a.notifier.notify(aResolved);
    await b.notifier.notify(drifted(OTHER, '2027-01-04T03:05:00.000Z'));
    expect(slackPosts()).toHaveLength(3);

    // Each item holds its own target's report and ticket, nothing of the other's.
    const fpA = ticketFingerprint(NOTIFY_TARGET, queueArn('payments'), V);
    const fpB = ticketFingerprint(OTHER, queueArn('payments', OTHER), V);
    const itemA = (await storedItem(NOTIFY_TARGET)).decoded;
    const itemB = (await storedItem(OTHER)).decoded;
    if (!('state' in itemA) || !('state' in itemB)) throw new Error('unreadable item');
    expect(Object.keys(itemA.state.tickets)).toEqual([fpA]);
    expect(Object.keys(itemB.state.tickets)).toEqual([fpB]);
    expect(Object.keys(itemA.state.slack)).toEqual([targetKey(NOTIFY_TARGET)]);
    expect(itemA.state.slack[targetKey(NOTIFY_TARGET)]?.keys).toEqual([
      `${queueArn('payments')}\t${V}\tticket`,
    ]);
    expect(Object.keys(itemB.state.slack)).toEqual([targetKey(OTHER)]);

    // Restarted, each replica finds its target's state: nothing posted, nothing opened.
    const a2 = testNotifier(env(), { stateTable });
    const b2 = testNotifier(env(), { stateTable });
    expect(await a2.notifier.notify(aResolved)).toMatchObject({ slack: 'unchanged', tickets: { opened: 0 } });
    expect(await b2.notifier.notify(drifted(OTHER))).toMatchObject({
      slack: 'unchanged',
      tickets: { opened: 0 },
    });
    expect(slackPosts()).toHaveLength(3);
    expect(hookEvents()).toEqual([`open ${fpA}`, `open ${fpB}`]);
  });

  it('a stale writer cannot overwrite a newer state: its write is refused and counted', async () => {
    const log = recordingLogger();
    const fresh = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: slackUrl }, { stateTable });
    const real = createSlackNotifier({
      webhookUrl: slackUrl,
      timeoutMs: 2000,
      retry: retryPolicy({ attempts: 1 }),
      logger: log.logger,
      scrub: (t) => t,
    });
    // The stale replica read the state, then, while its post is on the wire, the target's new
    // holder reports a newer state.
    const newer = report([result('shipping', R, 'drift'), result('orders', R, 'drift')]);
    const stale = createNotifier({
      slack: {
        async post(payload) {
          expect((await fresh.notifier.notify(newer)).slack).toBe('sent');
          return real.post(payload);
        },
      },
      state: tableStateStore(stateTable, log.logger),
      logger: log.logger,
    });
    expect(await stale.notify(drifted(NOTIFY_TARGET))).toEqual({ slack: 'sent', errors: 1 });
    expect(log.raw()).toContain('another replica wrote it');

    const { decoded } = await storedItem(NOTIFY_TARGET);
    if (!('state' in decoded)) throw new Error('unreadable item');
    expect(decoded.version).toBe(1);
    expect(decoded.state.slack[targetKey(NOTIFY_TARGET)]?.keys).toEqual([
      `${queueArn('orders')}\t${R}\tdrift`,
      `${queueArn('shipping')}\t${R}\tdrift`,
    ]);
  });

  it('counts an unreachable table as a state error: nothing posted, nothing opened, nothing thrown', async () => {
    const dead = new DynamoDBClient({
      endpoint: await deadEndpoint(),
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dead-table-secret-key-123' },
    });
    try {
      const t = testNotifier(env(), { stateTable: { dynamodb: dead, table: TABLE } });
      const outcome = await t.notifier.notify(drifted(NOTIFY_TARGET));
      expect(outcome).toMatchObject({ slack: 'failed', tickets: { failed: 1, opened: 0 }, errors: 2 });
      expect(slackPosts()).toHaveLength(0);
      expect(hookEvents()).toEqual([]);
      expect(t.notifier.errorCount).toBe(2);
      expect(t.logs()).toContain('cannot read notification state');
      expectNoSecrets(t.logs(), ['dead-table-secret-key-123', slackUrl, SLACK_SECRET, hookUrl]);
    } finally {
      dead.destroy();
    }
  });
});
