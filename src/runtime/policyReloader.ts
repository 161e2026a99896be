import type { Logger } from 'pino';
import { formatPolicyIssue, type PolicyIssue, PolicyValidationError } from '../errors.js';
import { loadPolicyDir } from '../policy/loader.js';
import type { PolicySet } from '../policy/model.js';
import type { ReportNotice } from '../report/driftReport.js';
import type { Metrics } from './metrics.js';

interface PoliciesInForce {
  readonly set: PolicySet;
  readonly loadedAt: Date;
  readonly signature: string;
}

interface PolicyErrors {
  readonly issues: readonly PolicyIssue[];
  readonly signature: string;
  readonly since: Date;
}

type PolicyMetrics = Pick<Metrics, 'policiesValid' | 'policiesLoaded' | 'policyReloadErrors'>;

/** How many policy errors the readiness probe shows. */
const PROBE_ERRORS = 20;

/**
 * Reads the policy directory before every tick: a valid set comes into force, an invalid one
 * leaves the last valid set in force (logged once per distinct set of errors, then as a warning).
 */
export class PolicyReloader {
  private inForce: PoliciesInForce | undefined;
  private errors: PolicyErrors | undefined;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly metrics: PolicyMetrics,
  ) {}

  /** The set cycles use; undefined until a valid one has been read. */
  get current(): PolicySet | undefined {
    return this.inForce?.set;
  }

  async reload(): Promise<void> {
    try {
      this.accept(await loadPolicyDir(this.dir));
    } catch (error) {
      this.reject(error);
    }
  }

  /** The readiness probe's `policies` part. */
  readiness(): { ok: boolean; [key: string]: unknown } {
    if (!this.inForce) {
      return {
        ok: false,
        reason: 'no valid policy set has been read yet',
        errors: (this.errors?.issues ?? []).slice(0, PROBE_ERRORS).map(formatPolicyIssue),
      };
    }
    return {
      ok: true,
      inForce: this.inForce.set.policies.map((p) => p.name),
      loadedAt: this.inForce.loadedAt.toISOString(),
      directoryValid: this.errors === undefined,
      ...(this.errors ? { errors: this.errors.issues.slice(0, PROBE_ERRORS).map(formatPolicyIssue) } : {}),
    };
  }

  /** The report's notice while a cycle ran on the last valid set because the directory is invalid. */
  staleNotice(): ReportNotice | undefined {
    if (!this.errors || !this.inForce) return undefined;
    return {
      code: 'policies-invalid',
      message: `the policy directory has ${this.errors.issues.length} error(s) since ${this.errors.since.toISOString()}; this cycle used the last valid policies, read at ${this.inForce.loadedAt.toISOString()}`,
      details: this.errors.issues,
    };
  }

  private accept(set: PolicySet): void {
    const signature = JSON.stringify([set.files, set.policies.map((p) => p.document)]);
    if (signature !== this.inForce?.signature) {
      this.log.info(
        { policies: set.policies.map((p) => p.name), files: set.files },
        this.inForce ? 'policies changed: the new set is in force' : 'policies loaded',
      );
    }
    if (this.errors) this.log.info('the policy directory is valid again');
    this.inForce = { set, loadedAt: new Date(), signature };
    this.errors = undefined;
    this.metrics.policiesValid.set(1);
    this.metrics.policiesLoaded.set(set.policies.length);
  }

  private reject(error: unknown): void {
    const issues: readonly PolicyIssue[] =
      error instanceof PolicyValidationError
        ? error.issues
        : [
            {
              file: this.dir,
              line: 1,
              column: 1,
              path: '',
              message: String((error as Error).message ?? error),
            },
          ];
    const signature = JSON.stringify(issues);
    const fresh = signature !== this.errors?.signature;
    this.errors = { issues, signature, since: fresh ? new Date() : (this.errors?.since ?? new Date()) };
    this.metrics.policyReloadErrors.inc();
    this.metrics.policiesValid.set(0);
    const inForce = this.inForce
      ? `the last valid set (read at ${this.inForce.loadedAt.toISOString()}) stays in force`
      : 'no valid set has been read yet: no cycle runs';
    if (fresh) {
      const fields = { policyErrors: issues.map(formatPolicyIssue), errorCount: issues.length };
      this.log.error(fields, `invalid policies in ${this.dir}: ${inForce}`);
    } else {
      this.log.warn({ errorCount: issues.length }, `policies still invalid: ${inForce}`);
    }
  }
}
