/**
 * Hands an event back to the function, and says whether Lambda accepted it. Each Invoke is sent
 * once (the caller's client makes one attempt, see invokeClient.ts): an error that leaves it open
 * whether the function ran is reported as `mayHaveRun`, never sent again.
 */
import type { InvokeCommand, InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { sdk } from '../aws/sdk.js';
import { invokeMayHaveRun } from './invokeClient.js';

export interface Delivery {
  accepted: boolean;
  /** Why not, when not accepted. */
  reason?: string;
  /** The Invoke failed in a way that does not say whether the function ran (a timeout). */
  mayHaveRun?: boolean;
}

type LambdaSender = Pick<LambdaClient, 'send'>;

/**
 * How long to wait for a synchronous Invoke: the function's own Timeout plus `marginMs` (cold
 * start, network). Shorter, and a client timeout would cut off an invoke that is still running.
 */
export async function invokeTimeoutMs(lambda: LambdaSender, functionName: string, marginMs: number) {
  const { GetFunctionConfigurationCommand } = await sdk.lambda();
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return (config.Timeout ?? 3) * 1000 + marginMs;
}

/** Sends one Invoke; a failure becomes a Delivery that says whether the function may have run. */
async function invokeOnce(
  invoker: LambdaSender,
  command: InvokeCommand,
  requestTimeout?: number,
): Promise<{ out: InvokeCommandOutput } | Delivery> {
  try {
    return { out: await invoker.send(command, requestTimeout ? { requestTimeout } : {}) };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    const why = `${e.name ?? 'Error'}: ${e.message ?? ''}`;
    return invokeMayHaveRun(error)
      ? {
          accepted: false,
          mayHaveRun: true,
          reason: `may have run: the Invoke was sent once and got no answer (${why}); the record stays in the queue: check the function's logs before replaying it again`,
        }
      : { accepted: false, reason: why };
  }
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** As the original async invocation: Lambda queues it (202) and retries by the function's config. */
export async function invokeAsync(
  invoker: LambdaSender,
  functionName: string,
  payload: unknown,
): Promise<Delivery> {
  const { InvokeCommand } = await sdk.lambda();
  const sent = await invokeOnce(
    invoker,
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: encode(payload) }),
  );
  if (!('out' in sent)) return sent;
  const { out } = sent;
  return out.StatusCode === 202
    ? { accepted: true }
    : { accepted: false, reason: `Invoke (Event) answered ${out.StatusCode}, not 202` };
}

/**
 * As an event source mapping does: synchronously. Accepted only when the function returned
 * without an error and reported no failed item (`batchItemFailures`).
 */
export async function invokeWithBatch(
  invoker: LambdaSender,
  functionName: string,
  event: unknown,
  timeoutMs: number,
): Promise<Delivery> {
  const { InvokeCommand } = await sdk.lambda();
  const sent = await invokeOnce(
    invoker,
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: encode(event),
    }),
    timeoutMs,
  );
  if (!('out' in sent)) return sent;
  const { out } = sent;
  if (out.FunctionError)
    return { accepted: false, reason: `the function failed again (${out.FunctionError})` };
  if (out.StatusCode !== 200) return { accepted: false, reason: `Invoke answered ${out.StatusCode}` };
  const failures = batchItemFailures(out.Payload);
  return failures > 0
    ? { accepted: false, reason: `the function reported ${failures} failed record(s) (batchItemFailures)` }
    : { accepted: true };
}

/** How many items the handler's response reports as failed; 0 when it does not say. */
export function batchItemFailures(payload: Uint8Array | undefined): number {
  if (!payload || payload.length === 0) return 0;
  try {
    const response = JSON.parse(new TextDecoder().decode(payload)) as { batchItemFailures?: unknown };
    return Array.isArray(response?.batchItemFailures) ? response.batchItemFailures.length : 0;
  } catch {
    return 0;
  }
}
