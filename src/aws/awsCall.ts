/**
 * Which AWS call an error came from. An SDK error names neither its service nor its operation
 * (a refused connection is a bare `connect ECONNREFUSED`), so the call counter's middleware, which
 * sees every command, remembers them for each error it lets through; an error message can then
 * say "SQS ListQueues" and the IAM action to grant. Kept aside in a WeakMap: the error object is
 * not changed, and nothing is kept once it is gone.
 */

export interface AwsCall {
  /** The service as calls are counted: `SQS`, `Lambda`, `ResourceGroupsTaggingAPI`… */
  readonly service: string;
  /** The operation, e.g. `ListQueues`. */
  readonly operation: string;
  /** The endpoint the request went to, when it was resolved: `https://sqs.us-east-1.amazonaws.com/`. */
  readonly endpoint?: string;
}

const callOfError = new WeakMap<object, AwsCall>();

/** Notes the call an error came from (the innermost call wins: the first one to note it). */
export function rememberAwsCall(error: unknown, call: AwsCall): void {
  if (typeof error !== 'object' || error === null || callOfError.has(error)) return;
  callOfError.set(error, call);
}

/** The call an error, or one of its causes, came from. */
export function awsCallOf(error: unknown): AwsCall | undefined {
  const seen = new Set<unknown>();
  for (let e: unknown = error; typeof e === 'object' && e !== null && !seen.has(e); ) {
    seen.add(e);
    const call = callOfError.get(e);
    if (call) return call;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The endpoint a middleware context resolved (the SDK sets `endpointV2` in its serialize step). */
export function endpointOfContext(context: unknown): string | undefined {
  const url = (context as { endpointV2?: { url?: URL | string } } | undefined)?.endpointV2?.url;
  return url === undefined ? undefined : String(url);
}
