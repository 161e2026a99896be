/**
 * The SDK's client packages, each loaded when first used: a module that sends a service's
 * commands takes the command classes from here (`const { XCommand } = await sdk.lambda()`) rather
 * than importing the package at load time, so that loading the module does not load the package
 * (megabytes and tens of milliseconds each): `validate` loads none, an SQS-only audit only SQS and
 * the tagging API. Each package is imported once; later calls await the same promise (under a
 * microsecond). Types are imported as usual (`import type`): they cost nothing at run time.
 */
import { createRequire } from 'node:module';

const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
};

export const sdk = {
  sqs: once(() => import('@aws-sdk/client-sqs')),
  tagging: once(() => import('@aws-sdk/client-resource-groups-tagging-api')),
  dynamodbStreams: once(() => import('@aws-sdk/client-dynamodb-streams')),
  organizations: once(() => import('@aws-sdk/client-organizations')),
  lambda: once(() => import('@aws-sdk/client-lambda')),
  dynamodb: once(() => import('@aws-sdk/client-dynamodb')),
  sns: once(() => import('@aws-sdk/client-sns')),
  eventbridge: once(() => import('@aws-sdk/client-eventbridge')),
  s3: once(() => import('@aws-sdk/client-s3')),
  cloudwatch: once(() => import('@aws-sdk/client-cloudwatch')),
  kinesis: once(() => import('@aws-sdk/client-kinesis')),
  pipes: once(() => import('@aws-sdk/client-pipes')),
  kms: once(() => import('@aws-sdk/client-kms')),
};

const requireSdk = createRequire(import.meta.url);

/**
 * The same packages for code that cannot wait (a function that builds a command or a client and
 * returns it): `require`d on first call. The same module instances as `sdk`'s imports: the client
 * packages have no `exports` map, so Node resolves an `import` of them to their CommonJS `main`
 * and keeps it in the module cache that `require` reads.
 */
export const sdkNow = {
  lambda: () => requireSdk('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda'),
  dynamodb: () => requireSdk('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb'),
  kinesis: () => requireSdk('@aws-sdk/client-kinesis') as typeof import('@aws-sdk/client-kinesis'),
  dynamodbStreams: () =>
    requireSdk('@aws-sdk/client-dynamodb-streams') as typeof import('@aws-sdk/client-dynamodb-streams'),
};
