/**
 * Slack through @slack/webhook against a local recorder that answers like Slack's incoming
 * webhooks: payload shape, one post per change, retries (429 + Retry-After, 5xx), a dead or hung
 * endpoint, the last-report state across restarts, and no secret in any log line.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderSlackText } from '../../src/notify/slackText.js';
import { report, result } from '../support/driftReports.js';
import { fakeSlack } from '../support/fakeApis.js';
import { expectNoSecrets, testNotifier } from '../support/notifyHarness.js';
import { deadEndpoint, type RecordingServer, startRecordingServer } from '../support/recordingServer.js';

const R = 'sqs-dead-letter-queue';
const V = 'sqs-visibility-timeout';
const SECRET = 'xoxb-not-a-real-secret-9f8e7d';
const SLACK_PATH = '/services/:team/:bot/:secret';

let server: RecordingServer;
let webhookUrl: string;
beforeEach(async () => {
  server = await startRecordingServer();
  webhookUrl = fakeSlack(server, SECRET).url;
});
afterEach(() => server.close());

const drifted = () =>
  report([result('orders', R, 'fixed'), result('shipping', R, 'drift'), result('audit', R, 'pass')]);
const posts = () => server.find('POST', SLACK_PATH);

describe('Slack notifications', () => {
  it('posts the report as Block Kit JSON to the webhook', async () => {
    const t = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: webhookUrl });
    const outcome = await t.notifier.notify(drifted());
    expect(outcome).toEqual({ slack: 'sent', errors: 0 });
    const [post] = posts();
    expect(post?.headers['content-type']).toBe('application/json');
    const body = post?.body as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe(
      'edaguard 123456789012/us-east-1: 0 need a person, 1 fixed, 1 drifted, 0 resolved',
    );
    expect(body.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'context',
      'divider',
      'section',
      'section',
    ]);
    const text = renderSlackText(body as never);
    expect(text).toContain('Fixed since the last report (1)\n• orders sqs-dead-letter-queue');
    expect(text).toContain('Drift not fixed (1)\n• new shipping sqs-dead-letter-queue');
    expectNoSecrets(t.logs(), [webhookUrl, SECRET]);
    expectNoSecrets(JSON.stringify(drifted()), [webhookUrl, SECRET]);
  });

  it('does not post the same drift twice; posts new drift, new failures and what was resolved', async () => {
    const t = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: webhookUrl });
    const cycle1 = report([result('shipping', R, 'drift'), result('audit', R, 'pass')]);
    expect((await t.notifier.notify(cycle1)).slack).toBe('sent');
    expect((await t.notifier.notify({ ...cycle1, finishedAt: '2027-01-04T03:05:00.000Z' })).slack).toBe(
      'unchanged',
    );
    expect(posts()).toHaveLength(1);

    const cycle3 = report([result('shipping', R, 'drift'), result('audit', V, 'failed')]);
    expect((await t.notifier.notify(cycle3)).slack).toBe('sent');
    const cycle4 = report([result('shipping', R, 'pass'), result('audit', V, 'failed')]);
    expect((await t.notifier.notify(cycle4)).slack).toBe('sent');
    expect((await t.notifier.notify(cycle4)).slack).toBe('unchanged');
    expect(posts()).toHaveLength(3);
    const last = renderSlackText(posts()[2]?.body as never);
    expect(last).toContain(
      'Resolved since the last report (1)\n• shipping sqs-dead-letter-queue: was drift, now pass',
    );
    expect(last).toContain('Needs a person (1)\n• audit sqs-visibility-timeout');
  });

  it('keeps the last report in the state file, so a restart does not post again', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'edaguard-notify-'));
    const env = {
      EDAGUARD_SLACK_WEBHOOK_URL: webhookUrl,
      EDAGUARD_NOTIFY_STATE_FILE: path.join(dir, 'state.json'),
    };
    expect((await testNotifier(env).notifier.notify(drifted())).slack).toBe('sent');
    const restarted = testNotifier(env);
    expect((await restarted.notifier.notify(report([result('shipping', R, 'drift')]))).slack).toBe(
      'unchanged',
    );
    expect(posts()).toHaveLength(1);
    const state = await readFile(path.join(dir, 'state.json'), 'utf8');
    expect(JSON.parse(state)).toMatchObject({
      version: 1,
      slack: { 'aws:123456789012:us-east-1': { digest: expect.any(String) } },
    });
    expectNoSecrets(state, [webhookUrl, SECRET]);
  });

  it('waits for Retry-After on 429, then posts', async () => {
    server.script('POST', SLACK_PATH, { status: 429, body: 'rate_limited', headers: { 'retry-after': '3' } });
    const t = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: webhookUrl });
    expect(await t.notifier.notify(drifted())).toEqual({ slack: 'sent', errors: 0 });
    expect(posts()).toHaveLength(2);
    expect(t.waits).toHaveLength(1);
    expect(t.waits[0]).toBeGreaterThanOrEqual(3000);
  });

  it('retries 5xx with backoff', async () => {
    server.script(
      'POST',
      SLACK_PATH,
      { status: 500, body: 'rollup_error' },
      { status: 503, body: 'service_unavailable' },
    );
    const t = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: webhookUrl });
    expect((await t.notifier.notify(drifted())).slack).toBe('sent');
    expect(posts()).toHaveLength(3);
    expect(t.waits).toHaveLength(2);
  });

  it('does not retry a permanent error, and posts the same changes next cycle', async () => {
    server.script('POST', SLACK_PATH, { status: 404, body: 'no_service' });
    const t = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: webhookUrl });
    expect(await t.notifier.notify(drifted())).toEqual({ slack: 'failed', errors: 1 });
    expect(posts()).toHaveLength(1);
    expect(t.waits).toEqual([]);
    // The failed post did not become "the last report": the next cycle posts it.
    expect((await t.notifier.notify(drifted())).slack).toBe('sent');
    expect(t.notifier.errorCount).toBe(1);
    expect(t.logs()).toContain('"status":404');
    expectNoSecrets(t.logs(), [webhookUrl, SECRET]);
  });

  it('fixes in an undelivered message go with the next one', async () => {
    server.script('POST', SLACK_PATH, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const t = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: webhookUrl });
    expect((await t.notifier.notify(report([result('orders', R, 'fixed')]))).slack).toBe('failed');
    // Next cycle the fix reads back as pass: nothing else changed, and the fix is still news.
    expect((await t.notifier.notify(report([result('orders', R, 'pass')]))).slack).toBe('sent');
    expect(renderSlackText(posts().at(-1)?.body as never)).toContain(
      'Fixed since the last report (1)\n• orders sqs-dead-letter-queue',
    );
    expect((await t.notifier.notify(report([result('orders', R, 'pass')]))).slack).toBe('unchanged');
  });

  it('a dead endpoint is retried, logged and counted; notify never throws', async () => {
    const dead = `${await deadEndpoint()}/services/T0001/B0001/${SECRET}`;
    const t = testNotifier({ EDAGUARD_SLACK_WEBHOOK_URL: dead, EDAGUARD_NOTIFY_ATTEMPTS: '3' });
    const outcome = await t.notifier.notify(drifted());
    expect(outcome).toEqual({ slack: 'failed', errors: 1 });
    expect(t.waits).toHaveLength(2);
    expect(t.notifier.errorCount).toBe(1);
    expect(t.logs()).toContain('ECONNREFUSED');
    expectNoSecrets(t.logs(), [dead, SECRET]);
  });

  it('gives up on an endpoint that never answers after the timeout', async () => {
    server.route('POST', '/hang/:a/:b/:c', () => new Promise(() => {}));
    const hung = `${server.url}/hang/T/B/${SECRET}`;
    const t = testNotifier({
      EDAGUARD_SLACK_WEBHOOK_URL: hung,
      EDAGUARD_NOTIFY_ATTEMPTS: '2',
      EDAGUARD_NOTIFY_TIMEOUT_MS: '150',
    });
    const started = Date.now();
    expect((await t.notifier.notify(drifted())).slack).toBe('failed');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.find('POST', '/hang/:a/:b/:c')).toHaveLength(2);
    expectNoSecrets(t.logs(), [hung, SECRET]);
  });
});
