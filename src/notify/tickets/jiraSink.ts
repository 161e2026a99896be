/**
 * Jira Cloud through jira.js (REST API v3). Every edaguard issue has the labels `edaguard` and
 * `edaguard-<fingerprint>`; one JQL search (`POST /rest/api/3/search/jql`, the enhanced search
 * that replaces the removed `/rest/api/3/search`) lists the open ones. Descriptions and comments
 * are Atlassian Document Format; closing follows the workflow's transition into a "done" status.
 */
import { Version3Client } from 'jira.js';
import type { Logger } from 'pino';
import type { Scrub } from '../redact.js';
import { httpVerdict, type RetryPolicy, type RetryVerdict } from '../retry.js';
import { fingerprintFromLabels, fingerprintLabel, markersIn, TICKET_LABEL } from './fingerprint.js';
import type { TicketRef, TicketSink } from './sink.js';
import { type RetryingCall, retryingCalls } from './sinkCalls.js';
import { showValue, type TicketContent, type TicketResolution, updateComment } from './ticketContent.js';

export interface JiraSinkOptions {
  /** https://your-domain.atlassian.net */
  host: string;
  email: string;
  apiToken: string;
  project: string;
  issueType: string;
  /** The transition that closes a ticket; default: the first one into the "done" status category. */
  doneTransition?: string;
  timeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  scrub: Scrub;
}

interface JiraErrorLike {
  status?: number;
  response?: { status?: number; headers?: Record<string, unknown> };
  cause?: { response?: { status?: number; headers?: Record<string, unknown> } };
}

/** jira.js wraps an HTTP error in an HttpException whose cause is the AxiosError (with headers). */
export function jiraVerdict(error: unknown): RetryVerdict {
  const e = error as JiraErrorLike;
  const response = e.cause?.response ?? e.response;
  const status = response?.status ?? e.status;
  const retryAfter = response?.headers?.['retry-after'];
  return httpVerdict(status, typeof retryAfter === 'string' ? retryAfter : undefined);
}

// Atlassian Document Format, the few nodes a ticket needs.
interface AdfNode {
  type: string;
  text?: string;
  marks?: { type: string }[];
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
}
export interface AdfDocument extends AdfNode {
  type: 'doc';
  version: 1;
}

const text = (value: string, marks?: string[]): AdfNode => ({
  type: 'text',
  text: value === '' ? ' ' : value,
  ...(marks ? { marks: marks.map((type) => ({ type })) } : {}),
});
const paragraph = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });
const codeBlock = (value: string): AdfNode => ({
  type: 'codeBlock',
  attrs: { language: 'json' },
  content: [text(value)],
});
const doc = (...content: AdfNode[]): AdfDocument => ({ type: 'doc', version: 1, content });

/** The ticket as ADF; it ends with the fingerprint and state markers, found again by `markersIn`. */
export function ticketAdf(content: TicketContent): AdfDocument {
  const f = content.facts;
  const line = (label: string, value: string) => paragraph(text(`${label}: `, ['strong']), text(value));
  return doc(
    line('What is wrong', f.whatIsWrong),
    line('Why it matters', f.whyItMatters),
    line('What to do', f.whatToDo),
    paragraph(text('Observed', ['strong'])),
    codeBlock(showValue(f.observed)),
    paragraph(text('Desired', ['strong'])),
    codeBlock(showValue(f.desired)),
    paragraph(
      text(`Resource: ${f.resource}`),
      { type: 'hardBreak' },
      text(`Rule: ${f.rule}; policy: ${f.policy || '-'}; status: ${f.status}`),
      { type: 'hardBreak' },
      text(
        `Target: ${f.target.partition}/${f.target.accountId}/${f.target.region}; last changed ${f.reportedAt}`,
      ),
    ),
    paragraph(
      text('edaguard keeps this ticket up to date and closes it when the resource complies. '),
      text(`edaguard:fingerprint=${content.fingerprint} edaguard:state=${content.stateHash}`, ['code']),
    ),
  );
}

const plainDoc = (value: string): AdfDocument => doc(...value.split('\n').map((l) => paragraph(text(l))));

interface TransitionLike {
  id?: string;
  name?: string;
  to?: { statusCategory?: { key?: string } };
}

/** The configured transition by name, else the first into the "done" category, else one named like done. */
export function pickDoneTransition(
  transitions: readonly TransitionLike[],
  name?: string,
): TransitionLike | undefined {
  if (name) return transitions.find((t) => t.name?.toLowerCase() === name.toLowerCase());
  return (
    transitions.find((t) => t.to?.statusCategory?.key === 'done') ??
    transitions.find((t) => /^(done|close|closed|resolve|resolved)$/i.test(t.name ?? ''))
  );
}

const browseUrl = (host: string, key: string) => `${host}/browse/${key}`;
const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** The open edaguard tickets with `label`, through the enhanced JQL search, page by page. */
async function searchOpenTickets(
  client: Version3Client,
  call: RetryingCall,
  options: Pick<JiraSinkOptions, 'project' | 'host'>,
  label: string,
): Promise<TicketRef[]> {
  const jql = `project = ${quote(options.project)} AND labels = ${quote(label)} AND statusCategory != Done ORDER BY created ASC`;
  const refs: TicketRef[] = [];
  let nextPageToken: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const result = await call('issueSearch.searchForIssuesUsingJqlEnhancedSearchPost', () =>
      client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({
        jql,
        fields: ['labels', 'description'],
        maxResults: 100,
        ...(nextPageToken ? { nextPageToken } : {}),
      }),
    );
    for (const issue of result.issues ?? []) {
      const labels = (issue.fields?.labels as string[] | undefined) ?? [];
      const markers = markersIn(JSON.stringify(issue.fields?.description ?? null));
      const fingerprint = fingerprintFromLabels(labels) ?? markers.fingerprint;
      if (!fingerprint || !issue.key) continue;
      refs.push({
        fingerprint,
        id: issue.key,
        url: browseUrl(options.host, issue.key),
        ...(markers.stateHash ? { stateHash: markers.stateHash } : {}),
      });
    }
    nextPageToken = result.nextPageToken;
    if (!nextPageToken) break;
  }
  return refs;
}

export function createJiraSink(options: JiraSinkOptions): TicketSink {
  const log = options.logger.child({ sink: 'jira' });
  const client = new Version3Client({
    host: options.host,
    authentication: { basic: { email: options.email, apiToken: options.apiToken } },
    baseRequestConfig: { timeout: options.timeoutMs },
  });
  const call = retryingCalls('Jira', jiraVerdict, options, log);
  const search = (label: string) => searchOpenTickets(client, call, options, label);

  return {
    kind: 'jira',

    listOpen: () => search(TICKET_LABEL),

    async open(content: TicketContent) {
      return call('issues.createIssue', async (attempt) => {
        // A create that failed without an answer may have happened: look before creating again.
        if (attempt > 1) {
          const [existing] = await search(fingerprintLabel(content.fingerprint));
          if (existing) return existing;
        }
        const created = await client.issues.createIssue({
          fields: {
            project: { key: options.project },
            issuetype: { name: options.issueType },
            summary: content.title,
            description: ticketAdf(content),
            labels: [...content.labels],
          },
        });
        return {
          fingerprint: content.fingerprint,
          id: created.key,
          url: browseUrl(options.host, created.key),
          stateHash: content.stateHash,
        };
      });
    },

    async update(ref: TicketRef, content: TicketContent) {
      await call('issues.editIssue', () =>
        client.issues.editIssue({
          issueIdOrKey: ref.id,
          fields: { summary: content.title, description: ticketAdf(content) },
        }),
      );
      await call('issueComments.addComment', () =>
        client.issueComments.addComment({ issueIdOrKey: ref.id, comment: plainDoc(updateComment(content)) }),
      );
      return { ...ref, stateHash: content.stateHash };
    },

    async resolve(ref: TicketRef, resolution: TicketResolution) {
      // Find the transition first: without one, commenting would repeat every cycle.
      const { transitions = [] } = await call('issues.getTransitions', () =>
        client.issues.getTransitions({ issueIdOrKey: ref.id }),
      );
      const done = pickDoneTransition(transitions, options.doneTransition);
      if (!done?.id) {
        throw new Error(
          `no transition to a done status on ${ref.id}${options.doneTransition ? ` named "${options.doneTransition}"` : ''}`,
        );
      }
      await call('issueComments.addComment', () =>
        client.issueComments.addComment({ issueIdOrKey: ref.id, comment: plainDoc(resolution.comment) }),
      );
      await call('issues.doTransition', () =>
        client.issues.doTransition({ issueIdOrKey: ref.id, transition: { id: done.id } }),
      );
    },
  };
}
