/**
 * GitHub Issues through @octokit/rest against a local fake of the REST API: one issue per
 * (resource, rule) across cycles and restarts, updates, closing on resolve, retries, outages,
 * and no token in any log line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ticketFingerprint } from '../../src/notify/tickets/fingerprint.js';
import { accessDenied, NOTIFY_TARGET, queueArn, report, result } from '../support/driftReports.js';
import { fakeGithub, fakeSlack } from '../support/fakeApis.js';
import { expectNoSecrets, testNotifier } from '../support/notifyHarness.js';
import { deadEndpoint, type RecordingServer, startRecordingServer } from '../support/recordingServer.js';

const V = 'sqs-visibility-timeout';
const TOKEN = 'ghp_TestTokenThatMustNotLeak0123456789';
const ISSUES = '/repos/acme/platform/issues';

let server: RecordingServer;
let github: ReturnType<typeof fakeGithub>;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  server = await startRecordingServer();
  github = fakeGithub(server);
  env = {
    EDAGUARD_TICKETS: 'github',
    GITHUB_TOKEN: TOKEN,
    EDAGUARD_GITHUB_REPO: 'acme/platform',
    EDAGUARD_GITHUB_API_URL: server.url,
  };
});
afterEach(() => server.close());

const ticketFinding = (observed: unknown = { VisibilityTimeout: 30 }) =>
  result('payments.fifo', V, 'ticket', {
    observed,
    desired: { VisibilityTimeout: 54000 },
    message: 'needs 54000 s, above the SQS maximum of 43200 s: shorten the function timeout',
  });
const fp = ticketFingerprint(NOTIFY_TARGET, queueArn('payments.fifo'), V);
const writes = () => server.requests.filter((r) => r.method !== 'GET');

describe('GitHub tickets', () => {
  it('opens one labelled issue with what is wrong, why, what to do, observed and desired', async () => {
    const t = testNotifier(env);
    const outcome = await t.notifier.notify(report([ticketFinding(), result('orders', V, 'pass')]));
    expect(outcome.tickets).toMatchObject({ sink: 'github', opened: 1, failed: 0 });

    const [list] = server.find('GET', ISSUES);
    expect(Object.fromEntries(list?.query ?? [])).toMatchObject({
      labels: 'edaguard',
      state: 'open',
      per_page: '100',
    });
    expect(list?.headers.authorization).toBe(`token ${TOKEN}`);
    const [create] = server.find('POST', ISSUES);
    const body = create?.body as { title: string; body: string; labels: string[] };
    expect(body.title).toBe('[edaguard] sqs-visibility-timeout: payments.fifo (123456789012/us-east-1)');
    expect(body.labels).toEqual(['edaguard', `edaguard-${fp}`]);
    expect(body.body).toContain('**What is wrong:** needs 54000 s');
    expect(body.body).toContain('**Why it matters:** A visibility timeout shorter');
    expect(body.body).toContain('**What to do:**');
    expect(body.body).toContain('"VisibilityTimeout": 30');
    expect(body.body).toContain('"VisibilityTimeout": 54000');
    expect(body.body).toContain(`<!-- edaguard:fingerprint=${fp} -->`);
    expect(github.issues).toHaveLength(1);
    expectNoSecrets(t.logs(), [TOKEN]);
  });

  it('never opens a second issue for the same finding, across cycles and restarts', async () => {
    const first = testNotifier(env);
    await first.notifier.notify(report([ticketFinding()]));
    const again = await first.notifier.notify(report([ticketFinding()], {}, '2027-01-04T03:05:00.000Z'));
    expect(again.tickets).toMatchObject({ opened: 0, updated: 0, unchanged: 1 });
    const restarted = testNotifier(env);
    expect((await restarted.notifier.notify(report([ticketFinding()]))).tickets).toMatchObject({
      opened: 0,
      unchanged: 1,
    });
    expect(github.issues).toHaveLength(1);
    expect(writes()).toHaveLength(1);
  });

  it('finds its issue on a later page of a long list', async () => {
    for (let n = 0; n < 130; n += 1) {
      const other = ticketFingerprint(NOTIFY_TARGET, queueArn(`q${n}`), V);
      github.issues.push({
        number: n + 1,
        title: `other ${n}`,
        body: '',
        labels: ['edaguard', `edaguard-${other}`],
        state: 'open',
        comments: [],
      });
    }
    github.issues.push({
      number: 131,
      title: 'ours',
      body: '',
      labels: ['edaguard', `edaguard-${fp}`],
      state: 'open',
      comments: [],
    });
    const t = testNotifier(env);
    const outcome = await t.notifier.notify(report([ticketFinding()]));
    expect(server.find('GET', ISSUES)).toHaveLength(2);
    // Found on page 2; it had no state marker, so it is brought up to date instead of duplicated.
    expect(outcome.tickets).toMatchObject({ opened: 0, updated: 1 });
    expect(server.find('POST', ISSUES)).toHaveLength(0);
  });

  it('updates the issue and comments when the finding changes, once', async () => {
    const t = testNotifier(env);
    await t.notifier.notify(report([ticketFinding()]));
    const changed = report([ticketFinding({ VisibilityTimeout: 45 })]);
    expect((await t.notifier.notify(changed)).tickets).toMatchObject({ updated: 1 });
    expect((await t.notifier.notify(changed)).tickets).toMatchObject({ updated: 0, unchanged: 1 });
    const [patch] = server.find('PATCH', `${ISSUES}/:n`);
    expect(patch?.path).toBe(`${ISSUES}/1`);
    expect((patch?.body as { body?: string } | undefined)?.body).toContain('"VisibilityTimeout": 45');
    expect(github.issues[0]?.comments).toEqual([
      expect.stringMatching(/^Still needs a person \(ticket, .*\nObserved now: `\{"VisibilityTimeout":45\}`/),
    ]);
    expect(github.issues).toHaveLength(1);
  });

  it('closes the issue with a comment when the finding passes', async () => {
    const t = testNotifier(env);
    await t.notifier.notify(report([ticketFinding()]));
    const outcome = await t.notifier.notify(report([result('payments.fifo', V, 'pass')]));
    expect(outcome.tickets).toMatchObject({ resolved: 1, failed: 0 });
    expect(github.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(github.issues[0]?.comments).toEqual([
      expect.stringMatching(/^Resolved: edaguard found `payments.fifo` \(sqs-visibility-timeout\) compliant/),
    ]);
    // Closed stays closed: the next passing report writes nothing.
    const before = writes().length;
    await t.notifier.notify(report([result('payments.fifo', V, 'pass')]));
    expect(writes()).toHaveLength(before);
  });

  it('keeps the issue open when the resource is missing from the report (discovery failed)', async () => {
    const t = testNotifier(env);
    await t.notifier.notify(report([ticketFinding()]));
    await t.notifier.notify(report([result('orders', V, 'pass')]));
    expect(github.issues[0]?.state).toBe('open');
  });

  it('opens a ticket for an AccessDenied and closes it when the resource is read again', async () => {
    const t = testNotifier(env);
    await t.notifier.notify(report([accessDenied('locked')]));
    expect(github.issues[0]?.title).toBe('[edaguard] read-error: locked (123456789012/us-east-1)');
    expect(github.issues[0]?.body).toContain('deploy/iam/edaguard-policy.json');
    await t.notifier.notify(report([result('locked', V, 'pass')]));
    expect(github.issues[0]?.state).toBe('closed');
  });

  it('waits for Retry-After on 429 and retries 5xx', async () => {
    server.script('GET', ISSUES, { status: 503, body: { message: 'Service Unavailable' } });
    server.script('POST', ISSUES, {
      status: 429,
      body: { message: 'You have exceeded a secondary rate limit' },
      headers: { 'retry-after': '7' },
    });
    const t = testNotifier(env);
    expect((await t.notifier.notify(report([ticketFinding()]))).tickets).toMatchObject({
      opened: 1,
      failed: 0,
    });
    expect(t.waits.some((ms) => ms >= 7000)).toBe(true);
    expect(github.issues).toHaveLength(1);
  });

  it('a create whose answer was lost does not open a duplicate', async () => {
    github.control.lostCreateAnswers = 1;
    const t = testNotifier(env);
    const outcome = await t.notifier.notify(report([ticketFinding()]));
    expect(outcome.tickets).toMatchObject({ opened: 1, failed: 0 });
    expect(github.issues).toHaveLength(1);
    // The retry looked the issue up by its fingerprint label before creating again.
    expect(server.find('GET', ISSUES).map((r) => r.query.get('labels'))).toEqual([
      'edaguard',
      `edaguard-${fp}`,
    ]);
  });

  it('says loudly when GitHub dropped the labels of a new issue', async () => {
    github.control.dropLabels = true;
    const t = testNotifier(env);
    await t.notifier.notify(report([ticketFinding()]));
    expect(t.logs()).toContain('GitHub dropped the labels of the new issue');
  });

  it('a bad token is not retried and does not leak', async () => {
    server.script('GET', ISSUES, { status: 401, body: { message: 'Bad credentials' } });
    const t = testNotifier(env);
    expect((await t.notifier.notify(report([ticketFinding()]))).tickets).toMatchObject({
      failed: 1,
      opened: 0,
    });
    expect(server.requests).toHaveLength(1);
    expect(t.logs()).toContain('Bad credentials');
    expectNoSecrets(t.logs(), [TOKEN]);
  });

  it('a dead GitHub is counted and does not stop the Slack report', async () => {
    const slackServer = await startRecordingServer();
    try {
      const slack = fakeSlack(slackServer);
      const t = testNotifier({
        ...env,
        EDAGUARD_GITHUB_API_URL: await deadEndpoint(),
        EDAGUARD_SLACK_WEBHOOK_URL: slack.url,
      });
      const outcome = await t.notifier.notify(report([ticketFinding()]));
      expect(outcome).toMatchObject({ slack: 'sent', tickets: { failed: 1 }, errors: 1 });
      expect(slackServer.requests).toHaveLength(1);
      expectNoSecrets(t.logs(), [TOKEN, slack.url]);
    } finally {
      await slackServer.close();
    }
  });

  it('links the issue from the Slack message', async () => {
    const slackServer = await startRecordingServer();
    try {
      const slack = fakeSlack(slackServer);
      const t = testNotifier({ ...env, EDAGUARD_SLACK_WEBHOOK_URL: slack.url });
      await t.notifier.notify(report([ticketFinding()]));
      const body = JSON.stringify(slackServer.requests[0]?.body);
      expect(body).toContain('<https://github.example/acme/platform/issues/1|#1>');
    } finally {
      await slackServer.close();
    }
  });
});
