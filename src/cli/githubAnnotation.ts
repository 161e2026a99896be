import type { PolicyIssue } from '../errors.js';

/**
 * GitHub Actions workflow commands (`::error file=…::message`), escaped as @actions/core does:
 * a policy's text (an unknown key, a file name) must not end the command and start another one,
 * such as a `::warning` or an `::add-mask::` of the attacker's choosing.
 */

/** The message: `%`, CR and LF, so that it stays on one line. */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property (file, title): also `:` and `,`, which end a property or the property list. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One `::error` line for one policy issue, so that GitHub shows it on its line in the pull request. */
export function policyIssueAnnotation(issue: PolicyIssue): string {
  const properties = [
    `file=${escapeCommandProperty(issue.file)}`,
    `line=${issue.line}`,
    `col=${issue.column}`,
    `title=${escapeCommandProperty('edaguard policy')}`,
  ].join(',');
  return `::error ${properties}::${escapeCommandData(`${issue.path ? `${issue.path}: ` : ''}${issue.message}`)}\n`;
}
