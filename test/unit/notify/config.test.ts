import { describe, expect, it } from 'vitest';
import { hasNotifyConfig, resolveNotifyConfig, secretFrom, secretsOf } from '../../../src/notify/config.js';

const SLACK = 'https://hooks.slack.com/services/T000/B000/sekr3tsekr3t';
const files: Record<string, string> = {
  '/run/secrets/slack': `${SLACK}\n`,
  '/run/secrets/github': 'ghp_filetoken123\n',
  '/run/secrets/jira': 'jira-file-token-456',
  '/run/secrets/hook': 'https://tickets.example/hook/abc123secret',
  '/run/secrets/empty': '  \n',
};
const readFile = (path: string) => {
  const content = files[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return content;
};
const resolve = (env: NodeJS.ProcessEnv) => resolveNotifyConfig(env, readFile);

describe('resolveNotifyConfig', () => {
  it('is undefined when nothing is configured', () => {
    expect(resolve({})).toBeUndefined();
    expect(resolve({ EDAGUARD_SLACK_WEBHOOK_URL: '  ' })).toBeUndefined();
    expect(hasNotifyConfig({ GITHUB_TOKEN: 'x' })).toBe(false);
  });

  it.each<{ name: string; env: NodeJS.ProcessEnv; expected: Record<string, unknown> }>([
    {
      name: 'Slack from the variable',
      env: { EDAGUARD_SLACK_WEBHOOK_URL: SLACK },
      expected: { slack: { webhookUrl: SLACK }, attempts: 4, timeoutMs: 10_000, maxTicketOpsPerCycle: 30 },
    },
    {
      name: 'Slack from a secret file (trimmed), with a state file',
      env: {
        EDAGUARD_SLACK_WEBHOOK_URL_FILE: '/run/secrets/slack',
        EDAGUARD_NOTIFY_STATE_FILE: '/var/lib/e/state.json',
      },
      expected: { slack: { webhookUrl: SLACK }, stateFile: '/var/lib/e/state.json' },
    },
    {
      name: 'GitHub with the default API URL',
      env: { EDAGUARD_TICKETS: 'github', GITHUB_TOKEN: 'ghp_abc', EDAGUARD_GITHUB_REPO: 'acme/platform' },
      expected: {
        tickets: {
          kind: 'github',
          token: 'ghp_abc',
          owner: 'acme',
          repo: 'platform',
          apiUrl: 'https://api.github.com',
        },
      },
    },
    {
      name: 'GitHub Enterprise, token from a file',
      env: {
        EDAGUARD_TICKETS: 'github',
        GITHUB_TOKEN_FILE: '/run/secrets/github',
        EDAGUARD_GITHUB_REPO: 'acme/platform',
        EDAGUARD_GITHUB_API_URL: 'https://ghe.example/api/v3/',
      },
      expected: {
        tickets: {
          kind: 'github',
          token: 'ghp_filetoken123',
          owner: 'acme',
          repo: 'platform',
          apiUrl: 'https://ghe.example/api/v3',
        },
      },
    },
    {
      name: 'Jira',
      env: {
        EDAGUARD_TICKETS: 'jira',
        JIRA_HOST: 'https://acme.atlassian.net',
        JIRA_EMAIL: 'bot@acme.example',
        JIRA_API_TOKEN_FILE: '/run/secrets/jira',
        EDAGUARD_JIRA_PROJECT: 'OPS',
      },
      expected: {
        tickets: {
          kind: 'jira',
          host: 'https://acme.atlassian.net',
          email: 'bot@acme.example',
          apiToken: 'jira-file-token-456',
          project: 'OPS',
          issueType: 'Task',
        },
      },
    },
    {
      name: 'the generic webhook, with Slack too and tuned retries',
      env: {
        EDAGUARD_TICKETS: 'webhook',
        EDAGUARD_TICKET_WEBHOOK_URL_FILE: '/run/secrets/hook',
        EDAGUARD_SLACK_WEBHOOK_URL: SLACK,
        EDAGUARD_NOTIFY_ATTEMPTS: '2',
        EDAGUARD_TICKETS_MAX_PER_CYCLE: '5',
      },
      expected: {
        slack: { webhookUrl: SLACK },
        tickets: { kind: 'webhook', url: 'https://tickets.example/hook/abc123secret' },
        attempts: 2,
        maxTicketOpsPerCycle: 5,
      },
    },
  ])('$name', ({ env, expected }) => {
    expect(resolve(env)).toMatchObject(expected);
  });

  it.each<{ name: string; env: NodeJS.ProcessEnv; error: RegExp }>([
    {
      name: 'an unknown sink',
      env: { EDAGUARD_TICKETS: 'trello' },
      error: /EDAGUARD_TICKETS must be one of github, jira, webhook/,
    },
    {
      name: 'a repo that is not owner/name',
      env: { EDAGUARD_TICKETS: 'github', GITHUB_TOKEN: 't', EDAGUARD_GITHUB_REPO: 'platform' },
      error: /EDAGUARD_GITHUB_REPO must be owner\/name/,
    },
    {
      name: 'GitHub without a token',
      env: { EDAGUARD_TICKETS: 'github', EDAGUARD_GITHUB_REPO: 'acme/platform' },
      error: /GITHUB_TOKEN: GITHUB_TOKEN \(or GITHUB_TOKEN_FILE\) is required/,
    },
    {
      name: 'Jira without a project or email',
      env: { EDAGUARD_TICKETS: 'jira', JIRA_HOST: 'https://a.atlassian.net', JIRA_API_TOKEN: 't' },
      error: /JIRA_EMAIL.*EDAGUARD_JIRA_PROJECT|EDAGUARD_JIRA_PROJECT.*JIRA_EMAIL/,
    },
    {
      name: 'a webhook URL that is not http(s)',
      env: { EDAGUARD_SLACK_WEBHOOK_URL: 'ftp://hooks.example/x' },
      error: /EDAGUARD_SLACK_WEBHOOK_URL: the Slack webhook URL must be an http\(s\) URL/,
    },
    {
      name: 'both a variable and its file',
      env: { EDAGUARD_SLACK_WEBHOOK_URL: SLACK, EDAGUARD_SLACK_WEBHOOK_URL_FILE: '/run/secrets/slack' },
      error: /set EDAGUARD_SLACK_WEBHOOK_URL or EDAGUARD_SLACK_WEBHOOK_URL_FILE, not both/,
    },
    {
      name: 'a missing secret file',
      env: { EDAGUARD_SLACK_WEBHOOK_URL_FILE: '/run/secrets/none' },
      error: /cannot read \/run\/secrets\/none \(ENOENT\)/,
    },
    {
      name: 'an empty secret file',
      env: { EDAGUARD_SLACK_WEBHOOK_URL_FILE: '/run/secrets/empty' },
      error: /is empty/,
    },
    {
      name: 'a bad integer',
      env: { EDAGUARD_SLACK_WEBHOOK_URL: SLACK, EDAGUARD_NOTIFY_ATTEMPTS: 'many' },
      error: /EDAGUARD_NOTIFY_ATTEMPTS must be an integer/,
    },
  ])('rejects $name', ({ env, error }) => {
    expect(() => resolve(env)).toThrow(error);
    try {
      resolve(env);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('CONFIG_INVALID');
    }
  });

  describe('credentials never go over plain http, except to loopback', () => {
    const sinks = (url: string): Array<{ setting: string; env: NodeJS.ProcessEnv }> => [
      { setting: 'EDAGUARD_SLACK_WEBHOOK_URL', env: { EDAGUARD_SLACK_WEBHOOK_URL: `${url}/services/T/B/x` } },
      {
        setting: 'EDAGUARD_GITHUB_API_URL',
        env: {
          EDAGUARD_TICKETS: 'github',
          GITHUB_TOKEN: 'ghp_token',
          EDAGUARD_GITHUB_REPO: 'acme/ops',
          EDAGUARD_GITHUB_API_URL: `${url}/api/v3`,
        },
      },
      {
        setting: 'JIRA_HOST',
        env: {
          EDAGUARD_TICKETS: 'jira',
          JIRA_HOST: url,
          JIRA_EMAIL: 'bot@acme.example',
          JIRA_API_TOKEN: 'jira-token',
          EDAGUARD_JIRA_PROJECT: 'OPS',
        },
      },
      {
        setting: 'EDAGUARD_TICKET_WEBHOOK_URL',
        env: { EDAGUARD_TICKETS: 'webhook', EDAGUARD_TICKET_WEBHOOK_URL: `${url}/hook/token123` },
      },
    ];

    it.each(['http://tickets.acme.example', 'http://10.0.0.7:8080', 'http://128.0.0.1', 'http://[::2]:80'])(
      'refuses %s, naming the setting',
      (url) => {
        for (const { setting, env } of sinks(url)) {
          expect(() => resolve(env), setting).toThrow(
            new RegExp(`^${setting}: .* must use https: it carries a secret`),
          );
        }
      },
    );

    it.each([
      'http://127.0.0.1:4000',
      'http://127.8.9.10',
      'http://[::1]:4000',
      'http://localhost:4000',
      'https://x.example',
    ])('accepts %s', (url) => {
      for (const { setting, env } of sinks(url)) expect(resolve(env), setting).toBeDefined();
    });
  });

  it('never puts a secret value in an error message', () => {
    const secretUrl = 'not a url but secret-value-123';
    const attempts = [
      { EDAGUARD_SLACK_WEBHOOK_URL: secretUrl },
      { EDAGUARD_TICKETS: 'webhook', EDAGUARD_TICKET_WEBHOOK_URL: secretUrl },
      { EDAGUARD_TICKETS: 'jira', JIRA_HOST: secretUrl, JIRA_API_TOKEN: 'secret-value-123' },
    ];
    for (const env of attempts) {
      let message = '';
      try {
        resolve(env);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain('secret-value-123');
    }
  });
});

describe('secretFrom and secretsOf', () => {
  it('reads a trimmed value from the variable or the file', () => {
    expect(secretFrom({ X: ' v ' }, 'X', readFile)).toBe('v');
    expect(secretFrom({ X_FILE: '/run/secrets/github' }, 'X', readFile)).toBe('ghp_filetoken123');
    expect(secretFrom({}, 'X', readFile)).toBeUndefined();
  });

  it('lists every secret value, including the Basic credentials Jira sends', () => {
    const config = resolve({
      EDAGUARD_SLACK_WEBHOOK_URL: SLACK,
      EDAGUARD_TICKETS: 'jira',
      JIRA_HOST: 'https://acme.atlassian.net',
      JIRA_EMAIL: 'bot@acme.example',
      JIRA_API_TOKEN: 'tok',
      EDAGUARD_JIRA_PROJECT: 'OPS',
    });
    expect(config && secretsOf(config)).toEqual([
      SLACK,
      'tok',
      Buffer.from('bot@acme.example:tok').toString('base64'),
    ]);
  });
});
