/** What `validate` does (src/cli/cycleCommands.ts defines the command and loads this when it runs). */
import { resolveMaxWaiverDays } from '../config/policySettings.js';
import { formatPolicyIssue, PolicyValidationError } from '../errors.js';
import { loadPolicyPaths } from '../policy/loader.js';
import { waiverDateIssues } from '../policy/waiverDates.js';
import { policyIssueAnnotation } from './githubAnnotation.js';
import { type CliIo, EXIT, type SetExitCode } from './io.js';

export type ValidateFormat = 'text' | 'json' | 'github';

export async function runValidate(
  io: CliIo,
  setExitCode: SetExitCode,
  paths: string[],
  opts: { format: ValidateFormat; maxWaiverDays?: string },
): Promise<void> {
  const maxWaiverDays = resolveMaxWaiverDays(opts.maxWaiverDays, io.env);
  try {
    const set = await loadPolicyPaths(paths);
    // Waivers (spec.exceptions) on the day validate runs: none expired, none too far ahead.
    const dated = waiverDateIssues(set, new Date(), maxWaiverDays);
    if (dated.length > 0) throw new PolicyValidationError(dated);
    if (opts.format === 'json')
      io.stdout(
        `${JSON.stringify({ valid: true, policies: set.policies.map((p) => p.name), files: set.files })}\n`,
      );
    else if (opts.format === 'text')
      io.stdout(`${set.policies.length} policies in ${set.files.length} file(s): valid\n`);
    setExitCode(EXIT.ok);
  } catch (error) {
    if (!(error instanceof PolicyValidationError)) throw error;
    printPolicyIssues(io, error, opts.format);
    setExitCode(EXIT.badInput);
  }
}

function printPolicyIssues(io: CliIo, error: PolicyValidationError, format: ValidateFormat): void {
  if (format === 'json') io.stdout(`${JSON.stringify({ valid: false, errors: error.issues })}\n`);
  else if (format === 'github') {
    for (const issue of error.issues) io.stdout(policyIssueAnnotation(issue));
  } else io.stderr(`${error.issues.map(formatPolicyIssue).join('\n')}\n`);
}
