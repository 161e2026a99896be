/**
 * A loopback HTTP proxy in front of the emulator, for tests that watch or disturb the wire: each
 * request is read whole, then handed to `handle`, which answers it itself or forwards it.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedCall {
  readonly req: IncomingMessage;
  readonly body: Buffer;
  /** X-Amz-Target, or method and path for REST services. */
  readonly target: string;
  readonly res: ServerResponse;
  /**
   * Sends the request upstream. By default the answer is passed back as it is; `onAnswer` takes
   * it over instead (e.g. to drop the connection after the request was executed).
   */
  forward(onAnswer?: (upstream: IncomingMessage, res: ServerResponse) => void): void;
}

/** The same request, addressed to the upstream (the Host header rewritten: SigV4 signed it for the proxy). */
export function upstreamRequest(up: URL, req: IncomingMessage): RequestOptions {
  return {
    host: up.hostname,
    port: up.port,
    method: req.method,
    path: req.url,
    headers: { ...req.headers, host: up.host },
  };
}

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends a request (its body already read) upstream; resolves with the answer read whole. */
export function exchangeUpstream(up: URL, req: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    const proxied = request(upstreamRequest(up, req), (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () =>
        resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
      );
      answer.on('error', reject);
    });
    proxied.on('error', reject);
    proxied.end(body);
  });
}

export interface LoopbackProxy {
  readonly url: string;
  close(): Promise<void>;
}

export async function startLoopbackProxy(
  upstream: string,
  handle: (call: ProxiedCall) => void,
): Promise<LoopbackProxy> {
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = (onAnswer?: (upstream: IncomingMessage, res: ServerResponse) => void) => {
        const proxied = request(upstreamRequest(up, req), (answer) => {
          if (onAnswer) return onAnswer(answer, res);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        proxied.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        proxied.end(body);
      };
      const target = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
      handle({ req, body, target, res, forward });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
