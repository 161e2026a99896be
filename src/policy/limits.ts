import type { PolicyIssue } from '../errors.js';
import { MAX_POLICY_FILE_BYTES } from './fileText.js';

/**
 * How much a policy directory may hold. Each limit bounds one way a directory could exhaust the
 * controller, which re-reads it every cycle: the worst case of each stays under 200 MiB of peak
 * RSS and a few seconds (bench/policyLimits.bench.ts measures them; docs/benchmarks.md has the
 * figures). Real policy sets are far below them: a policy is about 50 lines, 400 YAML tokens.
 */
export const POLICY_LIMITS = {
  /** Checked before reading: a larger file is never loaded. */
  fileBytes: MAX_POLICY_FILE_BYTES,
  /** Policy files (`*.yaml`, `*.yml`) in the directory and below; counted while listing. */
  filesPerDirectory: 200,
  /** All policy files together, checked before reading any. */
  directoryBytes: 4 * 1024 * 1024,
  /** YAML documents (`---`-separated) in one file, empty ones included. */
  documentsPerFile: 100,
  /** YAML documents in the whole directory: conflicts are checked between every two policies. */
  documentsPerDirectory: 500,
  /**
   * YAML tokens (scalars, indicators, spaces, newlines, comments) in one file: bounds the memory
   * of parsing one file. A 1 MiB flow sequence `[0,0,…]` alone took about 580 MiB before.
   */
  yamlTokensPerFile: 65_536,
  /** YAML tokens in the whole directory: bounds the time of one read. */
  yamlTokensPerDirectory: 262_144,
  /** Issues listed in an error; the rest are counted ("and M more"). */
  listedIssues: 100,
} as const;

const byPosition = (a: PolicyIssue, b: PolicyIssue) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;

/**
 * The issues of one read, in file, line and column order, keeping only the first `limit` of them
 * in memory: a directory can hold millions of problems (every pair of policies in conflict, say),
 * and listing them all would take more memory than reading the policies.
 */
export class IssueList {
  private kept: PolicyIssue[] = [];
  /** Issues that are always listed: a limit that cut a file short explains everything after it. */
  private pinned: PolicyIssue[] = [];
  private dropped = 0;
  private firstDropped: PolicyIssue | undefined;

  constructor(private readonly limit: number = POLICY_LIMITS.listedIssues) {}

  add(issue: PolicyIssue): void {
    this.kept.push(issue);
    if (this.kept.length >= this.limit * 2) this.trim();
  }

  addAll(issues: Iterable<PolicyIssue>): void {
    for (const issue of issues) this.add(issue);
  }

  /** An issue listed whatever the count (one per file at most: the limit that stopped its read). */
  pin(issue: PolicyIssue): void {
    this.pinned.push(issue);
  }

  get total(): number {
    return this.kept.length + this.pinned.length + this.dropped;
  }

  /**
   * The first `limit` issues and the pinned ones, in position order, and when there were more, a
   * last issue at the first one left out that says how many were. Sorting is stable, so equal
   * positions keep the order they came in.
   */
  listed(): PolicyIssue[] {
    this.trim();
    const listed = [...this.kept, ...this.pinned].sort(byPosition);
    if (this.firstDropped) {
      listed.push({
        ...this.firstDropped,
        path: '',
        message: `and ${this.dropped} more issue(s) from here on, not listed: only the first ${this.limit} are`,
      });
    }
    return listed;
  }

  private trim(): void {
    this.kept.sort(byPosition);
    if (this.kept.length <= this.limit) return;
    const first = this.kept[this.limit] as PolicyIssue;
    if (!this.firstDropped || byPosition(first, this.firstDropped) < 0) this.firstDropped = first;
    this.dropped += this.kept.length - this.limit;
    this.kept.length = this.limit;
  }
}
