import { EdaguardError } from '../errors.js';

export class VerifyError extends EdaguardError {
  constructor(message: string) {
    super('VERIFY_FAILED', message);
  }
}

export interface ReadBackTiming {
  readonly verifyAttempts: number;
  readonly verifyDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Reads back until `pending()` names nothing, or gives up with the fields still not visible. */
export async function untilVisible(timing: ReadBackTiming, pending: () => Promise<string[]>): Promise<void> {
  let missing: string[] = [];
  for (let attempt = 1; attempt <= timing.verifyAttempts; attempt++) {
    missing = await pending();
    if (missing.length === 0) return;
    if (attempt < timing.verifyAttempts) await timing.sleep(timing.verifyDelayMs);
  }
  throw new VerifyError(
    `written but not visible after ${timing.verifyAttempts} read(s): ${missing.join(', ')} (AWS can take a while; the next cycle checks again)`,
  );
}

/** A mapping accepts one update at a time: wait out a previous one still in progress. */
export async function retryWhileConflicting<T>(timing: ReadBackTiming, write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const name = (error as { name?: string }).name;
      const conflict = name === 'ResourceConflictException' || name === 'ResourceInUseException';
      if (!conflict || attempt >= timing.verifyAttempts) throw error;
      await timing.sleep(timing.verifyDelayMs);
    }
  }
}
