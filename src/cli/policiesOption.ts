/** `--policies` of `plan` and `reconcile`: the flag, else EDAGUARD_POLICIES (as `run` reads it). */
import { Option } from 'commander';
import { ConfigError } from '../errors.js';
import type { CliIo } from './io.js';

export const policiesOption = (): Option =>
  new Option('-p, --policies <dir>', 'policy directory; env EDAGUARD_POLICIES');

/** The policy directory to read; a usage error (exit 2) naming both ways when neither is given. */
export function policyDirOf(opts: { policies?: string | undefined }, io: CliIo): string {
  const dir = opts.policies || io.env.EDAGUARD_POLICIES;
  if (!dir) {
    throw new ConfigError(
      'no policy directory: pass --policies <dir> or set EDAGUARD_POLICIES (the same variable `run` reads)',
    );
  }
  return dir;
}
