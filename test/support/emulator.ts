/**
 * Starts moto in server mode on a free loopback port, for the tests, the demo and the benchmark.
 * If moto is missing it tries `pip install 'moto[server]>=5.2,<6'` once, then stops with a
 * message that says how to install it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { EmulatorError } from '../../src/errors.js';

export interface Emulator {
  readonly endpoint: string;
  readonly port: number;
  /** Clears every service's state (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const MOTO_SPEC = 'moto[server]>=5.2,<6';
const PYTHON = process.env.EDAGUARD_PYTHON ?? 'python3';

function motoImportable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import moto.server, flask, flask_cors'], { stdio: 'ignore' }).status === 0;
}

/** Makes sure `python3 -m moto.server` can run; installs moto with pip when it is missing. */
export function ensureMoto(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (motoImportable()) return;
  log(`moto is not installed for ${PYTHON}; trying: ${PYTHON} -m pip install '${MOTO_SPEC}'`);
  const pip = spawnSync(PYTHON, ['-m', 'pip', 'install', '--quiet', MOTO_SPEC], { stdio: 'inherit' });
  if (pip.status === 0 && motoImportable()) return;
  throw new EmulatorError(
    `the AWS emulator (moto) is missing and could not be installed.\n` +
      `Install it with:  ${PYTHON} -m pip install '${MOTO_SPEC}'\n` +
      `(or point EDAGUARD_PYTHON at a Python that has it).`,
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new EmulatorError(`moto exited with code ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new EmulatorError(`moto did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
}

/** moto with the harness's documented patches (test/support/moto_server.py). */
const PATCHED_SERVER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

export async function startEmulator(
  options: {
    timeoutMs?: number;
    patched?: boolean;
    /** Another launcher script (a bench's own patches on top of the harness's). */
    serverScript?: string;
  } = {},
): Promise<Emulator> {
  ensureMoto();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server = options.serverScript
    ? [options.serverScript]
    : options.patched === false
      ? ['-m', 'moto.server']
      : [PATCHED_SERVER];
  const child = spawn(PYTHON, [...server, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilAnswering(endpoint, child, () => tail, options.timeoutMs ?? 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    port,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new EmulatorError(`moto reset failed: HTTP ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Environment for SDK clients pointed at the emulator (every access key is account 123456789012). */
export function emulatorEnv(endpoint: string, region = 'us-east-1'): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
