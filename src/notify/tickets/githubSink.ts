/**
 * GitHub Issues through @octokit/rest. Every edaguard issue has the label `edaguard` and the
 * label `edaguard-<fingerprint>`, and the fingerprint in a hidden marker in its body; one paginated
 * `GET /repos/{owner}/{repo}/issues?labels=edaguard&state=open` lists them all each cycle.
 */
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { Scrub } from '../redact.js';
import { httpVerdict, type RetryPolicy, type RetryVerdict } from '../retry.js';
import { fingerprintFromLabels, fingerprintLabel, markersIn, TICKET_LABEL } from './fingerprint.js';
import type { TicketRef, TicketSink } from './sink.js';
import { type RetryingCall, retryingCalls } from './sinkCalls.js';
import { type TicketContent, type TicketResolution, updateComment } from './ticketContent.js';

export interface GithubSinkOptions {
  token: string;
  owner: string;
  repo: string;
  /** https://api.github.com, or a GitHub Enterprise Server's https://HOST/api/v3. */
  apiUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  scrub: Scrub;
}

interface ErrorWithResponse {
  status?: number;
  response?: { headers?: Record<string, string | undefined> };
}

/** 429, 5xx and no response are transient; so is a 403 that is a rate limit (primary or secondary). */
export function githubVerdict(error: unknown, now: number = Date.now()): RetryVerdict {
  const e = error as ErrorWithResponse;
  const headers = e.response?.headers ?? {};
  if (e.status === 403) {
    if (headers['retry-after'] !== undefined) return httpVerdict(429, headers['retry-after']);
    if (headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      return Number.isFinite(reset)
        ? { retry: true, retryAfterMs: Math.max(0, reset * 1000 - now) }
        : { retry: true };
    }
    return { retry: false };
  }
  return httpVerdict(e.status, headers['retry-after']);
}

type Label = string | { name?: string | undefined };

interface IssueLike {
  number: number;
  html_url: string;
  body?: string | null | undefined;
  labels: Label[];
  pull_request?: unknown;
}

function toRef(issue: IssueLike): TicketRef | undefined {
  const labels = issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
  const markers = markersIn(issue.body);
  const fingerprint = fingerprintFromLabels(labels) ?? markers.fingerprint;
  if (!fingerprint) return undefined;
  return {
    fingerprint,
    id: String(issue.number),
    url: issue.html_url,
    ...(markers.stateHash ? { stateHash: markers.stateHash } : {}),
  };
}

function createOctokit(options: GithubSinkOptions, log: Logger): Octokit {
  return new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl,
    userAgent: 'edaguard',
    // Octokit's own request log would print paths and options; edaguard logs what it needs itself.
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => log.warn(options.scrub(m)),
      error: () => {},
    },
    request: {
      fetch: (url: string, init: RequestInit) =>
        fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(options.timeoutMs) }),
    },
  });
}

const refs = (issues: IssueLike[]) => issues.filter((i) => !i.pull_request).flatMap((i) => toRef(i) ?? []);

/**
 * Opens the issue. A create that failed without an answer may have happened, so a retry first
 * looks for the issue by its fingerprint label.
 */
function openIssue(
  octokit: Octokit,
  options: GithubSinkOptions,
  calls: { call: RetryingCall; openIssues: (labels: string) => Promise<IssueLike[]> },
  log: Logger,
  content: TicketContent,
): Promise<TicketRef> {
  const { owner, repo } = options;
  return calls.call('issues.create', async (attempt) => {
    if (attempt > 1) {
      const [existing] = refs(await calls.openIssues(fingerprintLabel(content.fingerprint)));
      if (existing) return existing;
    }
    const { data } = await octokit.rest.issues.create({
      owner,
      repo,
      title: content.title,
      body: content.body,
      labels: [...content.labels],
    });
    // GitHub silently drops the labels of a new issue when the token may not set labels; then
    // the next cycle cannot find the issue again and would open another. Say so loudly.
    const labels = data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
    if (!labels.includes(fingerprintLabel(content.fingerprint))) {
      log.error(
        { ticket: String(data.number) },
        'GitHub dropped the labels of the new issue: give the token permission to label issues, or edaguard cannot find it again',
      );
    }
    return {
      fingerprint: content.fingerprint,
      id: String(data.number),
      url: data.html_url,
      stateHash: content.stateHash,
    };
  });
}

export function createGithubSink(options: GithubSinkOptions): TicketSink {
  const { owner, repo } = options;
  const log = options.logger.child({ sink: 'github' });
  const octokit = createOctokit(options, log);
  const call = retryingCalls('GitHub', (e) => githubVerdict(e), options, log);
  const openIssues = (labels: string) =>
    call('issues.listForRepo', () =>
      octokit.paginate(octokit.rest.issues.listForRepo, {
        owner,
        repo,
        labels,
        state: 'open',
        sort: 'created',
        direction: 'asc',
        per_page: 100,
      }),
    );

  return {
    kind: 'github',

    async listOpen() {
      return refs(await openIssues(TICKET_LABEL));
    },

    open: (content: TicketContent) => openIssue(octokit, options, { call, openIssues }, log, content),

    async update(ref: TicketRef, content: TicketContent) {
      const issue_number = Number(ref.id);
      await call('issues.update', () =>
        octokit.rest.issues.update({ owner, repo, issue_number, title: content.title, body: content.body }),
      );
      await call('issues.createComment', () =>
        octokit.rest.issues.createComment({ owner, repo, issue_number, body: updateComment(content) }),
      );
      return { ...ref, stateHash: content.stateHash };
    },

    async resolve(ref: TicketRef, resolution: TicketResolution) {
      const issue_number = Number(ref.id);
      await call('issues.createComment', () =>
        octokit.rest.issues.createComment({ owner, repo, issue_number, body: resolution.comment }),
      );
      await call('issues.update', () =>
        octokit.rest.issues.update({
          owner,
          repo,
          issue_number,
          state: 'closed',
          state_reason:
            resolution.reason === 'duplicate' || resolution.reason === 'waived' ? 'not_planned' : 'completed',
        }),
      );
    },
  };
}
