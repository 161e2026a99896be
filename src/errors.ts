/**
 * One base error for the project, each subclass with a stable `code` that logs, reports and
 * exit codes can rely on (messages may change; codes do not).
 */
export class EdaguardError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem in one policy file, located precisely enough to jump to it in an editor. */
export interface PolicyIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted field path inside the document, e.g. `spec.rules.sqs-dead-letter-queue.maxReceiveCount.min`. */
  path: string;
  message: string;
}

export class PolicyValidationError extends EdaguardError {
  readonly issues: readonly PolicyIssue[];
  constructor(issues: readonly PolicyIssue[]) {
    super(
      'POLICY_INVALID',
      `${issues.length} policy error(s):\n${issues.map((i) => `  ${formatPolicyIssue(i)}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

export function formatPolicyIssue(issue: PolicyIssue): string {
  const where = issue.path ? ` ${issue.path}:` : '';
  return `${issue.file}:${issue.line}:${issue.column}${where} ${issue.message}`;
}

export class ConfigError extends EdaguardError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

export class EmulatorError extends EdaguardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EMULATOR_UNAVAILABLE', message, options);
  }
}
