/** `edaguard --version`: edaguard's version, the Node.js running it, and the Node.js the AWS SDK drops next. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The version in package.json (two levels up from src/cli and from dist/cli alike). */
export function edaguardVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The Node.js major the AWS SDK will require next, and from when, as its warning says. */
export interface SdkNodeSupport {
  requiredMajor: number;
  /** e.g. "the first week of January 2027"; absent when the warning does not say. */
  after?: string;
}

/**
 * The SDK does not export the Node.js version it will require next: it is a constant inside
 * `emitWarningIfUnsupportedVersion` of @aws-sdk/core (whose multi-line warning main.ts turns off
 * with AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED). So it is read from that source, once;
 * undefined when the SDK installed has no such warning (then nothing is said about it).
 */
export function sdkNodeSupport(source = sdkWarningSource()): SdkNodeSupport | undefined {
  if (!source) return undefined;
  const at = source.indexOf('emitWarningIfUnsupportedVersion = ');
  if (at < 0) return undefined;
  const body = source.slice(at, at + 2000);
  const major = /const vv = (\d+);/.exec(body) ?? /require node >=(\d+)/.exec(body);
  if (!major) return undefined;
  const after = /published after ([^\n]+?)\n/.exec(body)?.[1];
  return { requiredMajor: Number(major[1]), ...(after ? { after } : {}) };
}

function sdkWarningSource(): string | undefined {
  try {
    const file = createRequire(import.meta.url).resolve('@aws-sdk/core/client');
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** One clause for `--version` and `run`'s start line: what the SDK will require, or undefined. */
export function nodeSupportNote(
  nodeVersion: string = process.version,
  support: SdkNodeSupport | null = sdkNodeSupport() ?? null,
): string | undefined {
  if (!support) return undefined;
  const major = Number.parseInt(nodeVersion.replace(/^v/, ''), 10);
  const when = support.after ? `published after ${support.after}` : 'to come';
  return major < support.requiredMajor
    ? `AWS SDK versions ${when} drop Node.js ${major} (they require >=${support.requiredMajor}): upgrade Node.js`
    : `AWS SDK versions ${when} require Node.js >=${support.requiredMajor}`;
}

/** The two lines of `--version`. */
export function versionText(
  nodeVersion: string = process.version,
  support: SdkNodeSupport | null = sdkNodeSupport() ?? null,
): string {
  const note = nodeSupportNote(nodeVersion, support);
  return `edaguard ${edaguardVersion()}\nNode.js ${nodeVersion}${note ? `; ${note}` : ''}\n`;
}
