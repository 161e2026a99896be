/**
 * A transparent HTTP proxy in front of the emulator that can hold chosen AWS calls (by their
 * X-Amz-Target, e.g. `AmazonSQS.CreateQueue`) until the test releases them. It lets a test put a
 * child process in the middle of a write, deterministically, and records every call it forwards.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { upstreamRequest } from './loopbackProxy.js';

export interface HeldCall {
  readonly target: string;
  release(): void;
}

export interface HoldingProxy {
  readonly url: string;
  /** Every forwarded call's X-Amz-Target (or method and path), in arrival order. */
  readonly calls: string[];
  /** Holds the next calls whose target matches, until released. */
  hold(match: (target: string) => boolean): void;
  /** Resolves when a held call arrives. */
  nextHeld(): Promise<HeldCall>;
  /** Stops holding; releases everything held. */
  releaseAll(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(upstream: string): Promise<HoldingProxy> {
  const up = new URL(upstream);
  const calls: string[] = [];
  let matcher: ((target: string) => boolean) | undefined;
  const held: HeldCall[] = [];
  const heldWaiters: Array<(call: HeldCall) => void> = [];
  const releases = new Set<() => void>();

  const server = createServer((req, res) => {
    const target = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
    const forward = () => {
      calls.push(target);
      const proxied = request(upstreamRequest(up, req), (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      });
      proxied.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(proxied);
    };
    if (matcher?.(target)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        releases.delete(release);
        forward();
      };
      releases.add(release);
      req.pause();
      const call = { target, release };
      const waiter = heldWaiters.shift();
      if (waiter) waiter(call);
      else held.push(call);
      return;
    }
    forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    hold(match) {
      matcher = match;
    },
    nextHeld() {
      const call = held.shift();
      if (call) return Promise.resolve(call);
      return new Promise((resolve) => heldWaiters.push(resolve));
    },
    releaseAll() {
      matcher = undefined;
      for (const release of [...releases]) release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of [...releases]) release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
