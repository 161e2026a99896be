import type { MiddlewareStack } from '@smithy/types';
import { EdaguardError } from '../errors.js';
import { abortAttemptWith } from './attemptAbort.js';
import { isWriteOperation } from './callCounter.js';
import { type AwsClients, forEachClient, SERVICE_NAMES } from './clients.js';

/**
 * A write attempt that was refused before it went out, or aborted on the way: nothing more is
 * sent for it (never retried by the SDK, see retry.ts). The finding is held back, not failed.
 */
export class WriteRefusedError extends EdaguardError {}

export interface WriteAttempt {
  /** `SQS`, `Lambda`, … (SERVICE_NAMES). */
  readonly service: string;
  /** `CreateQueue`, … */
  readonly operation: string;
  /** The command's input, as it is about to be sent. */
  readonly input: unknown;
}

/** What an allowed attempt runs under: aborted when it may no longer finish. */
export interface AttemptGuard {
  readonly signal: AbortSignal;
  /** The attempt is over (answered or failed): stop watching it. */
  done(): void;
}

/** Decides, right before each attempt of each write goes on the wire, whether it may. */
export interface WriteFence {
  /** Throws a WriteRefusedError to refuse the attempt. */
  beforeAttempt(attempt: WriteAttempt): Promise<AttemptGuard>;
}

/**
 * Puts `fence` in front of every attempt of every write this client makes. Added innermost
 * (deserialize step, low priority, after the rate limiter of clients.ts, which must be attached
 * first): it runs once per attempt, retries included, after the retry middleware's backoff and
 * the rate limiter's wait, right before the request is sent, so nothing that takes time comes
 * between the check and the request.
 */
export function attachWriteFence(
  // biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input and output types
  stack: MiddlewareStack<any, any>,
  service: string,
  fence: WriteFence,
): void {
  stack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (!isWriteOperation(operation)) return next(args);
      const guard = await fence.beforeAttempt({ service, operation, input: args.input });
      try {
        if (guard.signal.aborted) throw guard.signal.reason;
        abortAttemptWith(args.request as object, guard.signal);
        return await next(args);
      } catch (error) {
        // The handler's AbortError says only "aborted": say why, with the fence's own error.
        if (guard.signal.aborted && guard.signal.reason instanceof WriteRefusedError) {
          throw guard.signal.reason;
        }
        throw error;
      } finally {
        guard.done();
      }
    },
    { step: 'deserialize', priority: 'low', name: 'edaguardWriteFence' },
  );
}

/**
 * Fences every client's writes, those built later included (attached after the middleware of
 * clients.ts: after its rate limiters).
 */
export function fenceWrites(clients: AwsClients, fence: WriteFence): void {
  forEachClient(clients, (key, stack) => attachWriteFence(stack, SERVICE_NAMES[key], fence));
}
