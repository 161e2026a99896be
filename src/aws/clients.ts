/**
 * The controller's AWS service clients. No SDK client package is imported here at load time: a
 * client's package is loaded when the client is first needed, so that a command or a policy set
 * that never touches Lambda, S3, SNS, EventBridge, Kinesis, … never pays for loading their
 * packages (each adds megabytes of memory and tens of milliseconds of CPU).
 *
 * Two ways in:
 * - `loadAwsClients(settings, services)`: the one-shot commands. `import()`s exactly the packages
 *   of `services` (servicesForPolicies says which a policy set needs); touching any other client
 *   throws AwsClientNotLoadedError (code AWS_CLIENT_NOT_LOADED), a bug to fix, never a silent load.
 * - `createAwsClients(settings)`: every service, each client built on first use (its package
 *   loaded then). The long-lived controller uses it: a policy reload may bring in a service.
 *
 * Both load the same module instances: the SDK's client packages have no `exports` map, so Node
 * resolves both `import` and `require` to their CommonJS build (`main`), one entry in the module
 * cache (test/unit/aws/clientLoading.test.ts checks it).
 */

import { createRequire } from 'node:module';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { PipesClient } from '@aws-sdk/client-pipes';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type * as HttpHandlerModule from '@smithy/node-http-handler';
import type { AwsCredentialIdentityProvider, MiddlewareStack } from '@smithy/types';
import { EdaguardError } from '../errors.js';
import { ACCOUNT_WIDE_READS, attachAccountWideReadRounds } from './accountWideReads.js';
import { AttemptAbortingHandler } from './attemptAbort.js';
import { attachCallCounter, CallCounter } from './callCounter.js';
import { AWS_SERVICES, type AwsService, clientClass, importClientModules } from './clientModules.js';
import {
  attachRateLimit,
  CLOUDWATCH_REQUESTS_PER_SECOND,
  operationRateLimits,
  serviceRateLimit,
} from './rateLimit.js';
import { createRetryStrategy, DEFAULT_RETRY_TIMING, type RetryTiming } from './retry.js';

export interface AwsClientSettings {
  region: string;
  /** Overrides every service endpoint (an emulator, a VPC endpoint). From `AWS_ENDPOINT_URL` or `--endpoint-url`. */
  endpoint?: string;
  /** SDK `standard` retry mode attempts (first try included). */
  maxAttempts: number;
  /** Backoff between attempts (full jitter); the defaults suit AWS, tests shorten them. */
  retryTiming?: RetryTiming;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /**
   * Lambda control-plane calls per second. Lambda's quota (about 15/s per account and region,
   * reads and writes together) is shared with deploy pipelines: edaguard takes a part of it.
   */
  lambdaRequestsPerSecond?: number;
  /** Credentials of every client (a target's assumed role); the SDK's default chain when absent. */
  credentials?: AwsCredentialIdentityProvider;
}

export { AWS_SERVICES, type AwsService, CLIENT_PACKAGES, loadedClientPackages } from './clientModules.js';

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly eventbridge: EventBridgeClient;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  /** Reads a Kinesis stream's retention (DescribeStreamSummary); never a record. */
  readonly kinesis: KinesisClient;
  /** EventBridge Pipes: their stream sources' failure handling. */
  readonly pipes: PipesClient;
  /** Reads the key policy of a DLQ's customer-managed key (never writes one). */
  readonly kms: KMSClient;
  readonly counter: CallCounter;
  destroy(): void;
}

/** The service name each client's calls are counted under (metrics, reports, the benchmark). */
export const SERVICE_NAMES = {
  sqs: 'SQS',
  lambda: 'Lambda',
  tagging: 'ResourceGroupsTaggingAPI',
  dynamodb: 'DynamoDB',
  sns: 'SNS',
  eventbridge: 'EventBridge',
  s3: 'S3',
  cloudwatch: 'CloudWatch',
  kinesis: 'Kinesis',
  pipes: 'Pipes',
  kms: 'KMS',
} as const satisfies Record<AwsService, string>;

/** A client this set was built without was touched: a code path reached a service its policies do not need. */
export class AwsClientNotLoadedError extends EdaguardError {
  readonly service: AwsService;
  constructor(service: AwsService, loaded: readonly AwsService[]) {
    super(
      'AWS_CLIENT_NOT_LOADED',
      `the ${SERVICE_NAMES[service]} client was not loaded: this client set has only ${loaded.map((s) => SERVICE_NAMES[s]).join(', ') || 'no service'} (servicesForPolicies decides which a policy set needs)`,
    );
    this.service = service;
  }
}

/**
 * The configuration every service client gets (also the stream clients of the operator
 * commands): region, endpoint, our retry strategy (one per client), and a NodeHttpHandler whose
 * timeouts throw (throwOnRequestTimeout) instead of only warning; HTTP/1.1 is what every endpoint,
 * emulators included, speaks. The request timeout bounds one attempt from the start of its request
 * (connecting included) to the answer's headers. The handler also ends one attempt early when the
 * write fence says so (attemptAbort.ts, writeFence.ts).
 */
export function awsClientConfig(settings: AwsClientSettings) {
  const { NodeHttpHandler } = nodeHttpHandler();
  return {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    retryStrategy: createRetryStrategy(settings.maxAttempts, settings.retryTiming ?? DEFAULT_RETRY_TIMING),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    requestHandler: new AttemptAbortingHandler(
      new NodeHttpHandler({
        connectionTimeout: settings.connectionTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        throwOnRequestTimeout: true,
      }),
    ),
  };
}

const requireNow = createRequire(import.meta.url);
/** Required when the first client is configured, not when this module loads (`validate` builds none). */
const nodeHttpHandler = () => requireNow('@smithy/node-http-handler') as typeof HttpHandlerModule;

type ClientConfig = ReturnType<typeof awsClientConfig> & { forcePathStyle?: boolean };
type AnyClient = AwsClients[AwsService];
// biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input and output types
type AnyStack = MiddlewareStack<any, any>;
/** What is done to each client as it is built (and to those built already): middleware. */
type ClientHook = (service: AwsService, stack: AnyStack, client: AnyClient) => void;

interface ClientSetState {
  readonly allowed: ReadonlySet<AwsService>;
  readonly built: Map<AwsService, AnyClient>;
  readonly hooks: ClientHook[];
}

const states = new WeakMap<AwsClients, ClientSetState>();

/** The middleware every client of a set gets: call counter, account-wide read rounds, rate limits. */
function controllerMiddleware(settings: AwsClientSettings, counter: CallCounter): ClientHook {
  const timing = settings.retryTiming ?? DEFAULT_RETRY_TIMING;
  return (service, stack) => {
    attachCallCounter(stack, SERVICE_NAMES[service], counter);
    const accountWide = (ACCOUNT_WIDE_READS as Partial<Record<AwsService, readonly string[]>>)[service];
    if (accountWide) attachAccountWideReadRounds(stack, accountWide, timing);
    if (service === 'lambda')
      attachRateLimit(stack, serviceRateLimit(settings.lambdaRequestsPerSecond ?? 10));
    if (service === 'cloudwatch') attachRateLimit(stack, operationRateLimits(CLOUDWATCH_REQUESTS_PER_SECOND));
  };
}

function clientSet(
  settings: AwsClientSettings,
  counter: CallCounter,
  allowed: ReadonlySet<AwsService>,
): AwsClients {
  const state: ClientSetState = {
    allowed,
    built: new Map(),
    hooks: [controllerMiddleware(settings, counter)],
  };
  const client = (service: AwsService): AnyClient => {
    const existing = state.built.get(service);
    if (existing) return existing;
    if (!state.allowed.has(service)) throw new AwsClientNotLoadedError(service, [...state.allowed]);
    const config: ClientConfig = awsClientConfig(settings);
    // Emulators and VPC endpoints address buckets by path, not by virtual host.
    if (service === 's3') config.forcePathStyle = settings.endpoint !== undefined;
    const built = new (clientClass<ClientConfig, AnyClient>(service))(config);
    state.built.set(service, built);
    for (const hook of state.hooks) hook(service, built.middlewareStack as AnyStack, built);
    return built;
  };
  const clients = {
    counter,
    destroy() {
      for (const built of state.built.values()) built.destroy();
    },
  } as AwsClients;
  // Getters, not enumerable: spreading or printing a client set builds nothing.
  for (const service of AWS_SERVICES) Object.defineProperty(clients, service, { get: () => client(service) });
  states.set(clients, state);
  return clients;
}

/**
 * The clients of every service, each built (and its package loaded) when first used. Credentials
 * come from `settings` or the SDK's default chain (env, shared config, ECS task role, IRSA web
 * identity).
 */
export function createAwsClients(settings: AwsClientSettings, counter = new CallCounter()): AwsClients {
  return clientSet(settings, counter, new Set(AWS_SERVICES));
}

/**
 * The clients of `services` only: their packages are `import()`ed (in parallel) and their clients
 * built now; any other client throws AwsClientNotLoadedError when touched.
 */
export async function loadAwsClients(
  settings: AwsClientSettings,
  services: Iterable<AwsService>,
  counter = new CallCounter(),
): Promise<AwsClients> {
  const wanted = new Set(services);
  await importClientModules(wanted);
  const clients = clientSet(settings, counter, wanted);
  for (const service of wanted) void clients[service];
  return clients;
}

/**
 * Runs `hook` on every client of the set: now on those already built, later on each as it is
 * built (middleware that must be on every client, e.g. the write fence).
 */
export function forEachClient(
  clients: AwsClients,
  hook: (service: AwsService, stack: AnyStack, client: AnyClient) => void,
): void {
  const state = states.get(clients);
  if (!state) {
    // A hand-made AwsClients (tests): every member is a client.
    for (const service of AWS_SERVICES) {
      const c = clients[service];
      hook(service, c.middlewareStack as AnyStack, c);
    }
    return;
  }
  state.hooks.push(hook);
  for (const [service, built] of state.built) hook(service, built.middlewareStack as AnyStack, built);
}

/** The services whose clients this set has built so far (in AWS_SERVICES order); undefined for a hand-made set. */
export function builtServices(clients: AwsClients): AwsService[] | undefined {
  const state = states.get(clients);
  return state ? AWS_SERVICES.filter((s) => state.built.has(s)) : undefined;
}

/** The services this set may build (loadAwsClients' `services`, or all). */
export function allowedServices(clients: AwsClients): AwsService[] | undefined {
  const state = states.get(clients);
  return state ? AWS_SERVICES.filter((s) => state.allowed.has(s)) : undefined;
}
