/**
 * A generic JSON webhook: `POST` `{ source, event: open|update|resolve, fingerprint, ticket,
 * comment }` for whatever files the ticket on the other side. The receiver cannot be queried, so
 * edaguard keeps its own list of open tickets, per target, in the notification state (the state
 * table, the state file, or memory: see stateStore.ts). Each event carries an `Idempotency-Key`
 * the receiver can dedupe on.
 */
import type { Logger } from 'pino';
import type { Target } from '../../discovery/inventory.js';
import { errorFacts, type Scrub } from '../redact.js';
import { httpVerdict, type RetryPolicy, withRetry } from '../retry.js';
import { NotifyStateError, type StateStore } from '../stateStore.js';
import type { TicketRef, TicketSink } from './sink.js';
import { type TicketContent, type TicketResolution, updateComment } from './ticketContent.js';

export interface WebhookSinkOptions {
  url: string;
  timeoutMs: number;
  retry: RetryPolicy;
  state: StateStore;
  logger: Logger;
  scrub: Scrub;
  fetch?: typeof fetch;
}

export type WebhookEvent = 'open' | 'update' | 'resolve';

export class WebhookHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
  ) {
    super(`ticket webhook answered ${status}`);
    this.name = 'WebhookHttpError';
  }
}

export function ticketPayload(content: TicketContent) {
  const f = content.facts;
  return {
    title: content.title,
    body: content.body,
    labels: content.labels,
    stateHash: content.stateHash,
    resource: f.resource,
    resourceType: f.resourceType,
    rule: f.rule,
    policy: f.policy,
    status: f.status,
    target: f.target,
    whatIsWrong: f.whatIsWrong,
    whyItMatters: f.whyItMatters,
    whatToDo: f.whatToDo,
    observed: f.observed ?? null,
    desired: f.desired ?? null,
    reportedAt: f.reportedAt,
  };
}

/** One event to the webhook, retried while transient; the receiver's JSON answer (or {}). */
function postEvent(
  options: WebhookSinkOptions,
  doFetch: typeof fetch,
  log: Logger,
  event: WebhookEvent,
  idempotency: { fingerprint: string; key: string },
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { fingerprint, key } = idempotency;
  return withRetry(
    async () => {
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'edaguard',
          'idempotency-key': `${fingerprint}-${event}-${key}`,
        },
        body: JSON.stringify({ source: 'edaguard', event, fingerprint, ...body }),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await res.text();
      if (!res.ok) throw new WebhookHttpError(res.status, res.headers.get('retry-after'));
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        return {};
      }
    },
    (error) =>
      error instanceof WebhookHttpError
        ? httpVerdict(error.status, error.retryAfter)
        : httpVerdict(undefined),
    options.retry,
    ({ attempt, delayMs, error }) =>
      log.warn(
        { event, attempt, delayMs, error: errorFacts(error, options.scrub) },
        'ticket webhook failed; retrying',
      ),
  );
}

/**
 * The receiver cannot be asked which tickets are open: edaguard's own list is kept in the state.
 * A failed write throws, so that the operation is counted as failed (the event was sent; the
 * receiver can dedupe a repeat on its Idempotency-Key).
 */
async function rememberTicket(
  state: StateStore,
  target: Target,
  ref: TicketRef | undefined,
  fingerprint: string,
) {
  const current = await state.load(target);
  const tickets = { ...current.tickets };
  if (ref) tickets[fingerprint] = { ...ref };
  else delete tickets[fingerprint];
  if (!(await state.save(target, { ...current, tickets })))
    throw new NotifyStateError(`ticket ${fingerprint} sent, but the notification state was not written`);
}

/** The new ticket's reference: the receiver's id and url when it answered with them. */
function openedRef(content: TicketContent, answer: Record<string, unknown>): TicketRef {
  return {
    fingerprint: content.fingerprint,
    id:
      typeof answer.id === 'string' || typeof answer.id === 'number'
        ? String(answer.id)
        : content.fingerprint,
    ...(typeof answer.url === 'string' ? { url: answer.url } : {}),
    stateHash: content.stateHash,
  };
}

export function createWebhookSink(options: WebhookSinkOptions): TicketSink {
  const log = options.logger.child({ sink: 'webhook' });
  const doFetch = options.fetch ?? fetch;
  const post = (event: WebhookEvent, fingerprint: string, key: string, body: Record<string, unknown>) =>
    postEvent(options, doFetch, log, event, { fingerprint, key }, body);

  return {
    kind: 'webhook',

    async listOpen(target: Target) {
      return Object.values((await options.state.load(target)).tickets);
    },

    async open(content: TicketContent) {
      const answer = await post('open', content.fingerprint, content.stateHash, {
        ticket: ticketPayload(content),
      });
      const ref = openedRef(content, answer);
      await rememberTicket(options.state, content.facts.target, ref, content.fingerprint);
      return ref;
    },

    async update(ref: TicketRef, content: TicketContent) {
      await post('update', ref.fingerprint, content.stateHash, {
        ticketId: ref.id,
        ticket: ticketPayload(content),
        comment: updateComment(content),
      });
      const next = { ...ref, stateHash: content.stateHash };
      await rememberTicket(options.state, content.facts.target, next, ref.fingerprint);
      return next;
    },

    async resolve(ref: TicketRef, resolution: TicketResolution, target: Target) {
      await post('resolve', ref.fingerprint, resolution.reason, {
        ticketId: ref.id,
        resolution: resolution.reason,
        comment: resolution.comment,
      });
      await rememberTicket(options.state, target, undefined, ref.fingerprint);
    },
  };
}
