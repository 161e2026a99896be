import type { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Ending one attempt of a call early. The SDK hands every attempt's request to the client's
 * request handler with the options of the whole `send()`, so a middleware has no way of its own to
 * abort one attempt's socket: it registers a signal for the request here, and the handler below
 * (every client's) aborts that attempt when the signal fires, as it does for `send()`'s own
 * abortSignal.
 */
const attemptSignals = new WeakMap<object, AbortSignal>();

/** Ends this request (one attempt) when `signal` aborts. Only the innermost middleware may call it. */
export function abortAttemptWith(request: object, signal: AbortSignal): void {
  attemptSignals.set(request, signal);
}

type HandlerRequest = Parameters<NodeHttpHandler['handle']>[0];
type HandlerOptions = Parameters<NodeHttpHandler['handle']>[1];
type SendSignal = NonNullable<NonNullable<HandlerOptions>['abortSignal']>;

function bothSignals(send: SendSignal | undefined, attempt: AbortSignal): AbortSignal {
  if (!send) return attempt;
  if (send instanceof AbortSignal) return AbortSignal.any([send, attempt]);
  // A signal-like object (smithy's AbortSignal interface has only `onabort`): chain onto it.
  const either = new AbortController();
  attempt.addEventListener('abort', () => either.abort(attempt.reason), { once: true });
  const previous = send.onabort;
  send.onabort = function (this: unknown, ...args: unknown[]) {
    either.abort();
    return (previous as ((...a: unknown[]) => unknown) | null)?.apply(this, args);
  } as SendSignal['onabort'];
  return either.signal;
}

/** A NodeHttpHandler that also honours a per-attempt signal (see abortAttemptWith). */
export class AttemptAbortingHandler {
  constructor(private readonly inner: NodeHttpHandler) {}

  get metadata() {
    return this.inner.metadata;
  }

  handle(request: HandlerRequest, options?: HandlerOptions): ReturnType<NodeHttpHandler['handle']> {
    const attempt = attemptSignals.get(request);
    if (!attempt) return this.inner.handle(request, options);
    return this.inner.handle(request, {
      ...options,
      abortSignal: bothSignals(options?.abortSignal, attempt),
    });
  }

  updateHttpClientConfig(...args: Parameters<NodeHttpHandler['updateHttpClientConfig']>): void {
    this.inner.updateHttpClientConfig(...args);
  }

  httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy();
  }
}
