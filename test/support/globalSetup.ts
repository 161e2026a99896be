import type { TestProject } from 'vitest/node';
import { type Emulator, startEmulator } from './emulator.js';
import { createSeeder } from './seed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorEndpoint: string;
  }
}

// Node 20 is this project's runtime; the SDK's notice about Node 22 is documented in the README.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let emulator: Emulator | undefined;

export async function setup(project: TestProject): Promise<void> {
  emulator = await startEmulator();
  // moto loads each service on first use (up to 2 s for the tagging API): warm them up once here.
  const seeder = createSeeder(emulator.endpoint);
  await seeder.queue('warm-up', { tags: { warm: 'up' } });
  await fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'ResourceGroupsTaggingAPI_20170126.GetResources',
    },
    body: '{}',
  });
  await seeder.fn('warm-up', 3);
  seeder.destroy();
  await emulator.reset();
  project.provide('emulatorEndpoint', emulator.endpoint);
}

export async function teardown(): Promise<void> {
  await emulator?.stop();
}
