import type { Logger } from 'pino';
import type { AwsClientSettings } from '../aws/clients.js';
import { resolveTargets } from '../targets/resolve.js';
import type { TargetsConfig } from '../targets/schema.js';
import { type TargetRef, targetId } from '../targets/targetRef.js';

/**
 * The targets `edaguard run` governs now: the config's accounts, or the organisation's accounts
 * re-read at most once per `refreshMs` (accounts join and leave while the controller runs). A
 * failed re-read keeps the last list: an Organizations outage must not drop every target.
 */
export class TargetList {
  private targets: TargetRef[] = [];
  private readAt: number | undefined;

  constructor(
    private readonly config: TargetsConfig,
    private readonly settings: AwsClientSettings,
    private readonly refreshMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
    private readonly resolve: typeof resolveTargets = resolveTargets,
  ) {}

  get current(): readonly TargetRef[] {
    return this.targets;
  }

  /** Reads the targets when never read, or when the organisation's list is due; `required`: a failure throws. */
  async refresh(options: { required: boolean }): Promise<void> {
    const due =
      this.readAt === undefined || (this.config.organization && this.now() - this.readAt >= this.refreshMs);
    if (!due) return;
    try {
      const next = await this.resolve(this.config, this.settings);
      this.readAt = this.now();
      const before = new Set(this.targets.map(targetId));
      const after = new Set(next.map(targetId));
      const added = [...after].filter((id) => !before.has(id));
      const removed = [...before].filter((id) => !after.has(id));
      if (added.length > 0 || removed.length > 0)
        this.logger.info({ targets: next.length, added, removed }, 'targets read');
      this.targets = next;
    } catch (error) {
      if (options.required) throw error;
      this.logger.warn({ err: error }, 'could not re-read the organisation; the last list of targets stays');
    }
  }
}
