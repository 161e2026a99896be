/**
 * Jira tickets through jira.js (Version3Client) against a local fake of Jira Cloud's REST API v3:
 * the enhanced JQL search (POST /rest/api/3/search/jql), create (201 {id,key,self}), edit,
 * comments, transitions to Done; retries and outages; no token in any log line.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ticketFingerprint } from '../../src/notify/tickets/fingerprint.js';
import { NOTIFY_TARGET, queueArn, report, result } from '../support/driftReports.js';
import { fakeJira } from '../support/fakeApis.js';
import { expectNoSecrets, testNotifier } from '../support/notifyHarness.js';
import { deadEndpoint, type RecordingServer, startRecordingServer } from '../support/recordingServer.js';

const V = 'sqs-visibility-timeout';
const TOKEN = 'ATATT3xJiraTokenThatMustNotLeak42';
const EMAIL = 'edaguard-bot@acme.example';
const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
const SEARCH = '/rest/api/3/search/jql';

// jira.js sends with axios, which honours HTTP(S)_PROXY: keep loopback direct wherever the tests run.
beforeAll(() => {
  process.env.NO_PROXY = [process.env.NO_PROXY, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
});

let server: RecordingServer;
let jira: ReturnType<typeof fakeJira>;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  server = await startRecordingServer();
  jira = fakeJira(server, 'OPS');
  env = {
    EDAGUARD_TICKETS: 'jira',
    JIRA_HOST: server.url,
    JIRA_EMAIL: EMAIL,
    JIRA_API_TOKEN: TOKEN,
    EDAGUARD_JIRA_PROJECT: 'OPS',
  };
});
afterEach(() => server.close());

const ticketFinding = (observed: unknown = { VisibilityTimeout: 30 }) =>
  result('payments.fifo', V, 'ticket', { observed, desired: { VisibilityTimeout: 54000 } });
const fp = ticketFingerprint(NOTIFY_TARGET, queueArn('payments.fifo'), V);
const adfText = (doc: unknown) => JSON.stringify(doc);

describe('Jira tickets', () => {
  it('searches with JQL, then creates an issue in ADF with the fingerprint label', async () => {
    const t = testNotifier(env);
    const outcome = await t.notifier.notify(report([ticketFinding()]));
    expect(outcome.tickets).toMatchObject({ sink: 'jira', opened: 1, failed: 0 });

    const [search] = server.find('POST', SEARCH);
    expect(search?.headers.authorization).toBe(`Basic ${BASIC}`);
    expect(search?.body).toMatchObject({
      jql: 'project = "OPS" AND labels = "edaguard" AND statusCategory != Done ORDER BY created ASC',
      fields: ['labels', 'description'],
      maxResults: 100,
    });
    const [create] = server.find('POST', '/rest/api/3/issue');
    const fields = (create?.body as { fields?: Record<string, unknown> } | undefined)?.fields ?? {};
    expect(fields).toMatchObject({
      project: { key: 'OPS' },
      issuetype: { name: 'Task' },
      summary: '[edaguard] sqs-visibility-timeout: payments.fifo (123456789012/us-east-1)',
      labels: ['edaguard', `edaguard-${fp}`],
      description: { type: 'doc', version: 1 },
    });
    const description = adfText(fields.description);
    for (const part of [
      'What is wrong',
      'Why it matters',
      'What to do',
      'Observed',
      'Desired',
      `edaguard:fingerprint=${fp}`,
    ]) {
      expect(description).toContain(part);
    }
    expect(description).toContain('\\"VisibilityTimeout\\": 54000');
    expect(jira.issues.map((i) => i.key)).toEqual(['OPS-1']);
    expectNoSecrets(t.logs(), [TOKEN, BASIC]);
  });

  it('never opens a second issue for the same finding, across cycles and restarts', async () => {
    await testNotifier(env).notifier.notify(report([ticketFinding()]));
    const restarted = testNotifier(env);
    expect((await restarted.notifier.notify(report([ticketFinding()]))).tickets).toMatchObject({
      opened: 0,
      unchanged: 1,
    });
    expect((await restarted.notifier.notify(report([ticketFinding()]))).tickets).toMatchObject({
      opened: 0,
      unchanged: 1,
    });
    expect(jira.issues).toHaveLength(1);
    expect(server.find('POST', '/rest/api/3/issue')).toHaveLength(1);
  });

  it('edits the description and comments when the finding changes', async () => {
    const t = testNotifier(env);
    await t.notifier.notify(report([ticketFinding()]));
    expect(
      (await t.notifier.notify(report([ticketFinding({ VisibilityTimeout: 45 })]))).tickets,
    ).toMatchObject({ updated: 1 });
    const [edit] = server.find('PUT', '/rest/api/3/issue/:key');
    expect(edit?.path).toBe('/rest/api/3/issue/OPS-1');
    expect(adfText(jira.issues[0]?.description)).toContain('\\"VisibilityTimeout\\": 45');
    expect(adfText(jira.issues[0]?.comments)).toContain('Still needs a person');
    expect(
      (await t.notifier.notify(report([ticketFinding({ VisibilityTimeout: 45 })]))).tickets,
    ).toMatchObject({
      updated: 0,
      unchanged: 1,
    });
  });

  it('comments and transitions to Done when the finding passes', async () => {
    const t = testNotifier(env);
    await t.notifier.notify(report([ticketFinding()]));
    expect((await t.notifier.notify(report([result('payments.fifo', V, 'fixed')]))).tickets).toMatchObject({
      resolved: 1,
    });
    expect(server.find('GET', '/rest/api/3/issue/:key/transitions')).toHaveLength(1);
    const [transition] = server.find('POST', '/rest/api/3/issue/:key/transitions');
    expect(transition?.body).toEqual({ transition: { id: '31' } });
    expect(jira.issues[0]?.status).toBe('Done');
    expect(adfText(jira.issues[0]?.comments)).toContain('Resolved: edaguard fixed');
    // Done issues drop out of the search: nothing more to do.
    expect((await t.notifier.notify(report([result('payments.fifo', V, 'pass')]))).tickets).toMatchObject({
      resolved: 0,
      opened: 0,
    });
  });

  it('honours Retry-After on 429 and retries 5xx', async () => {
    server.script('POST', SEARCH, {
      status: 429,
      body: { errorMessages: ['Rate limited'] },
      headers: { 'retry-after': '4' },
    });
    server.script('POST', '/rest/api/3/issue', {
      status: 500,
      body: { errorMessages: ['Internal server error'] },
    });
    const t = testNotifier(env);
    expect((await t.notifier.notify(report([ticketFinding()]))).tickets).toMatchObject({
      opened: 1,
      failed: 0,
    });
    expect(t.waits[0]).toBeGreaterThanOrEqual(4000);
    expect(jira.issues).toHaveLength(1);
  });

  it('a permanent error is not retried; an unreachable Jira is counted, never thrown', async () => {
    server.script('POST', SEARCH, { status: 401, body: { errorMessages: ['Client must be authenticated'] } });
    const t = testNotifier(env);
    expect((await t.notifier.notify(report([ticketFinding()]))).tickets).toMatchObject({ failed: 1 });
    expect(server.requests).toHaveLength(1);

    const dead = testNotifier({ ...env, JIRA_HOST: await deadEndpoint(), EDAGUARD_NOTIFY_ATTEMPTS: '2' });
    const outcome = await dead.notifier.notify(report([ticketFinding()]));
    expect(outcome).toMatchObject({ slack: 'disabled', tickets: { failed: 1 }, errors: 1 });
    expect(dead.waits).toHaveLength(1);
    expectNoSecrets(`${t.logs()}${dead.logs()}`, [TOKEN, BASIC]);
  });
});
