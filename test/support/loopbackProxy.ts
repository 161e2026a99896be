/**
 * A loopback HTTP proxy in front of the emulator, for tests that watch or disturb the wire: each
 * request is read whole, then handed to `handle`, which answers it itself or forwards it.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
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
        const proxied = request(
          {
            host: up.hostname,
            port: up.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: up.host },
          },
          (answer) => {
            if (onAnswer) return onAnswer(answer, res);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
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
