/**
 * No secret reaches a log line: secret-named keys are censored at any depth and in any case,
 * errors are logged with their `cause` chain but without credentials, and known secret values
 * (notification tokens and webhook URLs) are replaced wherever they appear. The official clients
 * (octokit, jira.js, @slack/webhook) are made to fail against a local server, and their real
 * errors are logged.
 */
import { Writable } from 'node:stream';
import { Octokit } from '@octokit/rest';
import { IncomingWebhook } from '@slack/webhook';
import { Version3Client } from 'jira.js';
import type pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { resolveNotifyConfig } from '../../src/notify/config.js';
import { type RecordingServer, startRecordingServer } from '../support/recordingServer.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { stream: stream as unknown as pino.DestinationStream, lines, text: () => lines.join('\n') };
}

/**
 * The default logger. The values below are never registered as secrets (no configuration reads
 * them), so only the structure of what is logged protects them.
 */
const structuralLogger = () => {
  const out = sink();
  return { out, logger: createLogger('debug', out.stream) };
};

describe('logger: secret-named keys', () => {
  it('are censored at any depth and in any case; other keys stay readable', () => {
    const { out, logger } = structuralLogger();
    logger.info(
      {
        webhookUrl: 'https://hooks.slack.com/services/T0/B0/SECRET1',
        config: { notifyWebhookUrl: 'https://hooks.example/SECRET2', PASSWORD: 'SECRET3' },
        error: {
          config: { headers: { Authorization: 'Bearer SECRET4', Accept: 'application/json' } },
          response: { config: { auth: { username: 'bot', password: 'SECRET5' } } },
          request: { headers: { 'proxy-authorization': 'Basic SECRET6', 'X-Api-Key': 'SECRET7' } },
        },
        attempts: [{ api_token: 'SECRET8' }, { Cookie: 'session=SECRET9' }],
        fencingToken: 4,
      },
      'hello',
    );
    expect(out.text()).not.toMatch(/SECRET/);
    const line = JSON.parse(out.text());
    expect(line.config).toEqual({ notifyWebhookUrl: '[redacted]', PASSWORD: '[redacted]' });
    expect(line.error.config.headers).toEqual({ Authorization: '[redacted]', Accept: 'application/json' });
    expect(line.error.response.config.auth).toBe('[redacted]');
    // The lease's fencing token is not a secret and stays readable.
    expect(line.fencingToken).toBe(4);
    expect(line.msg).toBe('hello');
  });

  it('in child bindings, in an error’s own fields and down its cause chain; cycles and depth are cut short', () => {
    const { out, logger } = structuralLogger();
    const root = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      config: { headers: { AUTHORIZATION: 'token SECRET1' } },
    });
    const wrapped = Object.assign(new Error('ticket sink failed', { cause: root }), {
      request: { headers: { authorization: 'token SECRET2' } },
    });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { token: 'SECRET3' };
    for (let i = 0; i < 30; i += 1) deep = { next: deep };
    logger
      .child({ sink: 'jira', credentials: { apiToken: 'SECRET4' } })
      .error({ err: wrapped, cyclic, deep }, 'failed');
    expect(out.text()).not.toMatch(/SECRET/);
    const line = JSON.parse(out.text());
    expect(line).toMatchObject({ sink: 'jira', credentials: '[redacted]', msg: 'failed' });
    expect(line.err).toMatchObject({
      type: 'Error',
      message: 'ticket sink failed',
      request: { headers: { authorization: '[redacted]' } },
      cause: { type: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
    });
    expect(line.err.stack).toContain('ticket sink failed');
    expect(line.cyclic).toEqual({ name: 'loop', self: '[circular]' });
    expect(JSON.stringify(line.deep)).toContain('[object]');
  });

  it('credentials inside text: a raw header block, a bearer value', () => {
    const { out, logger } = structuralLogger();
    logger.warn({
      request: { _header: 'GET /x HTTP/1.1\r\nAuthorization: Basic U0VDUkVUMTpzZWNyZXQ=\r\nHost: a\r\n' },
      note: 'sent Bearer SECRETabcdefghijklmnop',
    });
    expect(out.text()).not.toMatch(/SECRET|U0VDUkVUMT/);
    expect(JSON.parse(out.text()).request._header).toContain('Host: a');
  });
});

describe('logger: known secret values', () => {
  it('are replaced anywhere in the line, including the message, once the notification config is read', () => {
    const hook = 'https://hooks.slack.com/services/T0/B0/zz-SECRET-HOOK-PATH';
    const token = 'ghp_SECRETgithubTOKEN0123456789';
    const out = sink();
    // The default logger: its secrets are the process's, registered by resolveNotifyConfig.
    const logger = createLogger('info', out.stream);
    resolveNotifyConfig({
      EDAGUARD_SLACK_WEBHOOK_URL: hook,
      EDAGUARD_TICKETS: 'github',
      EDAGUARD_GITHUB_REPO: 'acme/ops',
      GITHUB_TOKEN: token,
    });
    logger.child({ target: hook }).warn({ url: hook, detail: `sent with ${token}` }, `posting to ${hook}`);
    logger.error(new Error(`401 for ${encodeURIComponent(hook)}`));
    expect(out.lines).toHaveLength(2);
    expect(out.text()).not.toMatch(/SECRET/);
    expect(JSON.parse(out.lines[0] as string).msg).toBe('posting to [redacted]');
  });
});

describe('logger: errors thrown by the official clients', () => {
  const TOKEN = 'ghp_SECRETtokenFromTheConfig0123456789';
  const JIRA_TOKEN = 'ATATT3xSECRETjiraToken42';
  const EMAIL = 'bot@acme.example';
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer();
    // A proxy or a misbehaving server that echoes the request's headers in its error body.
    const echo = (status: number) => (req: { headers: unknown }) => ({
      status,
      body: { message: 'Unauthorized', echoed: { headers: req.headers } },
    });
    server.route('POST', '/repos/acme/ops/issues', echo(401));
    server.route('POST', '/rest/api/3/search/jql', echo(401));
    server.route('POST', '/services/T0/B0/SECRETslackPath', echo(500));
  });
  afterAll(() => server.close());

  /** The error a client throws, logged the ways the code base logs errors. */
  async function logFailure(call: () => Promise<unknown>): Promise<string> {
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const { out, logger } = structuralLogger();
    logger.error({ err: error }, 'call failed');
    logger.error(error);
    logger.warn({ error, attempt: 1 }, 'retrying');
    logger.fatal({ err: new Error('cannot start', { cause: error }) }, 'cannot start');
    expect(out.lines).toHaveLength(4);
    return out.text();
  }

  it('octokit: RequestError with request and response', async () => {
    const octokit = new Octokit({ auth: TOKEN, baseUrl: server.url, request: { retries: 0 } });
    const text = await logFailure(() =>
      octokit.rest.issues.create({ owner: 'acme', repo: 'ops', title: 't' }),
    );
    expect(text).toContain('Unauthorized');
    expect(text).not.toContain('SECRET');
  });

  it('jira.js: an axios error with config.auth-derived headers, the request and the response', async () => {
    const client = new Version3Client({
      host: server.url,
      authentication: { basic: { email: EMAIL, apiToken: JIRA_TOKEN } },
    });
    const basic = Buffer.from(`${EMAIL}:${JIRA_TOKEN}`).toString('base64');
    const text = await logFailure(() =>
      client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = OPS' }),
    );
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain(basic);
    // Still useful: the status is there.
    expect(text).toMatch(/401/);
  });

  it('@slack/webhook: the URL is the secret', async () => {
    const url = `${server.url}/services/T0/B0/SECRETslackPath`;
    // Reading the configuration registers the URL as a secret value (plain http: loopback only).
    resolveNotifyConfig({ EDAGUARD_SLACK_WEBHOOK_URL: url });
    const webhook = new IncomingWebhook(url, { retryConfig: { retries: 0 } });
    const error = await webhook.send({ text: 'hi' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const out = sink();
    const logger = createLogger('info', out.stream);
    logger.error({ err: error }, `POST ${url} failed`);
    logger.error({ err: new Error('notify failed', { cause: error }) });
    expect(out.lines).toHaveLength(2);
    expect(out.text()).not.toContain('SECRET');
  });
});
