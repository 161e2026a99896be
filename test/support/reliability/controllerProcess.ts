/**
 * The real controller as a child process, without vitest hooks, so the reliability script can
 * use it as well as the tests. A crash scenario starts two processes per kill point, and under
 * tsx each start pays for transforming every source file again (about 3 s on a busy 2-core
 * machine): `controllerCommand()` compiles `src/main.ts` once with esbuild (the compiler tsx
 * itself uses), packages left external, so a start costs only Node and the SDK loading.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulatorEnv } from '../emulator.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface ControllerCommand {
  /** Node arguments that start `edaguard`. */
  readonly args: readonly string[];
  /** Removes the build. */
  dispose(): Promise<void>;
}

/**
 * A one-file build of src/main.ts, or `--import tsx src/main.ts` when esbuild (a dependency of
 * tsx, not of this project) cannot be loaded.
 */
export async function controllerCommand(): Promise<ControllerCommand> {
  try {
    const { build } = await import('esbuild');
    // Inside the repository, so that Node finds the external packages in its node_modules.
    const cache = path.join(REPO_ROOT, 'node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    const dir = await mkdtemp(path.join(cache, 'edaguard-crash-'));
    const outfile = path.join(dir, 'main.mjs');
    await build({
      entryPoints: [path.join(REPO_ROOT, 'src/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'warning',
    });
    return { args: [outfile], dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch {
    return { args: ['--import', 'tsx', 'src/main.ts'], dispose: async () => {} };
  }
}

export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few KiB of stderr (its log lines), for a failure message. */
  stderrTail(): string;
}

/** `edaguard <args>` (started with `command`) against `endpoint`, with the emulator's credentials. */
export function spawnController(
  command: readonly string[],
  args: readonly string[],
  endpoint: string,
): ControllerProcess {
  const child = spawn(process.execPath, [...command, ...args], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...emulatorEnv(endpoint),
      EDAGUARD_VERIFY_DELAY_MS: '50',
      EDAGUARD_LOG_FORMAT: 'json',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8192);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderrTail: () => stderr };
}
