/**
 * The upstream moto behaviour each harness patch (test/support/moto_server.py) works around.
 * When one of these fails, moto has fixed the bug: drop the patch and this test.
 */
import {
  GetFunctionEventInvokeConfigCommand,
  PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../support/emulator.js';
import { emulatorEndpoint, useCleanEmulator } from '../support/harness.js';
import { createSeeder } from '../support/seed.js';

useCleanEmulator();

async function putTwiceThenGet(endpoint: string) {
  const seed = createSeeder(endpoint);
  try {
    await seed.fn('async-worker', 10);
    await seed.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-worker', MaximumRetryAttempts: 2 }),
    );
    await seed.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'async-worker',
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 600,
      }),
    );
    return await seed.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'async-worker' }));
  } finally {
    seed.destroy();
  }
}

describe('moto gaps worked around in the harness', () => {
  let upstream: Emulator;
  beforeAll(async () => {
    upstream = await startEmulator({ patched: false });
  });
  afterAll(async () => {
    await upstream?.stop();
  });

  it('upstream moto: a second PutFunctionEventInvokeConfig does not replace the first', async () => {
    const config = await putTwiceThenGet(upstream.endpoint);
    expect(config.MaximumRetryAttempts).toBe(2);
    expect(config.MaximumEventAgeInSeconds).toBeUndefined();
  });

  it('patched moto (the harness): Put replaces the whole config, as AWS does', async () => {
    const config = await putTwiceThenGet(emulatorEndpoint());
    expect(config.MaximumRetryAttempts).toBe(0);
    expect(config.MaximumEventAgeInSeconds).toBe(600);
  });
});
