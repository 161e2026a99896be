import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  AWS_SERVICES,
  AwsClientNotLoadedError,
  allowedServices,
  builtServices,
  CLIENT_PACKAGES,
  createAwsClients,
  loadAwsClients,
} from '../../../src/aws/clients.js';
import { servicesForPolicies } from '../../../src/discovery/services.js';
import { parsePolicySources } from '../../../src/policy/loader.js';

const settings = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  maxAttempts: 1,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 1_000,
};

const policy = (rules: string, resourceTypes = '') => `apiVersion: edaguard.dev/v1alpha1
kind: ReliabilityPolicy
metadata: { name: p }
spec:
  match: { tags: { team: orders }${resourceTypes} }
  rules:
${rules}`;

const servicesOf = async (text: string) =>
  servicesForPolicies(await parsePolicySources([{ file: 'p.yaml', text }]));

describe('servicesForPolicies', () => {
  it.each([
    ['SQS-only', policy('    sqs-dead-letter-queue: {}\n    sqs-dlq-retention: {}\n'), ['sqs', 'tagging']],
    [
      'visibility timeout (reads the consumers: Lambda)',
      policy('    sqs-visibility-timeout: {}\n'),
      ['lambda', 'sqs', 'tagging'],
    ],
    ['DLQ alarms', policy('    sqs-dlq-alarm: {}\n'), ['cloudwatch', 'sqs', 'tagging']],
  ])('%s', async (_, text, expected) => {
    expect(await servicesOf(text)).toEqual(expected);
  });
});

describe('loadAwsClients', () => {
  it('builds the clients of the services asked for, and only those', async () => {
    const aws = await loadAwsClients(settings, ['sqs', 'tagging']);
    try {
      expect(builtServices(aws)).toEqual(['sqs', 'tagging']);
      expect(allowedServices(aws)).toEqual(['sqs', 'tagging']);
      expect(typeof aws.sqs.send).toBe('function');
    } finally {
      aws.destroy();
    }
  });

  it('fails with AWS_CLIENT_NOT_LOADED when a client it did not load is touched', async () => {
    const aws = await loadAwsClients(settings, ['sqs', 'tagging']);
    try {
      for (const service of ['lambda', 'sns', 'eventbridge', 'kinesis', 's3', 'dynamodb'] as const) {
        let caught: unknown;
        try {
          void aws[service];
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(AwsClientNotLoadedError);
        expect((caught as AwsClientNotLoadedError).code).toBe('AWS_CLIENT_NOT_LOADED');
        expect((caught as AwsClientNotLoadedError).service).toBe(service);
      }
      // Nothing was built by the failed touches.
      expect(builtServices(aws)).toEqual(['sqs', 'tagging']);
    } finally {
      aws.destroy();
    }
  });

  it('createAwsClients builds each client on first use only', () => {
    const aws = createAwsClients(settings);
    try {
      expect(builtServices(aws)).toEqual([]);
      void aws.sqs;
      expect(builtServices(aws)).toEqual(['sqs']);
      expect(allowedServices(aws)).toEqual([...AWS_SERVICES]);
    } finally {
      aws.destroy();
    }
  });

  it('loads one instance of each package: `import` and `require` resolve to the same CommonJS file', async () => {
    const require = createRequire(import.meta.url);
    for (const pkg of Object.values(CLIENT_PACKAGES)) {
      // No `exports` map: Node's ESM resolution of the bare name falls back to `main` (CommonJS).
      const manifest = require(`${pkg}/package.json`) as { exports?: unknown; main: string };
      expect(manifest.exports, pkg).toBeUndefined();
      expect(require.resolve(pkg)).toMatch(/dist-cjs[\\/]index\.js$/);
    }
  });
});
