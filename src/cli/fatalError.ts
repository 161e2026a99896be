/**
 * The line a command prints when it fails as a whole: the command's name (`plan failed`, not
 * `cycle failed`: plan and redrive run no cycle), the AWS call that failed and what to check.
 */
import { awsCallOf } from '../aws/awsCall.js';
import { describeAwsError, formatAwsError } from '../aws/awsErrorHints.js';

export interface FatalErrorContext {
  /** The command that ran, e.g. `plan`; absent when the failure came before one was chosen. */
  command?: string;
  /** The global flags as parsed (`--endpoint-url`, `--region`), when there are any. */
  flags?: { endpointUrl?: unknown; region?: unknown };
  env: NodeJS.ProcessEnv;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The error as one line and, for the AWS errors that have one, a hint line. */
export function errorText(error: unknown, context: Omit<FatalErrorContext, 'command'>): string {
  const { env, flags = {} } = context;
  const call = awsCallOf(error);
  const endpoint = call?.endpoint ?? text(flags.endpointUrl) ?? text(env.AWS_ENDPOINT_URL);
  const region = text(flags.region) ?? text(env.AWS_REGION) ?? text(env.AWS_DEFAULT_REGION);
  const description = describeAwsError(error, {
    ...(call ? { service: call.service, operation: call.operation } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    env,
  });
  return formatAwsError(description);
}

/** `edaguard: <command> failed: <what>`, with a hint line for the AWS errors that have one. */
export function fatalErrorText(error: unknown, context: FatalErrorContext): string {
  return `edaguard: ${context.command ?? 'command'} failed: ${errorText(error, context)}\n`;
}
