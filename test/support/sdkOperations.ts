/**
 * Which AWS operations a source file's code reaches, found by bundling it with esbuild: the SDK's ES
 * modules are inlined and tree-shaken (`sideEffects: false`), the project's other files and other
 * packages stay out. An aliased or namespace import, a paginator (its module imports the List…
 * command) or a waiter (the Describe… command) counts as what it calls; a type-only or unused
 * import counts for nothing. Commands taken from the lazily loaded packages of src/aws/sdk.ts
 * (`const { XCommand } = await sdk.sqs()`, `new (sdkNow.dynamodb().GetItemCommand)(…)`) are read
 * from the file's text, where the bundle cannot see which of the package's commands are used.
 * Used by the IAM policy and deploy tests.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { CLIENT_PACKAGES } from '../../src/aws/clientModules.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** SDK client package → IAM service prefix. */
export const PREFIX: Record<string, string> = {
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-resource-groups-tagging-api': 'tag',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-kinesis': 'kinesis',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-pipes': 'pipes',
  // DynamoDB Streams' IAM actions carry the dynamodb prefix (dynamodb:GetRecords, …).
  '@aws-sdk/client-dynamodb-streams': 'dynamodb',
  '@aws-sdk/client-organizations': 'organizations',
};

/** Bundles the SDK clients' ES modules; everything else (other files of the project, other packages) stays out. */
const sdkOnly: Plugin = {
  name: 'sdk-only',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      // A package loaded on demand (src/aws/sdk.ts) is not a call: its users name their commands.
      if (args.kind === 'dynamic-import') return { external: true };
      const relative = args.path.startsWith('.') || path.isAbsolute(args.path);
      if (relative)
        return args.importer.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { external: true };
      return /^@aws-sdk\/(client|lib)-/.test(args.path) ? undefined : { external: true };
    });
  },
};

/** src/aws/sdk.ts's keys → SDK client package: the controller's clients and two more. */
const SDK_KEYS: Record<string, string> = {
  ...CLIENT_PACKAGES,
  dynamodbStreams: '@aws-sdk/client-dynamodb-streams',
  organizations: '@aws-sdk/client-organizations',
};

/** `prefix:Operation` of a command class or paginator name taken from a lazily loaded package. */
function operationOf(key: string, name: string, file: string): string | undefined {
  const pkg = SDK_KEYS[key];
  const prefix = pkg ? PREFIX[pkg] : undefined;
  if (!prefix) throw new Error(`${file} loads sdk.${key}: add its package to this test`);
  const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
  return operation ? `${prefix}:${operation}` : undefined;
}

/** Operations named through src/aws/sdk.ts: destructured from it, or a member of what it returns. */
export function sdkOperationsNamedIn(source: string, file = '<source>'): string[] {
  const operations: string[] = [];
  // Comments show the pattern too (src/aws/sdk.ts): only code counts.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const loader = String.raw`(?:await\s+)?sdk(?:Now)?\.(\w+)\(\)`;
  for (const m of code.matchAll(new RegExp(String.raw`const\s*\{([^}]*)\}\s*=\s*${loader}`, 'g'))) {
    for (const name of (m[1] as string).split(',').map((n) => n.split(':')[0]?.trim() ?? '')) {
      const op = name ? operationOf(m[2] as string, name, file) : undefined;
      if (op) operations.push(op);
    }
  }
  for (const m of code.matchAll(new RegExp(String.raw`\(?${loader}\)?\.(\w+)`, 'g'))) {
    const op = operationOf(m[1] as string, m[2] as string, file);
    if (op) operations.push(op);
  }
  return operations;
}

const COMMAND_MODULE = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\/dist-es\/commands\/(\w+)Command\.js$/;

/** `prefix:Operation` for every SDK command class whose code is in the file's bundle. */
export async function sdkOperationsReachedBy(file: string): Promise<string[]> {
  const result = await build({
    entryPoints: [file],
    absWorkingDir: REPO_ROOT,
    nodePaths: [path.join(REPO_ROOT, 'node_modules')],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    // The ES module build: one module per command (the CommonJS build is a single file).
    mainFields: ['module', 'main'],
    outdir: 'out',
    logLevel: 'silent',
    plugins: [sdkOnly],
  });
  const operations = sdkOperationsNamedIn(await readFile(file, 'utf8'), file);
  for (const [output] of Object.entries(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(result.metafile.outputs[output]?.inputs ?? {})) {
      if (bytesInOutput === 0) continue;
      const sdk = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\/(.*)$/.exec(input);
      if (!sdk) continue;
      // Its package.json (the user agent's version) aside, the client must come as one module per command.
      if (sdk[2] !== 'package.json' && !(sdk[2] as string).startsWith('dist-es/'))
        throw new Error(`${input}: expected the SDK's ES modules`);
      const command = COMMAND_MODULE.exec(input);
      if (!command) continue;
      const prefix = PREFIX[command[1] as string];
      if (!prefix) throw new Error(`${file} calls ${command[1]}: add its IAM prefix to this test`);
      operations.push(`${prefix}:${command[2]}`);
    }
  }
  return [...new Set(operations)].sort();
}
