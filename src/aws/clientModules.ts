/**
 * Where each service client's package comes from, and its loading: by `import()` (loadAwsClients)
 * or, for a client first touched in a set that may build every service, by `require` (the same
 * CommonJS module instance: the SDK's client packages have no `exports` map, so Node resolves an
 * `import` of them to their `main`, CommonJS build, and caches it where `require` finds it).
 */
import { createRequire } from 'node:module';
import { sdk } from './sdk.js';

/** The npm package of each of the controller's service clients (the keys of AwsClients). */
export const CLIENT_PACKAGES = {
  sqs: '@aws-sdk/client-sqs',
  lambda: '@aws-sdk/client-lambda',
  tagging: '@aws-sdk/client-resource-groups-tagging-api',
  dynamodb: '@aws-sdk/client-dynamodb',
  sns: '@aws-sdk/client-sns',
  eventbridge: '@aws-sdk/client-eventbridge',
  s3: '@aws-sdk/client-s3',
  cloudwatch: '@aws-sdk/client-cloudwatch',
  kinesis: '@aws-sdk/client-kinesis',
  pipes: '@aws-sdk/client-pipes',
  kms: '@aws-sdk/client-kms',
} as const;

/** One of the controller's service clients (a key of AwsClients). */
export type AwsService = keyof typeof CLIENT_PACKAGES;
export const AWS_SERVICES = Object.keys(CLIENT_PACKAGES) as readonly AwsService[];

/** The class each package exports for its client. */
const CLIENT_CLASSES = {
  sqs: 'SQSClient',
  lambda: 'LambdaClient',
  tagging: 'ResourceGroupsTaggingAPIClient',
  dynamodb: 'DynamoDBClient',
  sns: 'SNSClient',
  eventbridge: 'EventBridgeClient',
  s3: 'S3Client',
  cloudwatch: 'CloudWatchClient',
  kinesis: 'KinesisClient',
  pipes: 'PipesClient',
  kms: 'KMSClient',
} as const satisfies Record<AwsService, string>;

const requireSdk = createRequire(import.meta.url);

type ClientModule = Record<string, unknown>;

/** The packages whose client classes are at hand. */
const modules = new Map<AwsService, ClientModule>();

/** `import()`s the packages of `services` not loaded yet, in parallel. */
export async function importClientModules(services: Iterable<AwsService>): Promise<void> {
  await Promise.all(
    [...services].map(async (service) => {
      // sdk's import of the package: one load whether a client or a command asks first.
      if (!modules.has(service)) modules.set(service, (await sdk[service]()) as unknown as ClientModule);
    }),
  );
}

/** The client class of `service`: from its imported package, else required now. */
export function clientClass<Config, Client>(service: AwsService): new (config: Config) => Client {
  let module = modules.get(service);
  if (!module) {
    module = requireSdk(CLIENT_PACKAGES[service]) as ClientModule;
    modules.set(service, module);
  }
  const cls = module[CLIENT_CLASSES[service]];
  if (typeof cls !== 'function')
    throw new Error(`${CLIENT_PACKAGES[service]} exports no ${CLIENT_CLASSES[service]}`);
  return cls as new (
    config: Config,
  ) => Client;
}

/**
 * The `@aws-sdk/client-*` packages loaded in this process so far, from the CommonJS module cache
 * (where both `import` and `require` put them, whoever imported them): what the footprint test
 * and benchmark check.
 */
export function loadedClientPackages(): string[] {
  const packages = new Set<string>();
  for (const file of Object.keys(requireSdk.cache)) {
    const match = /[\\/]node_modules[\\/]@aws-sdk[\\/](client-[a-z0-9-]+)[\\/]/.exec(file);
    if (match?.[1]) packages.add(`@aws-sdk/${match[1]}`);
  }
  return [...packages].sort();
}
