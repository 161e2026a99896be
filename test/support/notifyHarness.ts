/** Notifiers for the notification integration tests: real clients, instant backoff, recorded logs. */
import { expect } from 'vitest';
import { createNotifierFromEnv, type Notifier, type NotifierOverrides } from '../../src/notify/index.js';
import { recordingLogger } from './harness.js';

export interface TestNotifier {
  notifier: Notifier;
  /** Every log line, raw (debug level and up). */
  logs: () => string;
  /** The backoff waits the notifier asked for, in ms (it does not actually wait). */
  waits: number[];
}

export function testNotifier(env: NodeJS.ProcessEnv, overrides: NotifierOverrides = {}): TestNotifier {
  const log = recordingLogger('debug');
  const waits: number[] = [];
  const notifier = createNotifierFromEnv({ EDAGUARD_NOTIFY_TIMEOUT_MS: '2000', ...env }, log.logger, {
    ...overrides,
    retry: {
      baseDelayMs: 1,
      maxDelayMs: 4,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...overrides.retry,
    },
  });
  if (!notifier) throw new Error('the test environment configures no notification');
  return { notifier, logs: log.raw, waits };
}

/** No secret, nor any part of a secret URL's path, in the text. */
export function expectNoSecrets(text: string, secrets: readonly string[]): void {
  expect(text.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    try {
      const url = new URL(secret);
      expect(text).not.toContain(url.pathname);
    } catch {
      // not a URL
    }
  }
}
