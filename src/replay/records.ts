/**
 * Lambda on-failure records, as Lambda writes them to an SQS (or SNS → SQS) destination:
 * - async invocations: `{version, timestamp, requestContext, requestPayload, responseContext,
 *   responsePayload}`; `requestPayload` is the original event (dropped when too large for SNS);
 * - Kinesis / DynamoDB stream mappings: `{requestContext, responseContext, version, timestamp,
 *   KinesisBatchInfo | DDBStreamBatchInfo}`: the shard and the sequence-number range, not the
 *   records themselves.
 */
import { z } from 'zod';

const requestContext = z.object({
  requestId: z.string().optional(),
  functionArn: z.string().startsWith('arn:'),
  condition: z.string().optional(),
  approximateInvokeCount: z.number().optional(),
});

const batchInfo = z.object({
  shardId: z.string().min(1),
  startSequenceNumber: z.string().regex(/^\d+$/),
  endSequenceNumber: z.string().regex(/^\d+$/),
  approximateArrivalOfFirstRecord: z.string().optional(),
  approximateArrivalOfLastRecord: z.string().optional(),
  batchSize: z.number().int().positive(),
  streamArn: z.string().startsWith('arn:'),
});
export type StreamBatchInfo = z.infer<typeof batchInfo>;

const asyncRecord = z.object({ requestContext });
const kinesisRecord = z.object({ requestContext, KinesisBatchInfo: batchInfo });
const dynamodbRecord = z.object({ requestContext, DDBStreamBatchInfo: batchInfo });

export type FailureRecord =
  | { kind: 'async'; functionArn: string; payload: unknown; requestId?: string; condition?: string }
  | { kind: 'kinesis'; functionArn: string; batch: StreamBatchInfo; condition?: string }
  | { kind: 'dynamodb'; functionArn: string; batch: StreamBatchInfo; condition?: string };

export type ParsedRecord = { ok: true; record: FailureRecord } | { ok: false; reason: string };

/** An SNS destination subscribed to the queue wraps the record in a notification envelope. */
function unwrapSns(value: unknown): unknown {
  const v = value as { Type?: unknown; Message?: unknown };
  if (v && v.Type === 'Notification' && typeof v.Message === 'string') {
    try {
      return JSON.parse(v.Message);
    } catch {
      return value;
    }
  }
  return value;
}

const condition = (c: { condition?: string | undefined }) => (c.condition ? { condition: c.condition } : {});

export function parseFailureRecord(body: string): ParsedRecord {
  let value: unknown;
  try {
    value = unwrapSns(JSON.parse(body));
  } catch {
    return { ok: false, reason: 'not JSON: not a Lambda on-failure record' };
  }
  const kinesis = kinesisRecord.safeParse(value);
  if (kinesis.success)
    return {
      ok: true,
      record: {
        kind: 'kinesis',
        functionArn: kinesis.data.requestContext.functionArn,
        batch: kinesis.data.KinesisBatchInfo,
        ...condition(kinesis.data.requestContext),
      },
    };
  const dynamodb = dynamodbRecord.safeParse(value);
  if (dynamodb.success)
    return {
      ok: true,
      record: {
        kind: 'dynamodb',
        functionArn: dynamodb.data.requestContext.functionArn,
        batch: dynamodb.data.DDBStreamBatchInfo,
        ...condition(dynamodb.data.requestContext),
      },
    };
  for (const key of ['KinesisBatchInfo', 'DDBStreamBatchInfo'] as const) {
    if (value && typeof value === 'object' && Object.hasOwn(value, key)) {
      const issues = (key === 'KinesisBatchInfo' ? kinesis : dynamodb).error?.issues ?? [];
      return {
        ok: false,
        reason: `a malformed ${key} record: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      };
    }
  }
  const invocation = asyncRecord.safeParse(value);
  if (invocation.success) {
    const payload = (value as { requestPayload?: unknown }).requestPayload;
    if (payload === undefined)
      return {
        ok: false,
        reason: 'the record has no requestPayload (Lambda drops it when it is too large for the destination)',
      };
    const { requestContext: ctx } = invocation.data;
    return {
      ok: true,
      record: {
        kind: 'async',
        functionArn: ctx.functionArn,
        payload,
        ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
        ...condition(ctx),
      },
    };
  }
  return {
    ok: false,
    reason:
      'not a Lambda on-failure record (no requestContext.functionArn with requestPayload, KinesisBatchInfo or DDBStreamBatchInfo)',
  };
}
