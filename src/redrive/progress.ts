import cliProgress from 'cli-progress';

/** Counts a long operator command reports as it goes; `done` drives the bar. */
export interface ProgressCounts {
  done: number;
  total: number;
  [key: string]: number;
}

export interface ProgressReporter {
  update(counts: ProgressCounts): void;
  stop(): void;
}

/**
 * A bar when a person watches (stdout is a terminal), JSON lines otherwise (CI, pipes, log
 * collectors), one per update: `{"progress":"redrive","done":…,"total":…,…}`.
 */
export function createProgress(options: {
  command: string;
  tty: boolean;
  /** Where JSON lines go (stdout). */
  writeLine: (line: string) => void;
  /** Where the bar is drawn (a terminal). */
  stream?: NodeJS.WritableStream;
}): ProgressReporter {
  if (!options.tty) {
    return {
      update: (counts) => options.writeLine(`${JSON.stringify({ progress: options.command, ...counts })}\n`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${options.command} [{bar}] {value}/{total} {details}`,
      stream: options.stream ?? process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(counts) {
      const details = Object.entries(counts)
        .filter(([key]) => key !== 'done' && key !== 'total')
        .map(([key, value]) => `${key}=${value}`)
        .join(' ');
      const total = Math.max(counts.total, counts.done);
      if (!started) {
        bar.start(total, counts.done, { details });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(counts.done, { details });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
