import { EdaguardError } from '../errors.js';
import { deadLetterSourceQueueUrls, describeQueue, queueUrlOf, type SqsSender } from './queues.js';
import { type QueueFacts, redriveRefusals } from './safety.js';

/** Where each message of the DLQ goes. */
export type Routing =
  /** `--to`: every message to one named queue. */
  | { kind: 'named'; target: QueueFacts }
  /** The one queue whose redrive policy names the DLQ. */
  | { kind: 'source'; target: QueueFacts }
  /** Several source queues: each message back to the queue in its DeadLetterQueueSourceArn. */
  | { kind: 'per-message'; sources: ReadonlyMap<string, QueueFacts> };

export interface RedrivePlan {
  dlq: QueueFacts;
  /** Queues that use the DLQ (ListDeadLetterSourceQueues); empty for Lambda- or SNS-fed DLQs. */
  sources: QueueFacts[];
  routing: Routing;
}

/** Redrive refused before anything moved: bad input or a safety rule (exit 2). */
export class RedriveRefusedError extends EdaguardError {
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[]) {
    super('REDRIVE_REFUSED', `redrive refused:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
    this.reasons = reasons;
  }
}

export async function resolveRedrive(
  sqs: SqsSender,
  options: { dlq: string; to?: string; endpoint?: string },
): Promise<RedrivePlan> {
  const dlq = await describeQueue(sqs, await queueUrlOf(sqs, options.dlq, options.endpoint));
  const sources = await Promise.all(
    (await deadLetterSourceQueueUrls(sqs, dlq.url)).map((url) => describeQueue(sqs, url)),
  );
  let routing: Routing;
  if (options.to !== undefined) {
    routing = {
      kind: 'named',
      target: await describeQueue(sqs, await queueUrlOf(sqs, options.to, options.endpoint)),
    };
  } else if (sources.length === 1) {
    routing = { kind: 'source', target: sources[0] as QueueFacts };
  } else if (sources.length > 1) {
    routing = { kind: 'per-message', sources: new Map(sources.map((s) => [s.arn, s])) };
  } else {
    throw new RedriveRefusedError([
      `no queue uses ${dlq.arn} as its DLQ (is it fed by a Lambda on-failure destination or SNS?): name the target with --to`,
    ]);
  }
  const targets = routing.kind === 'per-message' ? [...routing.sources.values()] : [routing.target];
  const reasons = targets.flatMap((target) => redriveRefusals(dlq, target));
  if (reasons.length > 0) throw new RedriveRefusedError(reasons);
  return { dlq, sources, routing };
}

/** The queue a received message goes to, or undefined when its source cannot be known. */
export function targetFor(routing: Routing, sourceArn: string | undefined): QueueFacts | undefined {
  if (routing.kind !== 'per-message') return routing.target;
  return sourceArn === undefined ? undefined : routing.sources.get(sourceArn);
}
