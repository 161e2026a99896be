import { describe, expect, it } from 'vitest';
import { type RuntimeFlags, resolveRuntimeSettings } from '../../../src/config/runtime.js';
import { ConfigError } from '../../../src/errors.js';

const DEFAULTS = {
  region: 'eu-west-1',
  maxAttempts: 3,
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 15000,
  maxChanges: 200,
  maxChangePercent: 100,
  lambdaRequestsPerSecond: 10,
  flapMaxFixes: 3,
  flapWindowSeconds: 86_400,
  readConcurrency: 8,
  applyConcurrency: 4,
  verifyAttempts: 3,
  verifyDelayMs: 1000,
  sqsVerification: 'next-cycle',
};

/** Resolves against an explicit environment only, never the test process's own. */
const resolve = (flags: RuntimeFlags, env: Record<string, string> = {}) => resolveRuntimeSettings(flags, env);

function configError(flags: RuntimeFlags, env: Record<string, string>): ConfigError {
  try {
    resolve(flags, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveRuntimeSettings', () => {
  it('defaults, with only a region', () => {
    const settings = resolve({}, { AWS_REGION: 'eu-west-1' });
    expect(settings).toEqual(DEFAULTS);
    expect(settings.endpoint).toBeUndefined();
  });

  it.each<{
    name: string;
    flags: RuntimeFlags;
    env: Record<string, string>;
    expected: Partial<typeof DEFAULTS> & { endpoint?: string };
  }>([
    { name: 'AWS_REGION', flags: {}, env: { AWS_REGION: 'us-east-2' }, expected: { region: 'us-east-2' } },
    {
      name: 'AWS_DEFAULT_REGION',
      flags: {},
      env: { AWS_DEFAULT_REGION: 'us-west-2' },
      expected: { region: 'us-west-2' },
    },
    {
      name: 'AWS_REGION beats AWS_DEFAULT_REGION',
      flags: {},
      env: { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'us-west-2' },
      expected: { region: 'us-east-2' },
    },
    {
      name: '--region beats both',
      flags: { region: 'ap-south-1' },
      env: { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'us-west-2' },
      expected: { region: 'ap-south-1' },
    },
    {
      name: 'AWS_ENDPOINT_URL',
      flags: {},
      env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' },
      expected: { endpoint: 'http://127.0.0.1:5000' },
    },
    {
      name: '--endpoint-url beats AWS_ENDPOINT_URL',
      flags: { endpointUrl: 'http://localhost:4566' },
      env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' },
      expected: { endpoint: 'http://localhost:4566' },
    },
    {
      name: 'EDAGUARD_MAX_ATTEMPTS',
      flags: {},
      env: { AWS_REGION: 'eu-west-1', EDAGUARD_MAX_ATTEMPTS: '5' },
      expected: { maxAttempts: 5 },
    },
    {
      name: '--max-attempts beats EDAGUARD_MAX_ATTEMPTS',
      flags: { maxAttempts: '7' },
      env: { AWS_REGION: 'eu-west-1', EDAGUARD_MAX_ATTEMPTS: '5' },
      expected: { maxAttempts: 7 },
    },
    {
      name: '--max-changes beats EDAGUARD_MAX_CHANGES',
      flags: { maxChanges: '0' },
      env: { AWS_REGION: 'eu-west-1', EDAGUARD_MAX_CHANGES: '50' },
      expected: { maxChanges: 0 },
    },
    {
      name: 'the tuning variables',
      flags: {},
      env: {
        AWS_REGION: 'eu-west-1',
        EDAGUARD_CONNECT_TIMEOUT_MS: '100',
        EDAGUARD_REQUEST_TIMEOUT_MS: '60000',
        EDAGUARD_READ_CONCURRENCY: '16',
        EDAGUARD_APPLY_CONCURRENCY: '64',
        EDAGUARD_VERIFY_ATTEMPTS: '20',
        EDAGUARD_VERIFY_DELAY_MS: '0',
      },
      expected: {
        connectionTimeoutMs: 100,
        requestTimeoutMs: 60000,
        readConcurrency: 16,
        applyConcurrency: 64,
        verifyAttempts: 20,
        verifyDelayMs: 0,
      },
    },
    {
      name: 'empty variables mean unset',
      flags: {},
      env: {
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: '',
        EDAGUARD_MAX_CHANGES: '',
        EDAGUARD_VERIFY_DELAY_MS: '',
      },
      expected: {},
    },
  ])('$name', ({ flags, env, expected }) => {
    const settings = resolve(flags, env);
    expect(settings).toEqual({ ...DEFAULTS, ...expected });
    expect(settings.endpoint).toBe(expected.endpoint);
  });

  it('reads process.env when no environment is given', () => {
    const saved = process.env.EDAGUARD_VERIFY_ATTEMPTS;
    process.env.EDAGUARD_VERIFY_ATTEMPTS = '9';
    try {
      expect(resolveRuntimeSettings({ region: 'eu-west-1' }).verifyAttempts).toBe(9);
    } finally {
      if (saved === undefined) delete process.env.EDAGUARD_VERIFY_ATTEMPTS;
      else process.env.EDAGUARD_VERIFY_ATTEMPTS = saved;
    }
  });

  it.each<{ name: string; flags: RuntimeFlags; env: Record<string, string>; message: RegExp }>([
    {
      name: 'no region at all',
      flags: {},
      env: {},
      message: /^region: no AWS region: set --region, AWS_REGION or AWS_DEFAULT_REGION$/,
    },
    {
      name: 'an empty --region',
      flags: { region: '' },
      env: { AWS_REGION: 'eu-west-1' },
      message: /no AWS region/,
    },
    {
      name: 'a non-integer --max-attempts',
      flags: { maxAttempts: 'three' },
      env: { AWS_REGION: 'eu-west-1' },
      message: /^--max-attempts must be an integer, got "three"$/,
    },
    {
      name: 'a fractional EDAGUARD_MAX_CHANGES',
      flags: {},
      env: { AWS_REGION: 'eu-west-1', EDAGUARD_MAX_CHANGES: '1.5' },
      message: /^EDAGUARD_MAX_CHANGES must be an integer, got "1.5"$/,
    },
    {
      name: 'a non-integer EDAGUARD_VERIFY_DELAY_MS',
      flags: {},
      env: { AWS_REGION: 'eu-west-1', EDAGUARD_VERIFY_DELAY_MS: '1s' },
      message: /^EDAGUARD_VERIFY_DELAY_MS must be an integer, got "1s"$/,
    },
    {
      name: 'maxAttempts 0 (below 1)',
      flags: { maxAttempts: '0' },
      env: { AWS_REGION: 'eu-west-1' },
      message: /^maxAttempts: /,
    },
    {
      name: 'maxAttempts 11 (above 10)',
      flags: { maxAttempts: '11' },
      env: { AWS_REGION: 'eu-west-1' },
      message: /^maxAttempts: /,
    },
    {
      name: 'a negative --max-changes',
      flags: { maxChanges: '-1' },
      env: { AWS_REGION: 'eu-west-1' },
      message: /^maxChanges: /,
    },
    {
      name: 'EDAGUARD_APPLY_CONCURRENCY 65',
      flags: {},
      env: { AWS_REGION: 'eu-west-1', EDAGUARD_APPLY_CONCURRENCY: '65' },
      message: /^applyConcurrency: /,
    },
    {
      name: 'a connection timeout below 100 ms',
      flags: {},
      env: { AWS_REGION: 'eu-west-1', EDAGUARD_CONNECT_TIMEOUT_MS: '99' },
      message: /^connectionTimeoutMs: /,
    },
    {
      name: 'an endpoint that is not a URL',
      flags: { endpointUrl: 'localhost 5000' },
      env: { AWS_REGION: 'eu-west-1' },
      message: /^endpoint: /,
    },
  ])('$name → ConfigError (CONFIG_INVALID)', ({ flags, env, message }) => {
    const error = configError(flags, env);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(message);
  });

  it('lists every invalid setting in one error', () => {
    const error = configError({ maxAttempts: '0', endpointUrl: 'nope' }, {});
    expect(error.message.split('; ').map((part) => part.split(':')[0])).toEqual([
      'region',
      'endpoint',
      'maxAttempts',
    ]);
  });
});
