import { open, stat } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { decodeUtf8 } from '../policy/fileText.js';
import { parseTargetsNode, type TargetsConfig } from '../targets/schema.js';
import { checkSetting, type SettingSpec } from './settings.js';
import { SETTINGS } from './settingsTable.js';

/**
 * The optional config file of `edaguard run` (`--config`, `EDAGUARD_CONFIG`): YAML or JSON, one
 * flat mapping whose keys are the settings table's config keys. Precedence: flags, then the
 * environment, then the file, then defaults. Each value is checked here against its row (so the
 * error names the file's line), then set as the row's variable under the real environment.
 */
export { LOG_LEVELS } from './settingsTable.js';

const FILE_SETTINGS = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.key, s]));

export interface ConfigFile {
  readonly path: string;
  /** The file's settings as environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** The accounts and regions to govern (`targets:`, nested); absent: the credentials' own. */
  readonly targets?: TargetsConfig;
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
  let targets: TargetsConfig | undefined;
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const where = at(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    if (key === 'targets') {
      const parsed = parseTargetsNode(
        pair.value as Node | null,
        at,
        isScalar(keyNode) ? keyNode.range?.[0] : 0,
      );
      if ('errors' in parsed) errors.push(...parsed.errors);
      else targets = parsed.targets;
      continue;
    }
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
    const checked = checkSetting(spec, typeof value === 'number' ? String(value) : value);
    if ('error' in checked) {
      errors.push(`${at(isScalar(valueNode) ? valueNode.range?.[0] : undefined)}: ${key}: ${checked.error}`);
      continue;
    }
    env[spec.env] = String(checked.value);
  }
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return targets ? { path, env, targets } : { path, env };
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
