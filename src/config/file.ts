import { open, stat } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { ZodType } from 'zod';
import { ConfigError } from '../errors.js';
import { decodeUtf8 } from '../policy/fileText.js';
import { LOG_LEVELS, type RuntimeSettings, RuntimeSettingsSchema } from './runtime.js';
import { parseSetting, SERVICE_SETTINGS, type SettingSpec } from './service.js';

/**
 * The optional config file of `edaguard run` (`--config`, `EDAGUARD_CONFIG`): YAML or JSON, one
 * flat mapping whose keys are the settings' camelCase names. Precedence: flags, then the
 * environment, then the file, then defaults. The file is turned into environment variables
 * layered under the real environment, so every setting is resolved (and validated) one way.
 */
export { LOG_LEVELS } from './runtime.js';

/** Config file keys whose RuntimeSettings field has another name. */
const RUNTIME_FIELD: Readonly<Record<string, keyof RuntimeSettings>> = {
  endpointUrl: 'endpoint',
  connectTimeoutMs: 'connectionTimeoutMs',
};

/** A shared setting's range (RuntimeSettingsSchema), checked here so the error names the file's line. */
function runtimeRangeError(key: string, value: string | number | boolean): string | undefined {
  const field = RUNTIME_FIELD[key] ?? key;
  const shape: Readonly<Record<string, ZodType | undefined>> = RuntimeSettingsSchema.shape;
  const schema = shape[field];
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues.map((i) => i.message).join('; ');
}

/** Settings every command shares (src/config/runtime.ts), as config file keys. */
export const SHARED_FILE_SETTINGS: readonly SettingSpec[] = [
  { key: 'region', env: 'AWS_REGION', flag: '--region', kind: 'string', describe: 'AWS region' },
  { key: 'endpointUrl', env: 'AWS_ENDPOINT_URL', flag: '--endpoint-url', kind: 'url', describe: 'endpoint' },
  { key: 'maxAttempts', env: 'EDAGUARD_MAX_ATTEMPTS', flag: '--max-attempts', kind: 'int', describe: '' },
  { key: 'maxChanges', env: 'EDAGUARD_MAX_CHANGES', flag: '--max-changes', kind: 'int', describe: '' },
  {
    key: 'maxChangePercent',
    env: 'EDAGUARD_MAX_CHANGE_PERCENT',
    flag: '--max-change-percent',
    kind: 'int',
    describe: '',
  },
  { key: 'connectTimeoutMs', env: 'EDAGUARD_CONNECT_TIMEOUT_MS', kind: 'int', describe: '' },
  { key: 'requestTimeoutMs', env: 'EDAGUARD_REQUEST_TIMEOUT_MS', kind: 'int', describe: '' },
  { key: 'lambdaRequestsPerSecond', env: 'EDAGUARD_LAMBDA_RPS', kind: 'int', describe: '' },
  { key: 'flapMaxFixes', env: 'EDAGUARD_FLAP_MAX_FIXES', kind: 'int', describe: '' },
  { key: 'flapWindowSeconds', env: 'EDAGUARD_FLAP_WINDOW_SECONDS', kind: 'int', describe: '' },
  { key: 'readConcurrency', env: 'EDAGUARD_READ_CONCURRENCY', kind: 'int', describe: '' },
  { key: 'applyConcurrency', env: 'EDAGUARD_APPLY_CONCURRENCY', kind: 'int', describe: '' },
  { key: 'verifyAttempts', env: 'EDAGUARD_VERIFY_ATTEMPTS', kind: 'int', describe: '' },
  { key: 'verifyDelayMs', env: 'EDAGUARD_VERIFY_DELAY_MS', kind: 'int', describe: '' },
  {
    key: 'logLevel',
    env: 'EDAGUARD_LOG_LEVEL',
    flag: '--log-level',
    kind: 'enum',
    choices: LOG_LEVELS,
    describe: '',
  },
];

const FILE_SETTINGS = new Map<string, SettingSpec>(
  [...SHARED_FILE_SETTINGS, ...(SERVICE_SETTINGS as readonly SettingSpec[])].map((s) => [s.key, s]),
);

export interface ConfigFile {
  readonly path: string;
  /** The file's settings as environment variables. */
  readonly env: Readonly<Record<string, string>>;
}

/** Pure: validates a config file's text. Every problem is listed with its line and column. */
export function parseConfigFile(path: string, text: string): ConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return `${path}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `${at(e.pos[0])}: YAML: ${e.message.split('\n')[0]}`).join('\n'),
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return { path, env: {} };
  }
  if (!isMap(doc.contents)) throw new ConfigError(`${at(0)}: a config file is a mapping of setting: value`);
  const errors: string[] = [];
  const env: Record<string, string> = {};
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const where = at(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    const spec = FILE_SETTINGS.get(key);
    if (!spec) {
      errors.push(
        `${where}: unknown setting "${key}"; known settings: ${[...FILE_SETTINGS.keys()].join(', ')}`,
      );
      continue;
    }
    const valueNode = pair.value;
    const value = isScalar(valueNode) ? valueNode.value : undefined;
    if (value === null || value === undefined || typeof value === 'object') {
      errors.push(`${where}: ${key}: expected a single value`);
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      errors.push(`${where}: ${key}: expected a string, number or boolean`);
      continue;
    }
    const parsed = parseSetting(spec, typeof value === 'number' ? String(value) : value);
    if ('error' in parsed) {
      errors.push(`${at(isScalar(valueNode) ? valueNode.range?.[0] : undefined)}: ${key}: ${parsed.error}`);
      continue;
    }
    const outOfRange = runtimeRangeError(key, parsed.value);
    if (outOfRange) {
      errors.push(`${at(isScalar(valueNode) ? valueNode.range?.[0] : undefined)}: ${key}: ${outOfRange}`);
      continue;
    }
    env[spec.env] = String(parsed.value);
  }
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return { path, env };
}

/** A config file is one flat mapping of a few dozen settings: 64 KiB is far more than enough. */
export const MAX_CONFIG_FILE_BYTES = 64 * 1024;

const tooLarge = (path: string, size: string) =>
  new ConfigError(
    `${path}: config file is ${size} bytes; a config file may hold at most ${MAX_CONFIG_FILE_BYTES} bytes (64 KiB)`,
  );

/** At most `limit` + 1 bytes of the file: a pipe or a device has no size to check beforehand. */
async function readBounded(path: string, limit: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let bytes: Uint8Array;
  try {
    // A large regular file is refused before it is read, naming its size.
    const { size } = await stat(path);
    if (size > MAX_CONFIG_FILE_BYTES) throw tooLarge(path, String(size));
    bytes = await readBounded(path, MAX_CONFIG_FILE_BYTES);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  if (bytes.length > MAX_CONFIG_FILE_BYTES) throw tooLarge(path, `more than ${MAX_CONFIG_FILE_BYTES}`);
  // Not UTF-8 would decode to replacement characters, and a region of "eu-west-1\ufffd" is no error message.
  const decoded = decodeUtf8(bytes);
  if ('error' in decoded)
    throw new ConfigError(`${path}:${decoded.at.line}:${decoded.at.column}: ${decoded.error}`);
  return parseConfigFile(path, decoded.text);
}

/**
 * The environment with the file's settings underneath: a variable that is set (and not empty)
 * wins over the file. The file's `region` counts as unset when AWS_REGION or AWS_DEFAULT_REGION is.
 */
export function layerConfigFile(file: ConfigFile | undefined, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!file) return env;
  const layered: NodeJS.ProcessEnv = { ...file.env };
  if (env.AWS_REGION || env.AWS_DEFAULT_REGION) delete layered.AWS_REGION;
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') layered[name] = value;
    else if (!(name in layered)) layered[name] = value;
  }
  return layered;
}
