import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServer, type Probe, startHttpServer } from '../../../src/runtime/httpServer.js';
import { recordingLogger } from '../../support/harness.js';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(state: { live: Probe; ready: Probe; metricsFail?: boolean }) {
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: recordingLogger().logger,
    health: {
      liveness: () => state.live,
      readiness: () => state.ready,
      metrics: async () => {
        if (state.metricsFail) throw new Error('registry broke');
        return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'edaguard_up 1\n' };
      },
    },
  });
  return server;
}

describe('health and metrics server (real HTTP)', () => {
  it('/healthz and /readyz answer 200 or 503 with their details as JSON', async () => {
    const state: { live: Probe; ready: Probe } = {
      live: { ok: true, details: { phase: 'running' } },
      ready: {
        ok: false,
        details: { policies: { ok: false, reason: 'no valid policy set has been read yet' } },
      },
    };
    const { url, port } = await start(state);
    expect(port).toBeGreaterThan(0);
    const live = await fetch(`${url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(live.headers.get('cache-control')).toBe('no-store');
    expect(await live.json()).toEqual({ status: 'ok', phase: 'running' });

    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'failing',
      policies: { ok: false, reason: 'no valid policy set has been read yet' },
    });
    state.ready = { ok: true, details: {} };
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz?verbose=1`)).status).toBe(200);
  });

  it('/metrics serves the Prometheus text format', async () => {
    const { url } = await start({ live: { ok: true, details: {} }, ready: { ok: true, details: {} } });
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toBe('edaguard_up 1\n');
  });

  it('HEAD answers without a body; other methods get 405; other paths 404', async () => {
    const { url } = await start({ live: { ok: true, details: {} }, ready: { ok: true, details: {} } });
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${url}/readyz`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const missing = await fetch(`${url}/admin`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
  });

  it('a failing metrics source gives 500, logged, and the server keeps serving', async () => {
    const log = recordingLogger();
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      logger: log.logger,
      health: {
        liveness: () => ({ ok: true, details: {} }),
        readiness: () => ({ ok: true, details: {} }),
        metrics: async () => {
          throw new Error('registry broke');
        },
      },
    });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(500);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(log.lines().some((l) => l.msg === 'health endpoint failed')).toBe(true);
  });

  it('a request target that is no URL (`GET //[`) is a 404, not a crash; absolute form still works', async () => {
    const { port, url } = await start({ live: { ok: true, details: {} }, ready: { ok: true, details: {} } });
    /** One raw request on its own connection; resolves with all the server sent. */
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        let got = '';
        const socket = connect({ port, host: '127.0.0.1' }, () =>
          socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        socket.setTimeout(3000, () => socket.destroy(new Error(`no answer to GET ${target}`)));
        socket.on('data', (chunk: Buffer) => {
          got += chunk.toString('latin1');
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(got));
      });
    for (const target of ['//[', 'http://[::1', '//%zz']) {
      expect(await raw(target), target).toMatch(/^HTTP\/1\.1 404 /);
    }
    expect(await raw('http://example.com/healthz?x=1')).toMatch(/^HTTP\/1\.1 200 /);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('close() stops listening', async () => {
    const { url } = await start({ live: { ok: true, details: {} }, ready: { ok: true, details: {} } });
    await server?.close();
    server = undefined;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('a port in use is an error at start', async () => {
    const first = await start({ live: { ok: true, details: {} }, ready: { ok: true, details: {} } });
    await expect(
      startHttpServer({
        host: '127.0.0.1',
        port: first.port,
        logger: recordingLogger().logger,
        health: {
          liveness: () => ({ ok: true, details: {} }),
          readiness: () => ({ ok: true, details: {} }),
          metrics: async () => ({ contentType: '', body: '' }),
        },
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
