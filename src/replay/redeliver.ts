/** Hands an event back to the function, and says whether Lambda accepted it. */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export interface Delivery {
  accepted: boolean;
  /** Why not, when not accepted. */
  reason?: string;
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** As the original async invocation: Lambda queues it (202) and retries by the function's config. */
export async function invokeAsync(
  lambda: Pick<LambdaClient, 'send'>,
  functionName: string,
  payload: unknown,
): Promise<Delivery> {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: encode(payload) }),
  );
  return out.StatusCode === 202
    ? { accepted: true }
    : { accepted: false, reason: `Invoke (Event) answered ${out.StatusCode}, not 202` };
}

/**
 * As an event source mapping does: synchronously. Accepted only when the function returned
 * without an error and reported no failed item (`batchItemFailures`).
 */
export async function invokeWithBatch(
  lambda: Pick<LambdaClient, 'send'>,
  functionName: string,
  event: unknown,
): Promise<Delivery> {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: encode(event),
    }),
  );
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
