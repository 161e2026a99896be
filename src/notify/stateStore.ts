/**
 * What the notifier remembers between cycles: the last Slack report per target, and the open
 * tickets of the sinks that cannot be queried (the generic webhook), so that a restart neither
 * re-posts nor re-opens. Where it lives: the state table, one item per target, when there is one
 * (tableStateStore.ts); else a JSON file for a single process, when configured; else memory.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Target } from '../discovery/inventory.js';
import { EdaguardError } from '../errors.js';

export const ReportStateSchema = z.object({
  digest: z.string(),
  keys: z.array(z.string()),
  notices: z.array(z.string()).optional(),
});
export const TicketRefSchema = z.object({
  fingerprint: z.string(),
  id: z.string(),
  url: z.string().optional(),
  stateHash: z.string().optional(),
});

export const NotifyStateSchema = z.object({
  version: z.literal(1),
  /** Target key (partition:account:region) → the last report posted to Slack. */
  slack: z.record(z.string(), ReportStateSchema).default({}),
  /** Fingerprint → open ticket, for sinks without a query API. */
  tickets: z.record(z.string(), TicketRefSchema).default({}),
});
export type NotifyState = z.infer<typeof NotifyStateSchema>;

export const emptyState = (): NotifyState => ({ version: 1, slack: {}, tickets: {} });

/**
 * The state as seen for one target. The memory and file stores keep one document for every target
 * (a single process), so `load` may hold other targets' entries too; the table store holds only
 * the target's. Either way, save what `load(target)` returned, changed.
 */
export interface StateStore {
  /** Which store this is, for the log line at start. */
  readonly kind: 'memory' | 'file' | 'table';
  /** The state of `target`; throws `NotifyStateError` when it cannot be read (nothing to rely on). */
  load(target: Target): Promise<NotifyState>;
  /** Writes `state` as the state of `target`; false when the write failed (logged). */
  save(target: Target, state: NotifyState): Promise<boolean>;
}

/** The notification state could not be read or written: counted in the notifier's `errors`. */
export class NotifyStateError extends EdaguardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOTIFY_STATE_UNAVAILABLE', message, options);
  }
}

export function memoryStateStore(initial: NotifyState = emptyState()): StateStore {
  let state = initial;
  return {
    kind: 'memory',
    load: async () => state,
    save: async (_target, next) => {
      state = next;
      return true;
    },
  };
}

/** A corrupt or unreadable file is logged and replaced: at worst one report is posted twice. */
export function fileStateStore(file: string, logger: Logger): StateStore {
  let state: NotifyState | undefined;
  const log = logger.child({ stateFile: file });
  return {
    kind: 'file',
    async load() {
      if (state) return state;
      try {
        state = NotifyStateSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'ENOENT')
          log.warn({ code: code ?? 'invalid' }, 'notification state unreadable; starting afresh');
        state = emptyState();
      }
      return state;
    },
    async save(_target, next) {
      state = next;
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(tmp, `${JSON.stringify(next)}\n`, { mode: 0o600 });
        await rename(tmp, file);
        return true;
      } catch (error) {
        log.warn({ code: (error as { code?: string }).code ?? 'error' }, 'cannot write notification state');
        return false;
      }
    },
  };
}
