/**
 * Posts a payload to a Slack incoming webhook with @slack/webhook. Its own retry (p-retry) never
 * retries a 429 and cannot see `Retry-After`, so it is turned off and edaguard retries: backoff
 * with jitter, at least `Retry-After` on 429. Never throws; a failure is logged (host only, never
 * the URL) and reported in the result.
 *
 * @slack/webhook 8 sends with the global `fetch` (undici), not axios: Node 20's fetch ignores
 * HTTP(S)_PROXY, so a proxy needs a `fetch` passed in (e.g. undici's EnvHttpProxyAgent).
 */
import { createRequire } from 'node:module';
import type * as SlackWebhook from '@slack/webhook';
import type { Logger } from 'pino';
import { errorFacts, hostOf, type Scrub } from './redact.js';
import { httpVerdict, type RetryPolicy, type RetryVerdict, withRetry } from './retry.js';
import type { SlackPayload } from './slackMessage.js';

export interface SlackNotifierOptions {
  webhookUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  logger: Logger;
  scrub: Scrub;
  fetch?: typeof fetch;
}

export type SlackPostResult =
  | { readonly ok: true; readonly attempts: number }
  | { readonly ok: false; readonly attempts: number; readonly status?: number; readonly code?: string };

export interface SlackNotifier {
  post(payload: SlackPayload): Promise<SlackPostResult>;
}

export function createSlackNotifier(options: SlackNotifierOptions): SlackNotifier {
  // Loaded when Slack is configured, not by every command that imports the notifier.
  const { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } = createRequire(
    import.meta.url,
  )('@slack/webhook') as typeof SlackWebhook;
  const log = options.logger.child({ sink: 'slack', host: hostOf(options.webhookUrl) });
  const baseFetch = options.fetch ?? fetch;
  // The library's error for an HTTP status carries no headers: keep the last Retry-After here.
  let retryAfter: string | null = null;
  const webhook = new IncomingWebhook(options.webhookUrl, {
    timeout: options.timeoutMs,
    retryConfig: { retries: 0 },
    fetch: async (url, init) => {
      retryAfter = null;
      const res = await baseFetch(url, init as RequestInit);
      retryAfter = res.headers.get('retry-after');
      return res;
    },
  });
  const classify = (error: unknown): RetryVerdict => {
    if (error instanceof IncomingWebhookHTTPError) return httpVerdict(error.statusCode, retryAfter);
    if (error instanceof IncomingWebhookRequestError) return httpVerdict(undefined);
    return { retry: false };
  };

  return {
    async post(payload) {
      let attempts = 0;
      try {
        await withRetry(
          async (attempt) => {
            attempts = attempt;
            // Slack's documented types are wider than the blocks edaguard builds.
            await webhook.send({ text: payload.text, blocks: payload.blocks as never });
          },
          classify,
          options.retry,
          ({ attempt, delayMs, error }) =>
            log.warn(
              { attempt, delayMs, error: errorFacts(error, options.scrub) },
              'Slack post failed; retrying',
            ),
        );
        log.info({ attempts }, 'drift report posted to Slack');
        return { ok: true, attempts };
      } catch (error) {
        const facts = errorFacts(error, options.scrub);
        log.error(
          { attempts, error: facts },
          'Slack post failed; the same changes are posted again next cycle',
        );
        return {
          ok: false,
          attempts,
          ...(facts.status !== undefined ? { status: facts.status } : {}),
          ...(facts.code !== undefined ? { code: facts.code } : {}),
        };
      }
    },
  };
}
