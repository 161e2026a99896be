import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface Probe {
  ok: boolean;
  /** Shown as JSON: what was checked and why it fails. */
  details: Record<string, unknown>;
}

/** What the server asks the controller; it owns no state of its own. */
export interface HealthSource {
  liveness(): Probe;
  readiness(): Probe;
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface HttpServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export const ROUTES = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

/**
 * The path of a request target: origin form (`/healthz?x`) or absolute form
 * (`http://host/healthz`). Anything that is not a URL is no route: an empty path, which is a 404.
 */
export function requestPath(target: string | undefined): string {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

const json = (res: ServerResponse, req: IncomingMessage, status: number, value: unknown) =>
  send(res, req, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);

const isRoute = (path: string) =>
  Object.values(ROUTES).includes(path as (typeof ROUTES)[keyof typeof ROUTES]);

/** Answers one request: 404 off the routes, 405 for other methods, else the probe or the metrics. */
async function answer(req: IncomingMessage, res: ServerResponse, path: string, health: HealthSource) {
  if (!isRoute(path)) {
    json(res, req, 404, { error: 'not found', paths: Object.values(ROUTES) });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    json(res, req, 405, { error: 'method not allowed' });
    return;
  }
  if (path === ROUTES.metrics) {
    const { contentType, body } = await health.metrics();
    send(res, req, 200, contentType, body);
    return;
  }
  const probe = path === ROUTES.health ? health.liveness() : health.readiness();
  json(res, req, probe.ok ? 200 : 503, { status: probe.ok ? 'ok' : 'failing', ...probe.details });
}

/** A 500 when the answer failed before its headers went out; else the socket goes. */
function answerFailure(req: IncomingMessage, res: ServerResponse): void {
  try {
    if (!res.headersSent) json(res, req, 500, { error: 'internal error' });
    else res.destroy();
  } catch {
    res.destroy();
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The URL clients reach the server at (a wildcard address is reached on the loopback). */
function serverUrl(server: Server): { port: number; url: string } {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    port: address.port,
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`,
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // A scrape in progress gets a moment to finish, then the socket goes.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

/**
 * One small node:http server for the orchestrator and Prometheus: GET (or HEAD) /healthz,
 * /readyz and /metrics. Nothing else is served; nothing it answers changes state.
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  health: HealthSource;
  logger: Logger;
}): Promise<HttpServer> {
  const log = options.logger.child({ component: 'http' });
  const server = createServer(async (req, res) => {
    // Everything a client sends is inside the try: a request line like `GET //[ HTTP/1.1` makes
    // `new URL` throw, and a rejection escaping this async handler would end the process.
    let path = '';
    try {
      path = requestPath(req.url);
      await answer(req, res, path, options.health);
    } catch (error) {
      log.error({ err: error, path: path.slice(0, 200) }, 'health endpoint failed');
      answerFailure(req, res);
    }
  });
  // Probes are tiny: a slow or idle client must not hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port, options.host);
  // A malformed request is answered 400 by node:http itself (clientError's default); an error
  // of the listening socket after start (EMFILE on accept, say) is logged and the server keeps
  // listening: without this listener it would be an uncaught exception.
  server.on('error', (error) => log.error({ err: error }, 'http server error; still listening'));
  const { port, url } = serverUrl(server);
  log.info({ host: options.host, port, url }, 'http server listening');
  return { port, url, close: () => closeServer(server) };
}

/** The controller's server (either kind): its probes and its metrics, where the settings say. */
export function serveController(
  service: { httpHost: string; httpPort: number },
  logger: Logger,
  controller: { liveness(): Probe; readiness(): Probe; metrics: { render: HealthSource['metrics'] } },
): Promise<HttpServer> {
  return startHttpServer({
    host: service.httpHost,
    port: service.httpPort,
    logger,
    health: {
      liveness: () => controller.liveness(),
      readiness: () => controller.readiness(),
      metrics: () => controller.metrics.render(),
    },
  });
}
