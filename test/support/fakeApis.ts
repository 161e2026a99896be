/**
 * Just enough of Slack's incoming webhooks, GitHub's Issues REST API, Jira Cloud's REST API v3
 * and a generic ticket webhook, on a recording server, answering with the documented shapes.
 * State lives in memory, so a test can assert what a person would see in the tracker.
 */
import type { RecordingServer } from './recordingServer.js';

/** POST /services/T…/B…/secret → 200 "ok", as Slack answers a valid payload. */
export function fakeSlack(
  server: RecordingServer,
  secret = 'xoxb-not-a-real-secret-9f8e7d',
): { url: string } {
  server.route('POST', '/services/:team/:bot/:secret', (req) => {
    const body = req.body as { blocks?: unknown; text?: unknown } | undefined;
    if (!body || (body.text === undefined && body.blocks === undefined))
      return { status: 400, body: 'invalid_payload' };
    return { status: 200, body: 'ok' };
  });
  return { url: `${server.url}/services/T0001/B0001/${secret}` };
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason?: string | null;
  comments: string[];
}

/** GitHub Issues: list (labels, state, sort, direction, per_page, page + Link), create, update, comment. */
export function fakeGithub(server: RecordingServer, owner = 'acme', repo = 'platform') {
  const issues: FakeIssue[] = [];
  /** Creates that store the issue and then answer 502, as a proxy timing out after GitHub wrote it. */
  const control = { lostCreateAnswers: 0, dropLabels: false };
  const base = `/repos/${owner}/${repo}`;
  const json = (i: FakeIssue) => ({
    id: 100_000 + i.number,
    number: i.number,
    node_id: `I_${i.number}`,
    url: `${server.url}${base}/issues/${i.number}`,
    html_url: `https://github.example/${owner}/${repo}/issues/${i.number}`,
    title: i.title,
    body: i.body,
    state: i.state,
    state_reason: i.state_reason ?? null,
    labels: i.labels.map((name, n) => ({ id: n + 1, name, color: 'ededed' })),
    comments: i.comments.length,
    created_at: '2027-01-01T00:00:00Z',
  });

  server.route('GET', `${base}/issues`, (req) => {
    const wanted = (req.query.get('labels') ?? '').split(',').filter((l) => l !== '');
    const state = req.query.get('state') ?? 'open';
    const perPage = Number(req.query.get('per_page') ?? 30);
    const page = Number(req.query.get('page') ?? 1);
    let found = issues.filter(
      (i) => (state === 'all' || i.state === state) && wanted.every((l) => i.labels.includes(l)),
    );
    found = req.query.get('direction') === 'asc' ? found : [...found].reverse();
    const slice = found.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < found.length) {
      const next = new URLSearchParams(req.query);
      next.set('page', String(page + 1));
      headers.link = `<${server.url}${base}/issues?${next.toString()}>; rel="next"`;
    }
    return { status: 200, body: slice.map(json), headers };
  });
  server.route('POST', `${base}/issues`, (req) => {
    const b = req.body as { title?: string; body?: string; labels?: string[] } | undefined;
    if (!b?.title) return { status: 422, body: { message: 'Validation Failed' } };
    const issue: FakeIssue = {
      number: issues.length + 1,
      title: b.title,
      body: b.body ?? '',
      // GitHub silently drops labels set by a user who may not label issues.
      labels: control.dropLabels ? [] : (b.labels ?? []),
      state: 'open',
      comments: [],
    };
    issues.push(issue);
    if (control.lostCreateAnswers > 0) {
      control.lostCreateAnswers -= 1;
      return { status: 502, body: { message: 'Bad Gateway' } };
    }
    return { status: 201, body: json(issue) };
  });
  server.route('PATCH', `${base}/issues/:number`, (req) => {
    const issue = issues.find((i) => i.number === Number(req.params.number));
    if (!issue) return { status: 404, body: { message: 'Not Found' } };
    const b = req.body as Partial<FakeIssue>;
    if (b.title !== undefined) issue.title = b.title;
    if (b.body !== undefined) issue.body = b.body;
    if (b.state !== undefined) issue.state = b.state;
    if (b.state_reason !== undefined) issue.state_reason = b.state_reason;
    return { status: 200, body: json(issue) };
  });
  server.route('POST', `${base}/issues/:number/comments`, (req) => {
    const issue = issues.find((i) => i.number === Number(req.params.number));
    if (!issue) return { status: 404, body: { message: 'Not Found' } };
    const text = (req.body as { body?: string }).body ?? '';
    issue.comments.push(text);
    return {
      status: 201,
      body: { id: issue.comments.length, body: text, html_url: `${json(issue).html_url}#c` },
    };
  });
  return { issues, control, owner, repo, apiUrl: server.url };
}

export interface FakeJiraIssue {
  id: string;
  key: string;
  summary: string;
  labels: string[];
  description: unknown;
  issueType: string;
  status: 'To Do' | 'Done';
  comments: unknown[];
}

const TRANSITIONS = [
  { id: '11', name: 'To Do', to: { name: 'To Do', statusCategory: { id: 2, key: 'new', name: 'To Do' } } },
  {
    id: '21',
    name: 'In Progress',
    to: { name: 'In Progress', statusCategory: { id: 4, key: 'indeterminate', name: 'In Progress' } },
  },
  { id: '31', name: 'Done', to: { name: 'Done', statusCategory: { id: 3, key: 'done', name: 'Done' } } },
];

/**
 * Jira Cloud REST v3: enhanced JQL search (POST /rest/api/3/search/jql; understands the
 * `project`, `labels =` and `statusCategory != Done` clauses edaguard writes), create, edit,
 * comment, transitions.
 */
export function fakeJira(server: RecordingServer, project = 'OPS') {
  const issues: FakeJiraIssue[] = [];
  const find = (key: string | undefined) => issues.find((i) => i.key === key || i.id === key);

  server.route('POST', '/rest/api/3/search/jql', (req) => {
    const b = req.body as { jql?: string; maxResults?: number; nextPageToken?: string; fields?: string[] };
    const jql = b.jql ?? '';
    const label = /labels = "([^"]+)"/.exec(jql)?.[1];
    const inProject = /project = "([^"]+)"/.exec(jql)?.[1];
    const notDone = /statusCategory != Done/.test(jql);
    const found = issues.filter(
      (i) =>
        (!label || i.labels.includes(label)) &&
        (!inProject || i.key.startsWith(`${inProject}-`)) &&
        (!notDone || i.status !== 'Done'),
    );
    const start = Number(b.nextPageToken ?? 0);
    const max = b.maxResults ?? 50;
    const page = found.slice(start, start + max);
    const more = start + max < found.length;
    return {
      status: 200,
      body: {
        issues: page.map((i) => ({
          id: i.id,
          key: i.key,
          self: `${server.url}/rest/api/3/issue/${i.id}`,
          fields: { labels: i.labels, description: i.description },
        })),
        ...(more ? { nextPageToken: String(start + max) } : {}),
        isLast: !more,
      },
    };
  });
  server.route('POST', '/rest/api/3/issue', (req) => {
    const f = (req.body as { fields?: Record<string, unknown> }).fields ?? {};
    const key = (f.project as { key?: string } | undefined)?.key;
    if (key !== project || typeof f.summary !== 'string') {
      return { status: 400, body: { errorMessages: [], errors: { project: 'valid project is required' } } };
    }
    const n = issues.length + 1;
    const issue: FakeJiraIssue = {
      id: String(10_000 + n),
      key: `${project}-${n}`,
      summary: f.summary,
      labels: (f.labels as string[] | undefined) ?? [],
      description: f.description,
      issueType: (f.issuetype as { name?: string } | undefined)?.name ?? '',
      status: 'To Do',
      comments: [],
    };
    issues.push(issue);
    return {
      status: 201,
      body: { id: issue.id, key: issue.key, self: `${server.url}/rest/api/3/issue/${issue.id}` },
    };
  });
  server.route('PUT', '/rest/api/3/issue/:key', (req) => {
    const issue = find(req.params.key);
    if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'] } };
    const f = (req.body as { fields?: Record<string, unknown> }).fields ?? {};
    if (typeof f.summary === 'string') issue.summary = f.summary;
    if (f.description !== undefined) issue.description = f.description;
    return { status: 204 };
  });
  server.route('POST', '/rest/api/3/issue/:key/comment', (req) => {
    const issue = find(req.params.key);
    if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'] } };
    const body = (req.body as { body?: unknown }).body;
    issue.comments.push(body);
    return { status: 201, body: { id: String(issue.comments.length), body } };
  });
  server.route('GET', '/rest/api/3/issue/:key/transitions', (req) => {
    const issue = find(req.params.key);
    if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'] } };
    return { status: 200, body: { expand: 'transitions', transitions: TRANSITIONS } };
  });
  server.route('POST', '/rest/api/3/issue/:key/transitions', (req) => {
    const issue = find(req.params.key);
    if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'] } };
    const id = (req.body as { transition?: { id?: string } }).transition?.id;
    const transition = TRANSITIONS.find((t) => t.id === id);
    if (!transition) return { status: 400, body: { errorMessages: ['Transition id is not valid'] } };
    issue.status = transition.to.statusCategory.key === 'done' ? 'Done' : 'To Do';
    return { status: 204 };
  });
  return { issues, project, host: server.url };
}

export interface FakeWebhookTicket {
  id: string;
  fingerprint: string;
  open: boolean;
  events: string[];
}

/** A ticket receiver that answers { id, url } to `open`, and 200 to the rest. */
export function fakeTicketWebhook(server: RecordingServer, secret = 'hook-secret-5a4b3c') {
  const tickets = new Map<string, FakeWebhookTicket>();
  server.route('POST', `/hooks/${secret}`, (req) => {
    const b = req.body as { event?: string; fingerprint?: string };
    if (!b?.event || !b.fingerprint)
      return { status: 400, body: { error: 'event and fingerprint required' } };
    let ticket = tickets.get(b.fingerprint);
    if (b.event === 'open') {
      ticket ??= { id: `T-${tickets.size + 1}`, fingerprint: b.fingerprint, open: true, events: [] };
      ticket.open = true;
      tickets.set(b.fingerprint, ticket);
    }
    ticket?.events.push(b.event);
    if (b.event === 'resolve' && ticket) ticket.open = false;
    return {
      status: 200,
      body: ticket ? { id: ticket.id, url: `https://tickets.example/${ticket.id}` } : {},
    };
  });
  return { url: `${server.url}/hooks/${secret}`, tickets };
}
