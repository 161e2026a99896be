import type { Logger } from 'pino';
import type { NotifyConfig } from './config.js';
import { fileStateStore, memoryStateStore, type StateStore } from './stateStore.js';
import { type StateTableRef, tableStateStore } from './tableStateStore.js';

/**
 * Where notification state lives: a given store (tests, the preview); else the state table when
 * one is configured (restarts and replicas share it); else the state file (a single process);
 * else memory (forgotten on restart).
 */
export function chooseStateStore(
  config: Pick<NotifyConfig, 'stateFile'>,
  logger: Logger,
  choice: { state?: StateStore; stateTable?: StateTableRef },
): StateStore {
  if (choice.state) return choice.state;
  if (choice.stateTable) return tableStateStore(choice.stateTable, logger);
  return config.stateFile ? fileStateStore(config.stateFile, logger) : memoryStateStore();
}
