import { inject } from 'vitest';
import { emulatorEnv } from './emulator.js';

// The SDK's default credential chain reads process.env: give every test the emulator's.
Object.assign(process.env, emulatorEnv(inject('emulatorEndpoint')), {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
