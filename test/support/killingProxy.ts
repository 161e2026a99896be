/**
 * A loopback HTTP proxy in front of the emulator that records every AWS call and, when armed,
 * kills the controller process at a chosen write: before forwarding it, after AWS applied it but
 * before the answer reaches the process, or right after the answer. It lets a test crash a real
 * `edaguard reconcile` at a precise point of its apply and see what AWS was left with.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isWriteOperation } from '../../src/aws/callCounter.js';
import { exchangeUpstream, type UpstreamAnswer } from './loopbackProxy.js';

/** Where, around the chosen write, the process dies. */
export type KillMode = 'before-forwarding' | 'after-forwarding-before-response' | 'after-response';
export const KILL_MODES: readonly KillMode[] = [
  'before-forwarding',
  'after-forwarding-before-response',
  'after-response',
];

export interface ProxiedCall {
  /** `AmazonSQS.CreateQueue`, `Lambda.UpdateEventSourceMapping`, or `Lambda.<METHOD> <path>`. */
  readonly operation: string;
  readonly method: string;
  /** The request path (Lambda's REST API names the resource there). */
  readonly path: string;
  readonly write: boolean;
  /** 1-based index among the writes of the current phase (0 for reads). */
  readonly writeIndex: number;
  /** The phase label set by the test when the call was let through (e.g. `killed`, `restart`). */
  readonly phase: string;
  /** The JSON request body, when it is JSON (SQS, CloudWatch, Lambda). */
  readonly body: Record<string, unknown> | undefined;
  /** Whether the call was sent to the emulator (a call dropped at the kill is not). */
  forwarded: boolean;
  /** The emulator's HTTP status, once it answered. */
  status?: number;
  /** Whether the emulator's answer reached the process. */
  answered: boolean;
}

export interface KillTrigger {
  /** Chooses the write to die at (called for every write of the phase, in arrival order). */
  readonly at: (call: ProxiedCall) => boolean;
  readonly mode: KillMode;
  /** Kills the process (SIGKILL); called once. */
  readonly kill: () => void;
}

export interface KillingProxy {
  readonly url: string;
  readonly calls: readonly ProxiedCall[];
  /**
   * Starts a new phase: write indexes restart at 1, any previous trigger is dropped. `held`
   * keeps every call waiting, unrecorded, until `open()`: a process can start (and load) while
   * the account is still being prepared, and send nothing before it is.
   */
  phase(name: string, options?: { trigger?: KillTrigger; held?: boolean }): void;
  /** Lets the held calls (and the following ones) through, in arrival order. */
  open(): void;
  /** The call the process was killed at in the current phase, if it was. */
  killedAt(): ProxiedCall | undefined;
  /** Resolves when no forwarded call is still waiting for the emulator. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Names a call from its X-Amz-Target (JSON protocols) or, for Lambda's REST API, method and path. */
export function operationOf(method: string, path: string, target: string | undefined): string {
  if (target) return target;
  if (method === 'PUT' && /^\/2015-03-31\/event-source-mappings\/[^/]+\/?$/.test(path))
    return 'Lambda.UpdateEventSourceMapping';
  if (method === 'PUT' && /\/event-invoke-config\/?(\?|$)/.test(path))
    return 'Lambda.PutFunctionEventInvokeConfig';
  return `Lambda.${method} ${path}`;
}

function isWrite(method: string, operation: string): boolean {
  const name = operation.includes('.') ? (operation.split('.').pop() ?? '') : operation;
  // Lambda's REST reads are GETs; every other Lambda method changes something.
  if (operation.startsWith('Lambda.') && !/^[A-Z][a-zA-Z]+$/.test(name)) return method !== 'GET';
  return isWriteOperation(name);
}

function parseBody(raw: Buffer): Record<string, unknown> | undefined {
  if (raw.length === 0) return undefined;
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startKillingProxy(upstream: string): Promise<KillingProxy> {
  const up = new URL(upstream);
  const calls: ProxiedCall[] = [];
  let phase = 'initial';
  let writes = 0;
  let trigger: KillTrigger | undefined;
  let killed: ProxiedCall | undefined;
  let inFlight = 0;
  let held: Array<() => void> | undefined;
  let settleWaiters: Array<() => void> = [];
  const finishOne = () => {
    inFlight -= 1;
    if (inFlight === 0) {
      for (const wake of settleWaiters) wake();
      settleWaiters = [];
    }
  };

  const kill = () => {
    const current = trigger;
    trigger = undefined;
    current?.kill();
  };

  /** Sends the call to the emulator; resolves with the answer, fully read. */
  const forward = async (req: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> => {
    inFlight += 1;
    try {
      return await exchangeUpstream(up, req, body);
    } catch {
      return { status: 502, headers: {}, body: Buffer.alloc(0) };
    } finally {
      finishOne();
    }
  };

  const answer = (res: ServerResponse, out: Awaited<ReturnType<typeof forward>>) =>
    new Promise<boolean>((resolve) => {
      // A process that died meanwhile closed its socket: the answer never reaches it.
      res.once('close', () => resolve(res.writableFinished));
      const { 'transfer-encoding': _, ...headers } = out.headers;
      res.writeHead(out.status, { ...headers, 'content-length': String(out.body.length) });
      res.end(out.body);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (held) await new Promise<void>((resolve) => held?.push(resolve));
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const target = req.headers['x-amz-target'];
      const operation = operationOf(method, req.url ?? '/', typeof target === 'string' ? target : undefined);
      const write = isWrite(method, operation);
      const call: ProxiedCall = {
        operation,
        method,
        path: req.url ?? '/',
        write,
        writeIndex: write ? ++writes : 0,
        phase,
        body: parseBody(body),
        forwarded: false,
        answered: false,
      };
      calls.push(call);
      // The process is dead: whatever it had not sent yet never leaves it.
      if (killed && killed.phase === phase) {
        res.destroy();
        return;
      }
      const armed = write && trigger?.at(call) ? trigger : undefined;
      if (armed) killed = call;
      if (armed?.mode === 'before-forwarding') {
        kill();
        res.destroy();
        return;
      }
      call.forwarded = true;
      const out = await forward(req, body);
      call.status = out.status;
      if (armed?.mode === 'after-forwarding-before-response') {
        kill();
        res.destroy();
        return;
      }
      if (res.destroyed || !res.socket || res.socket.destroyed) return;
      call.answered = await answer(res, out);
      if (armed?.mode === 'after-response') kill();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    phase(name, options = {}) {
      phase = name;
      writes = 0;
      trigger = options.trigger;
      killed = undefined;
      if (options.held) held ??= [];
    },
    open() {
      const waiting = held ?? [];
      held = undefined;
      for (const release of waiting) release();
    },
    killedAt: () => killed,
    settled: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => settleWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
