/**
 * A local HTTP server that records every request (method, path, query, headers, JSON body) and
 * answers from routes, with scripted one-shot answers in front of them (429 with Retry-After,
 * 500…) to exercise retries. `deadEndpoint()` gives a URL on a port nothing listens on.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  readonly body: unknown;
  readonly params: Readonly<Record<string, string>>;
}

export interface Reply {
  status: number;
  /** An object is sent as JSON; a string as text/plain. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export interface RecordingServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** `path` may have `:name` segments, given to the handler as params. */
  route(method: string, path: string, handler: Handler): void;
  /** One-shot replies for the next matching requests, before the route answers. */
  script(method: string, path: string, ...replies: Reply[]): void;
  /** Requests matching a method and a path pattern. */
  find(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names };
}

function match(route: { method: string; pattern: RegExp; names: string[] }, method: string, path: string) {
  if (route.method !== method) return undefined;
  const m = route.pattern.exec(path);
  if (!m) return undefined;
  return Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const routes: Route[] = [];
  const scripts: { method: string; pattern: RegExp; names: string[]; replies: Reply[] }[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const base = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        body,
      };
      // Recorded on arrival, before the answer: a request that is never answered is still seen.
      const scripted = scripts.find((s) => s.replies.length > 0 && match(s, method, url.pathname));
      const route = scripted ? undefined : routes.find((r) => match(r, method, url.pathname));
      const params =
        (scripted ? match(scripted, method, url.pathname) : route && match(route, method, url.pathname)) ??
        {};
      const recorded: RecordedRequest = { ...base, params };
      requests.push(recorded);
      let reply: Reply = { status: 404, body: { message: 'Not Found' } };
      if (scripted) reply = scripted.replies.shift() as Reply;
      else if (route) {
        try {
          reply = await route.handler(recorded);
        } catch (error) {
          reply = { status: 500, body: { message: String(error) } };
        }
      }
      const isText = typeof reply.body === 'string';
      const payload =
        reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...(payload !== ''
          ? { 'content-type': isText ? 'text/plain' : 'application/json; charset=utf-8' }
          : {}),
        ...reply.headers,
      });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route(method, path, handler) {
      routes.push({ method, ...compile(path), handler });
    },
    script(method, path, ...replies) {
      scripts.push({ method, ...compile(path), replies });
    },
    find(method, path) {
      const { pattern, names } = compile(path);
      return requests.filter((r) => match({ method, pattern, names }, r.method, r.path));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A URL on a loopback port that was free a moment ago and has no listener: connections are refused. */
export async function deadEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
