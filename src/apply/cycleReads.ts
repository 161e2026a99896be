/**
 * What apply has read of each resource this cycle, so that no resource is read twice for the same
 * purpose: the read-back after a write (or the write's own answer, where it shows the result) is
 * what the precondition of the next finding on that resource starts from, instead of a read of its
 * own. Safety rules:
 *
 * - A write to a resource forgets everything read of it before (`writing`), and a read that began
 *   before a write to its resource is never remembered: a remembered value was always read after
 *   the last write this cycle made to that resource.
 * - A remembered value stands in for a precondition read only while it is fresh (`maxAgeMs`,
 *   default 2 s): the window in which someone else's edit could be overwritten stays as narrow as
 *   with a read of its own (a finding's precondition is read before all its writes, which takes as
 *   long). Findings on the same resource run one after the other (`exclusive`), the next right
 *   after the last, so the value a finding leaves is fresh when the next one starts.
 * - Nothing here decides whether to write: each handler compares what it recalls exactly as it
 *   compares a fresh read. The lease's fencing (beforeWrite) is untouched.
 */

export interface CycleReadsOptions {
  /** How long a remembered value may stand in for a precondition read. */
  readonly maxAgeMs?: number;
  /** The clock (tests inject one). */
  readonly now?: () => number;
}

export const DEFAULT_SHARED_READ_MAX_AGE_MS = 2_000;

interface Remembered {
  readonly value: unknown;
  readonly at: number;
}

interface ResourceReads {
  /** Bumped by every write to the resource; a read remembers only if it did not change meanwhile. */
  generation: number;
  readonly views: Map<string, Remembered>;
}

/** A read in progress: remember its answer with `done` (dropped if a write began meanwhile). */
export interface ReadTicket {
  done(value: unknown): void;
}

export class CycleReads {
  private readonly resources = new Map<string, ResourceReads>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** Reads answered from memory this cycle, by view: what the sharing saved. */
  readonly shared = new Map<string, number>();

  constructor(options: CycleReadsOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_SHARED_READ_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  private entry(resource: string): ResourceReads {
    let entry = this.resources.get(resource);
    if (!entry) {
      entry = { generation: 0, views: new Map() };
      this.resources.set(resource, entry);
    }
    return entry;
  }

  /** A write to `resource` starts: whatever was read of it is stale from now on. */
  writing(resource: string): void {
    const entry = this.entry(resource);
    entry.generation += 1;
    entry.views.clear();
  }

  /** Starts a read of `resource` (view: what is read, e.g. its attributes). */
  reading(resource: string, view: string): ReadTicket {
    const entry = this.entry(resource);
    const generation = entry.generation;
    return {
      done: (value) => {
        if (entry.generation !== generation) return;
        entry.views.set(view, { value, at: this.now() });
      },
    };
  }

  /**
   * What a read after the last write of this cycle to `resource` showed, if it is fresh and
   * `covers` it (e.g. holds every attribute the caller compares); undefined: read it.
   */
  recall<T>(resource: string, view: string, covers: (value: T) => boolean = () => true): T | undefined {
    const remembered = this.resources.get(resource)?.views.get(view);
    if (!remembered || this.now() - remembered.at > this.maxAgeMs) return undefined;
    const value = remembered.value as T;
    if (!covers(value)) return undefined;
    this.shared.set(view, (this.shared.get(view) ?? 0) + 1);
    return value;
  }

  /**
   * Runs `fn` once no other `exclusive` run holds any of `resources`: one finding at a time per
   * resource, in the order they asked. Resources are taken together, so two findings never wait
   * for each other.
   */
  async exclusive<T>(resources: readonly string[], fn: () => Promise<T>): Promise<T> {
    const keys = [...new Set(resources)];
    const before = keys.map((key) => this.locks.get(key)).filter((p) => p !== undefined);
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = Promise.all(before).then(() => mine);
    for (const key of keys) this.locks.set(key, held);
    try {
      await Promise.all(before);
      return await fn();
    } finally {
      release();
      for (const key of keys) if (this.locks.get(key) === held) this.locks.delete(key);
    }
  }
}
