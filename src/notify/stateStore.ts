/**
 * What the notifier remembers between cycles: the last Slack report per target, and the open
 * tickets of the sinks that cannot be queried (the generic webhook). In memory always; also in a
 * JSON file when one is configured, so that a restart neither re-posts nor re-opens.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';

const ReportStateSchema = z.object({
  digest: z.string(),
  keys: z.array(z.string()),
  notices: z.array(z.string()).optional(),
});
const TicketRefSchema = z.object({
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

export interface StateStore {
  /** The current state (read from the file once, then kept in memory). */
  load(): Promise<NotifyState>;
  /** Keeps `state` in memory and, when there is a file, writes it; false when the write failed. */
  save(state: NotifyState): Promise<boolean>;
}

export function memoryStateStore(initial: NotifyState = emptyState()): StateStore {
  let state = initial;
  return {
    load: async () => state,
    save: async (next) => {
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
    async save(next) {
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
