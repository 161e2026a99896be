import type { MiddlewareStack } from '@smithy/types';
import { endpointOfContext, rememberAwsCall } from './awsCall.js';

export type CallOutcome = 'success' | 'not-found' | 'throttled' | 'error';

/**
 * A "does not exist" answer is often the expected result of an existence check (GetQueueUrl for
 * a DLQ name), so it is counted apart from real errors; so is throttling.
 */
export function classifyCallError(error: unknown): Exclude<CallOutcome, 'success'> {
  const name = (error as { name?: string })?.name ?? '';
  if (/NotFound|NonExistent|DoesNotExist/i.test(name)) return 'not-found';
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name)) return 'throttled';
  return 'error';
}

/** A call that has started and not yet ended (what the slow-endpoint notice watches). */
export interface CallInFlight {
  readonly service: string;
  readonly operation: string;
  /** Where the request goes, once the SDK has resolved it. */
  endpoint(): string | undefined;
}

/** Told of each call as it starts; returns what to run when it ends. */
export type CallWatcher = (call: CallInFlight) => () => void;

export interface CallRecord {
  service: string;
  operation: string;
  outcome: CallOutcome;
  count: number;
}

/** Operations that change AWS state; every other operation edaguard calls is a read. */
const WRITE_OPERATION = /^(Create|Update|Put|Set|Tag|Untag|Delete|Add|Remove|Start|Increase|Decrease)/;

export function isWriteOperation(operation: string): boolean {
  return WRITE_OPERATION.test(operation);
}

/** How many write calls a list of call records holds (e.g. a report's awsCalls). */
export function countWrites(calls: readonly Pick<CallRecord, 'operation' | 'count'>[]): number {
  return calls.filter((c) => isWriteOperation(c.operation)).reduce((n, c) => n + c.count, 0);
}

/**
 * Counts SDK commands per service, operation and outcome. One count per command (not per
 * retry attempt), so it can be compared with the minimum number of calls a cycle needs.
 */
export class CallCounter {
  private readonly counts = new Map<string, CallRecord>();
  private readonly listeners: Array<(record: Omit<CallRecord, 'count'>) => void> = [];
  private readonly watchers: CallWatcher[] = [];

  record(service: string, operation: string, outcome: CallOutcome): void {
    const key = `${service}\u0000${operation}\u0000${outcome}`;
    const existing = this.counts.get(key);
    if (existing) existing.count += 1;
    else this.counts.set(key, { service, operation, outcome, count: 1 });
    for (const listener of this.listeners) listener({ service, operation, outcome });
  }

  /** Called on every recorded call, e.g. to feed a Prometheus counter. */
  onCall(listener: (record: Omit<CallRecord, 'count'>) => void): void {
    this.listeners.push(listener);
  }

  /** Watches calls in flight, e.g. to say on a terminal that an endpoint is slow. */
  watchInFlight(watcher: CallWatcher): void {
    this.watchers.push(watcher);
  }

  /** A call starts; the function returned ends it. */
  begin(call: CallInFlight): () => void {
    const ends = this.watchers.map((watch) => watch(call));
    return () => {
      for (const end of ends) end();
    };
  }

  snapshot(): CallRecord[] {
    return [...this.counts.values()]
      .map((r) => ({ ...r }))
      .sort((a, b) => `${a.service}.${a.operation}`.localeCompare(`${b.service}.${b.operation}`));
  }

  /** Total calls, optionally only for one operation (`Service.Operation` or `Operation`). */
  total(filter?: { operation?: string; service?: string; writesOnly?: boolean }): number {
    let sum = 0;
    for (const r of this.counts.values()) {
      if (filter?.operation && r.operation !== filter.operation) continue;
      if (filter?.service && r.service !== filter.service) continue;
      if (filter?.writesOnly && !isWriteOperation(r.operation)) continue;
      sum += r.count;
    }
    return sum;
  }

  writes(): number {
    return this.total({ writesOnly: true });
  }

  reset(): void {
    this.counts.clear();
  }
}

/** Adds the counting middleware to one client's stack. */
export function attachCallCounter(
  // biome-ignore lint/suspicious/noExplicitAny: every client's stack has its own input and output types
  stack: MiddlewareStack<any, any>,
  service: string,
  counter: CallCounter,
): void {
  stack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const ended = counter.begin({ service, operation, endpoint: () => endpointOfContext(context) });
      try {
        const result = await next(args);
        counter.record(service, operation, 'success');
        return result;
      } catch (error) {
        counter.record(service, operation, classifyCallError(error));
        // So that an error message can name the service, the operation and the IAM action.
        const endpoint = endpointOfContext(context);
        rememberAwsCall(error, { service, operation, ...(endpoint ? { endpoint } : {}) });
        throw error;
      } finally {
        ended();
      }
    },
    { step: 'initialize', name: 'edaguardCallCounter', priority: 'high' },
  );
}
